import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';

/**
 * Amazon Rekognition DetectLabels and Google Cloud Vision images:annotate as loopback HTTP fakes that
 * speak each provider's real wire protocol, so the real SDK clients (and the adapters around them) can
 * be pointed at them: Rekognition through `AWS_ENDPOINT_URL_REKOGNITION`, Vision through
 * `AITAGS_VISION_ENDPOINT` (its REST `fallback` transport).
 *
 * Labels: the ones set with `behave({ labels })`, else derived from the image: the fixed set below plus
 * the name of the image's dominant colour (sharp's `stats().dominant`), so differently coloured images get
 * different tags. Either way the image must decode, as with the real services: bytes sharp cannot decode
 * are refused (Rekognition: InvalidImageFormatException, also for formats other than JPEG/PNG; Vision: a
 * per-image `Bad image data.` error inside a 200, as Google answers). Rekognition also refuses a side over
 * 10,000 px (ImageTooLargeException, "Input image dimensions W x H exceed maximum dimension size of 10000
 * pixels") or under 80 px (InvalidParameterException, "Request has invalid parameters"), the errors the
 * service is reported to answer for either. Rekognition cannot read S3 objects here: `Image.S3Object` is
 * answered with InvalidS3ObjectException.
 *
 * Filters as the services do: Rekognition keeps labels at or above MinConfidence (default 55), then the
 * MaxLabels most confident; Vision keeps the `maxResults` most confident (default 10) and filters nothing.
 *
 * Faults: `behave({ failures })` queues faults answered one per request, in order, then the fake answers
 * normally again: throttle (Rekognition 400 ThrottlingException, Vision 429 RESOURCE_EXHAUSTED),
 * server-error (500 InternalServerError, 503 UNAVAILABLE), bad-image (400 InvalidImageFormatException,
 * 400 INVALID_ARGUMENT), unauthenticated (400 UnrecognizedClientException, 401 UNAUTHENTICATED), hang (no
 * answer until the client gives up or `stop()`). Remember the SDKs' own retries: the Rekognition client
 * sends a request twice on a server error or a hang before giving up (never on throttling), so queue such
 * a fault twice to see it reach the caller. Requests without credentials (no SigV4 signature; no API key or bearer token) are
 * refused as the services refuse them, without using up a queued fault.
 *
 * Quota: with `{ tps }` a fake is a token bucket (refilled continuously at `tps` calls a second, holding
 * at most `burst`, full at start and after `reset()`). A call over it is refused before its image is
 * decoded, as a real service sheds load: Rekognition with HTTP 400 `ThrottlingException` (or
 * `ProvisionedThroughputExceededException`, option `throttlingError`), Vision with HTTP 429
 * `RESOURCE_EXHAUSTED`. Every call that reaches the bucket is logged in `calls` (time, over quota or not,
 * which image), from which throttles, attempts per image and utilisation follow.
 */

export type FakeFailure = 'throttle' | 'server-error' | 'hang' | 'bad-image' | 'unauthenticated';

export interface FakeLabel {
  name: string;
  /** A percentage, 0–100, as Rekognition reports it (Vision's score is this / 100). */
  confidence: number;
  /** Rekognition's `Aliases` and `Categories` (Vision has neither). */
  aliases?: string[];
  categories?: string[];
}

export interface FakeBehaviour {
  /**
   * Answer every request, errors included, this long after it arrived: the fake's own work (decoding the
   * image) is part of it, as a real service's is of the latency its callers see. Work that takes longer
   * answers when it is done.
   */
  latencyMs?: number;
  /** Faults answered one per request, in order; once used up the fake answers normally. */
  failures?: FakeFailure[];
  /** Labels for every image that decodes, instead of the derived ones. */
  labels?: FakeLabel[];
}

/** What a fake saw of one image: its size and, when sharp decodes it, its format and dimensions. */
export interface ImageSeen {
  byteLength: number;
  format?: string;
  width?: number;
  height?: number;
}

/** How a fake answered: the HTTP status (none while hung) and the error's type or status name, if any. */
interface Answered {
  status?: number;
  error?: string;
}

export interface RekognitionRequestSeen extends Answered {
  /** `X-Amz-Target`, e.g. `RekognitionService.DetectLabels`. */
  target: string | undefined;
  /** The access key id and the credential scope (`region/service`) of the SigV4 `Authorization` header. */
  accessKeyId: string | undefined;
  credentialScope: string | undefined;
  image: ImageSeen | { s3Bucket: string | undefined; s3Name: string | undefined } | undefined;
  minConfidence: number | undefined;
  maxLabels: number | undefined;
}

export interface VisionRequestSeen extends Answered {
  /** The path without the query string, e.g. `/v1/images:annotate`. */
  path: string;
  /** From `?key=` or the `x-goog-api-key` header. */
  apiKey: string | undefined;
  bearerToken: boolean;
  /** One entry per image of the batch. Feature types by name (`LABEL_DETECTION`), however they were sent. */
  images: Array<{ image: ImageSeen | undefined; features: Array<{ type: string; maxResults: number | undefined }> }>;
}

export interface FakeProvider<Seen> {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Every request that reached the fake, in arrival order (recorded before any latency). */
  requests: Seen[];
  /** Replaces the behaviour (latency, queued failures, labels) from the next request on. */
  behave(behaviour: FakeBehaviour): void;
  /** Forgets the recorded requests and returns to the behaviour the fake was started with. */
  reset(): void;
  /** Every call that reached the quota (authenticated and well-formed), in arrival order. */
  calls: ProviderCall[];
  /** Closes every connection, hung ones included, and the listening socket. */
  stop(): Promise<void>;
}

/** One call as the quota saw it. */
export interface ProviderCall {
  /** When the whole request had arrived (ms since the epoch). */
  at: number;
  /** Refused over the `tps` quota with the provider's throttling error. */
  overQuota: boolean;
  /** Which image: a digest of the bytes (the same for every attempt at one image), or an S3 object's URI. */
  image: string | undefined;
}

export interface FakeOptions<Seen> {
  /** Defaults to 0: a free port picked by the system. */
  port?: number;
  /**
   * Called for every request as it is recorded (the CLI logs them), with when it arrived
   * (`performance.now()`): its answer leaves `latencyMs` after that.
   */
  onRequest?: (request: Seen, arrivedAt: number) => void;
  /** The quota, in calls a second; unset: no quota. */
  tps?: number;
  /** How many calls the quota lets through at once after an idle spell. @default tps, at least 1 */
  burst?: number;
}

export type RekognitionThrottlingError = 'ThrottlingException' | 'ProvisionedThroughputExceededException';

export interface FakeRekognitionOptions extends FakeOptions<RekognitionRequestSeen> {
  /** What a call over `tps` gets: Rekognition answers either, by the limit it hit. @default 'ThrottlingException' */
  throttlingError?: RekognitionThrottlingError;
}

/** The labels every decodable image gets when none are configured, besides its dominant colour. */
export const DERIVED_LABELS: readonly FakeLabel[] = [
  { name: 'Animal', confidence: 99.1, categories: ['Animals and Pets'] },
  { name: 'Cat', confidence: 97.43, aliases: ['Kitty'], categories: ['Animals and Pets'] },
  { name: 'Pet', confidence: 95.2, categories: ['Animals and Pets'] },
  { name: 'Mammal', confidence: 93.0, categories: ['Animals and Pets'] },
  // the dominant colour, e.g. { name: 'Red', confidence: 88.8, categories: ['Colors and Visual Composition'] }
  { name: 'Kitten', confidence: 71.64, categories: ['Animals and Pets'] },
  { name: 'Indoors', confidence: 58.2, categories: ['Buildings and Architecture'] },
  { name: 'Toy', confidence: 41.5, aliases: ['Plaything'], categories: ['Toys and Gaming'] },
];
export const DOMINANT_COLOUR_CONFIDENCE = 88.8;

const REKOGNITION_MAX_IMAGE_BYTES = 5 * 1024 * 1024;
/** DetectLabels' limits on each side (Amazon Rekognition's "Guidelines and quotas"). */
const REKOGNITION_MIN_SIDE = 80;
const REKOGNITION_MAX_SIDE = 10_000;
const REKOGNITION_DEFAULT_MIN_CONFIDENCE = 55;
const VISION_DEFAULT_MAX_RESULTS = 10;
const MAX_BODY_BYTES = 32 * 1024 * 1024;

// ---------------------------------------------------------------------------------------------------
// Amazon Rekognition (AWS JSON 1.1)

const REKOGNITION_FAULTS: Record<Exclude<FakeFailure, 'hang'>, { status: number; type: string; message: string }> = {
  throttle: { status: 400, type: 'ThrottlingException', message: 'Rate exceeded' },
  'server-error': { status: 500, type: 'InternalServerError', message: 'Internal server error' },
  'bad-image': { status: 400, type: 'InvalidImageFormatException', message: 'Request has invalid image format' },
  unauthenticated: { status: 400, type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' },
};

const REKOGNITION_OVER_QUOTA: Record<RekognitionThrottlingError, string> = {
  ThrottlingException: 'Rate exceeded',
  ProvisionedThroughputExceededException: 'Provisioned rate exceeded',
};

export function startFakeRekognition(
  initial: FakeBehaviour = {},
  options: FakeRekognitionOptions = {},
): Promise<FakeProvider<RekognitionRequestSeen>> {
  const overQuota = options.throttlingError ?? 'ThrottlingException';
  return startFake(initial, options, (request, body, behaviour) => answerRekognition(request, body, behaviour, overQuota));
}

async function answerRekognition(
  request: IncomingMessage,
  body: Buffer,
  behaviour: Behaviour,
  overQuota: RekognitionThrottlingError,
): Promise<Exchange<RekognitionRequestSeen>> {
  const target = header(request, 'x-amz-target');
  const signature = /Credential=([^/,\s]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(header(request, 'authorization') ?? '');
  const seen: RekognitionRequestSeen = {
    target,
    accessKeyId: signature?.[1],
    credentialScope: signature ? `${signature[2]}/${signature[3]}` : undefined,
    image: undefined,
    minConfidence: undefined,
    maxLabels: undefined,
  };
  const error = (status: number, type: string, message: string): Exchange<RekognitionRequestSeen> => ({
    seen,
    reply: {
      status,
      error: type,
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': type },
      body: JSON.stringify({ __type: type, message }),
    },
  });

  if (request.method !== 'POST' || pathOf(request) !== '/' || target !== 'RekognitionService.DetectLabels') {
    return error(
      400,
      'UnknownOperationException',
      `The fake serves RekognitionService.DetectLabels only (got ${request.method} ${target ?? 'no X-Amz-Target'})`,
    );
  }
  if (!signature) return error(400, 'MissingAuthenticationTokenException', 'Missing Authentication Token');

  let input: { Image?: { Bytes?: unknown; S3Object?: { Bucket?: string; Name?: string } }; MinConfidence?: unknown; MaxLabels?: unknown };
  try {
    input = JSON.parse(body.toString('utf8'));
  } catch {
    return error(400, 'SerializationException', 'Start of structure or map found where not expected.');
  }
  seen.minConfidence = typeof input.MinConfidence === 'number' ? input.MinConfidence : undefined;
  seen.maxLabels = typeof input.MaxLabels === 'number' ? input.MaxLabels : undefined;
  const bytes = typeof input.Image?.Bytes === 'string' ? Buffer.from(input.Image.Bytes, 'base64') : undefined;
  const s3Object = input.Image?.S3Object;
  if (s3Object) seen.image = { s3Bucket: s3Object.Bucket, s3Name: s3Object.Name };
  if (!behaviour.admit(bytes ? digestOf(bytes) : s3Object && `s3://${s3Object.Bucket}/${s3Object.Name}`)) {
    if (bytes) seen.image = { byteLength: bytes.length };
    return error(400, overQuota, REKOGNITION_OVER_QUOTA[overQuota]);
  }
  const decoded = bytes ? await decodeImage(bytes) : undefined;
  if (decoded) seen.image = decoded.seen;

  const failure = behaviour.nextFailure();
  if (failure === 'hang') return { seen, reply: 'hang' };
  if (failure) {
    const fault = REKOGNITION_FAULTS[failure];
    return error(fault.status, fault.type, fault.message);
  }

  const minConfidence = input.MinConfidence ?? REKOGNITION_DEFAULT_MIN_CONFIDENCE;
  if (typeof minConfidence !== 'number' || minConfidence < 0 || minConfidence > 100) {
    return error(400, 'InvalidParameterException', 'MinConfidence must be a number from 0 to 100');
  }
  const maxLabels = input.MaxLabels;
  if (maxLabels !== undefined && (typeof maxLabels !== 'number' || !Number.isInteger(maxLabels) || maxLabels < 0)) {
    return error(400, 'InvalidParameterException', 'MaxLabels must be a non-negative integer');
  }
  if (input.Image?.S3Object && !bytes) {
    return error(400, 'InvalidS3ObjectException', 'Unable to get object metadata from S3. Check object key, region and/or access permissions.');
  }
  if (!bytes || !decoded) return error(400, 'InvalidParameterException', 'Request has invalid parameters: Image needs Bytes or S3Object');
  if (bytes.length > REKOGNITION_MAX_IMAGE_BYTES) return error(400, 'ImageTooLargeException', 'Image size is too large.');
  if (decoded.seen.format !== 'jpeg' && decoded.seen.format !== 'png')
    return error(400, 'InvalidImageFormatException', 'Request has invalid image format');
  const { width = 0, height = 0 } = decoded.seen;
  if (Math.max(width, height) > REKOGNITION_MAX_SIDE) {
    return error(
      400,
      'ImageTooLargeException',
      `Input image dimensions ${width} x ${height} exceed maximum dimension size of ${REKOGNITION_MAX_SIDE} pixels`,
    );
  }
  if (Math.min(width, height) < REKOGNITION_MIN_SIDE) return error(400, 'InvalidParameterException', 'Request has invalid parameters');

  const labels = byConfidence(behaviour.labels ?? derivedLabels(decoded.colour))
    .filter((label) => label.confidence >= minConfidence)
    .slice(0, maxLabels ?? undefined);
  return {
    seen,
    reply: {
      status: 200,
      headers: { 'content-type': 'application/x-amz-json-1.1' },
      body: JSON.stringify({
        Labels: labels.map((label) => ({
          Name: label.name,
          Confidence: label.confidence,
          Instances: [],
          Parents: [],
          Aliases: (label.aliases ?? []).map((name) => ({ Name: name })),
          Categories: (label.categories ?? []).map((name) => ({ Name: name })),
        })),
        LabelModelVersion: '3.0',
      }),
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Google Cloud Vision (REST, as `@google-cloud/vision` sends it with `fallback: true`)

const VISION_FAULTS: Record<Exclude<FakeFailure, 'hang'>, { code: number; status: string; message: string }> = {
  throttle: {
    code: 429,
    status: 'RESOURCE_EXHAUSTED',
    message: "Quota exceeded for quota metric 'Requests' of service 'vision.googleapis.com' (fake).",
  },
  'server-error': { code: 503, status: 'UNAVAILABLE', message: 'The service is currently unavailable.' },
  'bad-image': { code: 400, status: 'INVALID_ARGUMENT', message: 'Bad image data.' },
  unauthenticated: {
    code: 401,
    status: 'UNAUTHENTICATED',
    message: 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
  },
};

/** google.cloud.vision.v1.Feature.Type: the client sends these numbers (`enum-encoding=int`). */
const VISION_FEATURE_TYPES: Record<number, string> = {
  0: 'TYPE_UNSPECIFIED',
  1: 'FACE_DETECTION',
  2: 'LANDMARK_DETECTION',
  3: 'LOGO_DETECTION',
  4: 'LABEL_DETECTION',
  5: 'TEXT_DETECTION',
  6: 'SAFE_SEARCH_DETECTION',
  7: 'IMAGE_PROPERTIES',
  9: 'CROP_HINTS',
  10: 'WEB_DETECTION',
  11: 'DOCUMENT_TEXT_DETECTION',
  12: 'PRODUCT_SEARCH',
  19: 'OBJECT_LOCALIZATION',
};

export function startFakeVision(initial: FakeBehaviour = {}, options: FakeOptions<VisionRequestSeen> = {}): Promise<FakeProvider<VisionRequestSeen>> {
  return startFake(initial, options, answerVision);
}

interface VisionImageRequest {
  image?: { content?: unknown };
  features?: Array<{ type?: unknown; maxResults?: unknown }>;
}

async function answerVision(request: IncomingMessage, body: Buffer, behaviour: Behaviour): Promise<Exchange<VisionRequestSeen>> {
  const url = new URL(request.url ?? '/', 'http://fake');
  const authorization = header(request, 'authorization');
  const seen: VisionRequestSeen = {
    path: url.pathname,
    apiKey: url.searchParams.get('key') ?? header(request, 'x-goog-api-key'),
    bearerToken: /^Bearer\s+\S/i.test(authorization ?? ''),
    images: [],
  };
  const error = (code: number, status: string, message: string): Exchange<VisionRequestSeen> => ({
    seen,
    reply: { status: code, error: status, headers: JSON_CONTENT, body: JSON.stringify({ error: { code, message, status } }) },
  });

  if (request.method !== 'POST' || !['/v1/images:annotate', '/v1/images%3Aannotate', '/v1/images%3aannotate'].includes(url.pathname)) {
    return error(404, 'NOT_FOUND', `The fake serves POST /v1/images:annotate only (got ${request.method} ${url.pathname})`);
  }
  let input: { requests?: VisionImageRequest[] };
  try {
    input = JSON.parse(body.toString('utf8'));
  } catch {
    return error(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received.');
  }
  const sent = (input.requests ?? []).map((item) => ({
    content: typeof item.image?.content === 'string' ? Buffer.from(item.image.content, 'base64') : undefined,
    features: (item.features ?? []).map((feature) => ({
      type:
        typeof feature.type === 'number' ? (VISION_FEATURE_TYPES[feature.type] ?? String(feature.type)) : String(feature.type ?? 'TYPE_UNSPECIFIED'),
      maxResults: typeof feature.maxResults === 'number' ? feature.maxResults : undefined,
    })),
  }));
  const decodeAll = async () => {
    const images = await Promise.all(sent.map(async (item) => ({ ...item, decoded: item.content ? await decodeImage(item.content) : undefined })));
    seen.images = images.map((item) => ({ image: item.decoded?.seen, features: item.features }));
    return images;
  };

  if (!seen.apiKey && !seen.bearerToken) {
    await decodeAll();
    return error(
      403,
      'PERMISSION_DENIED',
      "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
    );
  }
  const digests = sent.flatMap((item) => (item.content ? [digestOf(item.content)] : []));
  if (!behaviour.admit(digests.length ? digests.join(',') : undefined)) {
    seen.images = sent.map((item) => ({ image: item.content && { byteLength: item.content.length }, features: item.features }));
    const { code, status, message } = VISION_FAULTS.throttle;
    return error(code, status, message);
  }
  const images = await decodeAll();
  const failure = behaviour.nextFailure();
  if (failure === 'hang') return { seen, reply: 'hang' };
  if (failure) {
    const fault = VISION_FAULTS[failure];
    return error(fault.code, fault.status, fault.message);
  }
  if (images.length === 0) return error(400, 'INVALID_ARGUMENT', 'No requests.');

  const responses = images.map((item) => {
    if (!item.content) return { error: { code: 3, message: 'image.content is required (the fake cannot fetch image.source).' } };
    if (!item.decoded?.seen.format) return { error: { code: 3, message: 'Bad image data.' } };
    const labelFeature = item.features.find((feature) => feature.type === 'LABEL_DETECTION');
    if (!labelFeature) return {};
    const labels = byConfidence(behaviour.labels ?? derivedLabels(item.decoded.colour)).slice(
      0,
      labelFeature.maxResults || VISION_DEFAULT_MAX_RESULTS,
    );
    return {
      labelAnnotations: labels.map((label) => ({
        mid: `/m/fake_${label.name.toLowerCase().replace(/\W+/g, '_')}`,
        description: label.name,
        score: label.confidence / 100,
        topicality: label.confidence / 100,
      })),
    };
  });
  // A per-image error still makes the HTTP answer 200, as Google does.
  const perImageError = responses.find((response): response is { error: { code: number; message: string } } => 'error' in response);
  return {
    seen,
    reply: { status: 200, error: perImageError ? 'INVALID_ARGUMENT' : undefined, headers: JSON_CONTENT, body: JSON.stringify({ responses }) },
  };
}

// ---------------------------------------------------------------------------------------------------
// What both fakes share: the server, the behaviour, the images

const JSON_CONTENT = { 'content-type': 'application/json; charset=UTF-8' };

type Reply = { status: number; error?: string | undefined; headers: Record<string, string>; body: string } | 'hang';
interface Exchange<Seen> {
  seen: Seen;
  reply: Reply;
}
interface Behaviour {
  labels: FakeLabel[] | undefined;
  nextFailure(): FakeFailure | undefined;
  /** Logs the call and takes a token: false when the call is over the quota. */
  admit(image: string | undefined): boolean;
}
type Answer<Seen> = (request: IncomingMessage, body: Buffer, behaviour: Behaviour) => Promise<Exchange<Seen>>;

async function startFake<Seen extends Answered>(
  initial: FakeBehaviour,
  options: FakeOptions<Seen>,
  answer: Answer<Seen>,
): Promise<FakeProvider<Seen>> {
  let current: FakeBehaviour = {};
  let failures: FakeFailure[] = [];
  const behave = (behaviour: FakeBehaviour) => {
    current = { ...behaviour };
    failures = [...(behaviour.failures ?? [])];
  };
  behave(initial);
  const quota = options.tps === undefined ? undefined : tokenBucket(options.tps, options.burst ?? Math.max(1, options.tps));
  const calls: ProviderCall[] = [];
  const behaviour: Behaviour = {
    get labels() {
      return current.labels;
    },
    nextFailure: () => failures.shift(),
    admit(image) {
      const overQuota = quota ? !quota.take() : false;
      calls.push({ at: Date.now(), overQuota, image });
      return !overQuota;
    },
  };

  const requests: Seen[] = [];
  const waits = new Set<{ timer: NodeJS.Timeout; done: () => void }>();
  let stopped = false;
  const wait = (ms: number) =>
    new Promise<void>((done) => {
      const entry = { timer: setTimeout(() => finish(), ms), done: () => finish() };
      const finish = () => {
        clearTimeout(entry.timer);
        waits.delete(entry);
        done();
      };
      waits.add(entry);
    });

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const arrivedAt = performance.now();
    const body = await readBody(request);
    if (!body) {
      response.writeHead(413, JSON_CONTENT).end(JSON.stringify({ message: `Request body over ${MAX_BODY_BYTES} bytes` }));
      return;
    }
    const latencyMs = current.latencyMs ?? 0;
    const { seen, reply } = await answer(request, body, behaviour);
    if (reply !== 'hang') Object.assign(seen, { status: reply.status, error: reply.error });
    requests.push(seen);
    options.onRequest?.(seen, arrivedAt);
    if (reply === 'hang') return; // never answered; stop() destroys the socket
    const left = latencyMs - (performance.now() - arrivedAt);
    if (left > 0) await wait(left);
    if (stopped || response.destroyed) return;
    response.writeHead(reply.status, { ...reply.headers, 'x-amzn-requestid': randomUUID() }).end(reply.body);
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, JSON_CONTENT).end(JSON.stringify({ message: `Fake provider failed: ${String(error)}` }));
    });
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(options.port ?? 0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    requests,
    calls,
    behave,
    reset() {
      requests.length = 0;
      calls.length = 0;
      quota?.refill();
      behave(initial);
    },
    async stop() {
      stopped = true;
      for (const entry of [...waits]) entry.done();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

/** Calls a second, continuously refilled, up to `capacity` at once. */
function tokenBucket(tps: number, capacity: number) {
  if (!(tps > 0 && Number.isFinite(tps))) throw new Error(`tps must be a positive number (got ${tps})`);
  if (!(capacity >= 1 && Number.isFinite(capacity))) throw new Error(`burst must be at least 1 (got ${capacity})`);
  let tokens = capacity;
  let refilledAt = performance.now();
  return {
    take(): boolean {
      const now = performance.now();
      tokens = Math.min(capacity, tokens + ((now - refilledAt) / 1000) * tps);
      refilledAt = now;
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
    refill() {
      tokens = capacity;
      refilledAt = performance.now();
    },
  };
}

const digestOf = (bytes: Buffer) => createHash('sha256').update(bytes).digest('base64url').slice(0, 16);

/** The whole body, or undefined when it is larger than any provider accepts. */
async function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

const header = (request: IncomingMessage, name: string): string | undefined => {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

const pathOf = (request: IncomingMessage) => (request.url ?? '/').split('?')[0];

const byConfidence = (labels: readonly FakeLabel[]) => [...labels].sort((a, b) => b.confidence - a.confidence);

function derivedLabels(colour: string | undefined): FakeLabel[] {
  return colour
    ? [...DERIVED_LABELS, { name: colour, confidence: DOMINANT_COLOUR_CONFIDENCE, categories: ['Colors and Visual Composition'] }]
    : [...DERIVED_LABELS];
}

/** Size always; format, dimensions and dominant colour when sharp decodes the bytes (else undefined). */
async function decodeImage(bytes: Buffer): Promise<{ seen: ImageSeen; colour: string | undefined }> {
  try {
    const metadata = await sharp(bytes).metadata();
    const { dominant } = await sharp(bytes).stats();
    return {
      seen: { byteLength: bytes.length, format: metadata.format, width: metadata.width, height: metadata.height },
      colour: colourName(dominant.r, dominant.g, dominant.b),
    };
  } catch {
    return { seen: { byteLength: bytes.length }, colour: undefined };
  }
}

/** A plain colour name from sRGB: White/Black/Gray by lightness and saturation, else by hue. */
export function colourName(r: number, g: number, b: number): string {
  const max = Math.max(r, g, b) / 255;
  const min = Math.min(r, g, b) / 255;
  const lightness = (max + min) / 2;
  const saturation = max === min ? 0 : (max - min) / (1 - Math.abs(2 * lightness - 1));
  if (lightness > 0.9) return 'White';
  if (lightness < 0.12) return 'Black';
  if (saturation < 0.15) return 'Gray';
  const hue = hueOf(r / 255, g / 255, b / 255, max, max - min);
  if (hue < 15 || hue >= 345) return 'Red';
  if (hue < 45) return 'Orange';
  if (hue < 70) return 'Yellow';
  if (hue < 170) return 'Green';
  if (hue < 200) return 'Teal';
  if (hue < 260) return 'Blue';
  if (hue < 290) return 'Purple';
  return 'Pink';
}

function hueOf(r: number, g: number, b: number, max: number, chroma: number): number {
  const sector = max === r ? ((g - b) / chroma + 6) % 6 : max === g ? (b - r) / chroma + 2 : (r - g) / chroma + 4;
  return sector * 60;
}

/** The handlers' configuration that points both extensions at these fakes instead of the real providers. */
export function fakeProviderEnvironment(rekognition: { url: string }, vision: { url: string }): Record<string, string> {
  return { AWS_ENDPOINT_URL_REKOGNITION: rekognition.url, AITAGS_VISION_ENDPOINT: vision.url, AITAGS_VISION_API_KEY: 'fake-vision-key' };
}
