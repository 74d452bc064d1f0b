import { performance } from 'node:perf_hooks';
import { DetectLabelsCommand, type RekognitionClient } from '@aws-sdk/client-rekognition';
import { ImageAnnotatorClient } from '@google-cloud/vision';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ImageInput } from '../../functions/adapters/label-detector.js';
import { ExtensionFailure, ProviderThrottledError, ProviderTransientError } from '../../functions/core/provider-errors.js';
import { rekognitionClient } from '../../functions/adapters/clients/rekognition.js';
import { RekognitionLabels } from '../../functions/adapters/rekognition.js';
import { VisionLabels, type VisionSettings } from '../../functions/adapters/vision.js';
import type { Label } from '../../functions/core/tag-policy.js';
import {
  type FakeProvider,
  type RekognitionRequestSeen,
  startFakeRekognition,
  startFakeVision,
  type VisionRequestSeen,
} from '../../local/fakes/providers.js';

// The project's real adapters, through the real SDK clients, against the loopback fakes.
//
// `it.fails` marks behaviour the adapters do not have yet (adapter bugs these fakes exposed: the Vision
// adapter classifies by gRPC codes but gax 5 over REST reports HTTP statuses, and neither adapter's
// timeout ends a call that gets no answer). Each such test passes once its adapter is fixed, and then
// fails as `it.fails` until it is turned back into `it`.

const TIMEOUT_MS = 2_000;
const SHORT_TIMEOUT_MS = 300;
const LATENCY_MS = 300;
/** Bounds a test that would hang on an adapter without a working timeout. */
const HANG_TEST_MS = 2_500;

const solid = (colour: { r: number; g: number; b: number }, format: 'jpeg' | 'png' | 'webp', width = 120, height = 90) =>
  sharp({ create: { width, height, channels: 3, background: colour } })
    .toFormat(format)
    .toBuffer();
const bytesOf = (bytes: Uint8Array): ImageInput => ({ kind: 'bytes', bytes });
const notAnImage = bytesOf(Buffer.from('this is not an image, just text'));

/** Confidences to 2 decimals: Vision's scores come back as fractions, times 100 in the adapter. */
const rounded = (labels: Label[]) => labels.map((label) => ({ name: label.name, confidence: Math.round(label.confidence * 100) / 100 }));

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

async function expectExtensionFailure(promise: Promise<unknown>, reason: string): Promise<void> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(ExtensionFailure);
  expect((error as ExtensionFailure).reason).toBe(reason);
}

async function expectTransient(promise: Promise<unknown>): Promise<void> {
  expect(await rejection(promise)).toBeInstanceOf(ProviderTransientError);
}

/** Sets (or, with undefined, removes) environment variables; returns what puts them back. */
function setEnvironment(variables: Record<string, string | undefined>): () => void {
  const saved = Object.fromEntries(Object.keys(variables).map((name) => [name, process.env[name]]));
  const apply = (values: Record<string, string | undefined>) => {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  apply(variables);
  return () => apply(saved);
}

const NO_AWS_CREDENTIALS = {
  AWS_ACCESS_KEY_ID: undefined,
  AWS_SECRET_ACCESS_KEY: undefined,
  AWS_SESSION_TOKEN: undefined,
  AWS_PROFILE: undefined,
  AWS_ROLE_ARN: undefined,
  AWS_WEB_IDENTITY_TOKEN_FILE: undefined,
  AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined,
  AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined,
  AWS_CONTAINER_AUTHORIZATION_TOKEN: undefined,
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aitags-test/credentials',
  AWS_CONFIG_FILE: '/nonexistent/aitags-test/config',
};

describe('Rekognition adapter against the fake Rekognition', () => {
  let fake: FakeProvider<RekognitionRequestSeen>;
  let restoreEnvironment: () => void;
  const clients: RekognitionClient[] = [];
  const client = (timeoutMs: number) => {
    const created = rekognitionClient(timeoutMs);
    clients.push(created);
    return created;
  };
  let rekognition: RekognitionLabels;
  let red: Buffer;

  beforeAll(async () => {
    fake = await startFakeRekognition();
    // The adapter's factory reads the endpoint and the credentials the standard way, from the environment.
    restoreEnvironment = setEnvironment({
      ...NO_AWS_CREDENTIALS,
      AWS_ENDPOINT_URL_REKOGNITION: fake.url,
      AWS_ACCESS_KEY_ID: 'fake',
      AWS_SECRET_ACCESS_KEY: 'fake',
      AWS_REGION: 'us-east-1',
    });
    rekognition = new RekognitionLabels(client(TIMEOUT_MS));
    red = await solid({ r: 200, g: 30, b: 30 }, 'jpeg');
  });
  beforeEach(() => fake.reset());
  afterAll(async () => {
    for (const created of clients) created.destroy();
    restoreEnvironment?.();
    await fake?.stop();
  });

  it('returns the labels above the threshold as percentages, the dominant colour among them', async () => {
    const labels = await rekognition.detect(bytesOf(red), 80);

    // With Rekognition's aliases and categories, for the tag policy's lists.
    const pets = ['Animals and Pets'];
    expect(labels).toEqual([
      { name: 'Animal', confidence: 99.1, aliases: [], categories: pets },
      { name: 'Cat', confidence: 97.43, aliases: ['Kitty'], categories: pets },
      { name: 'Pet', confidence: 95.2, aliases: [], categories: pets },
      { name: 'Mammal', confidence: 93, aliases: [], categories: pets },
      { name: 'Red', confidence: 88.8, aliases: [], categories: ['Colors and Visual Composition'] },
    ]);
    expect(fake.requests).toEqual([
      {
        target: 'RekognitionService.DetectLabels',
        accessKeyId: 'fake',
        credentialScope: 'us-east-1/rekognition',
        image: { byteLength: red.length, format: 'jpeg', width: 120, height: 90 },
        minConfidence: 79.99,
        maxLabels: 1000,
        status: 200,
      },
    ]);
  });

  it('names a different dominant colour for a different image', async () => {
    const labels = await rekognition.detect(bytesOf(await solid({ r: 20, g: 40, b: 220 }, 'png', 120, 80)), 85);

    expect(labels.map((label) => label.name)).toEqual(['Animal', 'Cat', 'Pet', 'Mammal', 'Blue']);
    expect(fake.requests[0]?.image).toEqual({ byteLength: expect.any(Number), format: 'png', width: 120, height: 80 });
  });

  it('answers the configured labels, highest first', async () => {
    fake.behave({
      labels: [
        { name: 'Sunset', confidence: 64.5 },
        { name: 'Beach', confidence: 91.25 },
        { name: 'Sky', confidence: 12 },
      ],
    });

    expect(await rekognition.detect(bytesOf(red), 50)).toEqual([
      { name: 'Beach', confidence: 91.25, aliases: [], categories: [] },
      { name: 'Sunset', confidence: 64.5, aliases: [], categories: [] },
    ]);
  });

  it('keeps the highest MaxLabels labels and defaults MinConfidence to 55, like the service', async () => {
    const sdk = client(TIMEOUT_MS);

    const two = await sdk.send(new DetectLabelsCommand({ Image: { Bytes: red }, MaxLabels: 2 }));
    const all = await sdk.send(new DetectLabelsCommand({ Image: { Bytes: red } }));

    expect(two.Labels?.map((label) => label.Name)).toEqual(['Animal', 'Cat']);
    expect(two.LabelModelVersion).toBe('3.0');
    expect(all.Labels?.map((label) => label.Name)).toEqual(['Animal', 'Cat', 'Pet', 'Mammal', 'Red', 'Kitten', 'Indoors']);
    expect(all.Labels?.[1]).toEqual({
      Name: 'Cat',
      Confidence: 97.43,
      Instances: [],
      Parents: [],
      Aliases: [{ Name: 'Kitty' }],
      Categories: [{ Name: 'Animals and Pets' }],
    });
  });

  it('retries one server error itself (the client allows 2 attempts) and returns the labels', async () => {
    fake.behave({ failures: ['server-error'] });

    expect(await rekognition.detect(bytesOf(red), 95)).toHaveLength(3);
    expect(fake.requests.map((request) => request.error ?? request.status)).toEqual(['InternalServerError', 200]);
  });

  it('reports throttling at once as a throttled fault, leaving the retry to the state machine', async () => {
    fake.behave({ failures: ['throttle', 'throttle'] });

    expect(await rejection(rekognition.detect(bytesOf(red), 80))).toBeInstanceOf(ProviderThrottledError);
    expect(fake.requests).toHaveLength(1);
  });

  it('reports repeated server errors as a transient fault', async () => {
    fake.behave({ failures: ['server-error', 'server-error'] });

    await expectTransient(rekognition.detect(bytesOf(red), 80));
    expect(fake.requests.map((request) => request.status)).toEqual([500, 500]);
  });

  // Guards rekognition.ts: `requestTimeout` only logs a warning in @smithy/node-http-handler 4.x
  // unless `throwOnRequestTimeout: true` is set; without it this call never ends.
  it(
    'reports a provider that never answers as a transient fault once the timeout passes',
    async () => {
      fake.behave({ failures: ['hang', 'hang'] });
      const startedAt = performance.now();

      await expectTransient(new RekognitionLabels(client(SHORT_TIMEOUT_MS)).detect(bytesOf(red), 80));
      expect(performance.now() - startedAt).toBeLessThan(HANG_TEST_MS);
      expect(fake.requests).toHaveLength(2);
    },
    HANG_TEST_MS,
  );

  it('reports an image the provider refuses as a final UNSUPPORTED_IMAGE failure, without retrying', async () => {
    fake.behave({ failures: ['bad-image'] });

    await expectExtensionFailure(rekognition.detect(bytesOf(red), 80), 'UNSUPPORTED_IMAGE');
    expect(fake.requests).toHaveLength(1);
  });

  it('refuses bytes that are no image, and images other than JPEG and PNG, as UNSUPPORTED_IMAGE', async () => {
    await expectExtensionFailure(rekognition.detect(notAnImage, 80), 'UNSUPPORTED_IMAGE');
    await expectExtensionFailure(rekognition.detect(bytesOf(await solid({ r: 10, g: 200, b: 10 }, 'webp')), 80), 'UNSUPPORTED_IMAGE');
    expect(fake.requests.map((request) => request.error)).toEqual(['InvalidImageFormatException', 'InvalidImageFormatException']);
    expect(fake.requests[1]?.image).toMatchObject({ format: 'webp' });
  });

  it('refuses a side over 10,000 px or under 80 px with the errors the service answers, and takes 80 and 10,000', async () => {
    const grey = { r: 128, g: 128, b: 128 };

    await expectExtensionFailure(rekognition.detect(bytesOf(await solid(grey, 'jpeg', 10_001, 80)), 80), 'UNSUPPORTED_IMAGE');
    await expectExtensionFailure(rekognition.detect(bytesOf(await solid(grey, 'png', 120, 79)), 80), 'PROVIDER_ERROR');
    await expectExtensionFailure(rekognition.detect(bytesOf(await solid(grey, 'jpeg', 64, 48)), 80), 'PROVIDER_ERROR');
    expect(await rekognition.detect(bytesOf(await solid(grey, 'png', 80, 10_000)), 80)).not.toHaveLength(0);
    expect(fake.requests.map((request) => [request.status, request.error])).toEqual([
      [400, 'ImageTooLargeException'],
      [400, 'InvalidParameterException'],
      [400, 'InvalidParameterException'],
      [200, undefined],
    ]);
  });

  it('reports credentials the provider rejects as a final MISSING_CREDENTIALS failure', async () => {
    fake.behave({ failures: ['unauthenticated'] });

    await expectExtensionFailure(rekognition.detect(bytesOf(red), 80), 'MISSING_CREDENTIALS');
    expect(fake.requests.map((request) => request.error)).toEqual(['UnrecognizedClientException']);
  });

  it('fails fast with MISSING_CREDENTIALS when no credentials are configured anywhere', async () => {
    const restore = setEnvironment(NO_AWS_CREDENTIALS);
    try {
      const startedAt = performance.now();

      await expectExtensionFailure(new RekognitionLabels(client(TIMEOUT_MS)).detect(bytesOf(red), 80), 'MISSING_CREDENTIALS');
      expect(performance.now() - startedAt).toBeLessThan(5_000);
      expect(fake.requests).toHaveLength(0);
    } finally {
      restore();
    }
  });

  it('answers no sooner than the configured latency', async () => {
    fake.behave({ latencyMs: LATENCY_MS });
    const startedAt = performance.now();

    await rekognition.detect(bytesOf(red), 80);

    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(LATENCY_MS);
  });
});

describe('Vision adapter against the fake Vision', () => {
  let fake: FakeProvider<VisionRequestSeen>;
  let red: Buffer;
  const settings =
    (timeoutMs: number, credentials: VisionSettings['credentials'] = { kind: 'api-key', apiKey: 'k' }) =>
    async (): Promise<VisionSettings> => ({ endpoint: fake.url, credentials, timeoutMs });
  let vision: VisionLabels;

  beforeAll(async () => {
    fake = await startFakeVision();
    vision = new VisionLabels(settings(TIMEOUT_MS));
    red = await solid({ r: 200, g: 30, b: 30 }, 'jpeg');
  });
  beforeEach(() => fake.reset());
  afterAll(async () => {
    await fake?.stop();
  });

  it('returns every label with its score as a percentage, the dominant colour among them', async () => {
    const labels = await vision.detect(bytesOf(red), 80);

    expect(rounded(labels)).toEqual([
      { name: 'Animal', confidence: 99.1 },
      { name: 'Cat', confidence: 97.43 },
      { name: 'Pet', confidence: 95.2 },
      { name: 'Mammal', confidence: 93 },
      { name: 'Red', confidence: 88.8 },
      { name: 'Kitten', confidence: 71.64 },
      { name: 'Indoors', confidence: 58.2 },
      { name: 'Toy', confidence: 41.5 },
    ]);
    expect(fake.requests).toEqual([
      {
        path: '/v1/images:annotate',
        apiKey: 'k',
        bearerToken: false,
        images: [
          { image: { byteLength: red.length, format: 'jpeg', width: 120, height: 90 }, features: [{ type: 'LABEL_DETECTION', maxResults: 100 }] },
        ],
        status: 200,
      },
    ]);
  });

  it('names a different dominant colour for a different image', async () => {
    const labels = await vision.detect(bytesOf(await solid({ r: 10, g: 200, b: 10 }, 'webp')), 0);

    expect(labels.map((label) => label.name)).toContain('Green');
    expect(labels.map((label) => label.name)).not.toContain('Red');
  });

  it('answers the configured labels, highest first', async () => {
    fake.behave({
      labels: [
        { name: 'Sunset', confidence: 64.5 },
        { name: 'Beach', confidence: 91.25 },
      ],
    });

    expect(rounded(await vision.detect(bytesOf(red), 50))).toEqual([
      { name: 'Beach', confidence: 91.25 },
      { name: 'Sunset', confidence: 64.5 },
    ]);
  });

  it('keeps the highest maxResults labels, whether the feature type is sent as a number or a name', async () => {
    const url = new URL(fake.url);
    // A project id, as the adapter gives it: without one the client looks it up on Google's metadata server (169.254.169.254).
    const sdk = new ImageAnnotatorClient({
      fallback: true,
      apiEndpoint: url.hostname,
      port: Number(url.port),
      protocol: 'http',
      apiKey: 'k',
      projectId: 'fake',
    });
    try {
      const [result] = await sdk.batchAnnotateImages({
        requests: [{ image: { content: red.toString('base64') }, features: [{ type: 'LABEL_DETECTION', maxResults: 3 }] }],
      });
      expect(result.responses?.[0]?.labelAnnotations?.map((label) => label.description)).toEqual(['Animal', 'Cat', 'Pet']);
    } finally {
      await sdk.close();
    }

    const response = await fetch(`${fake.url}/v1/images:annotate?key=query-key`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ requests: [{ image: { content: red.toString('base64') }, features: [{ type: 'LABEL_DETECTION', maxResults: 2 }] }] }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      responses: [
        {
          labelAnnotations: [
            { mid: '/m/fake_animal', description: 'Animal', score: 0.991, topicality: 0.991 },
            { mid: '/m/fake_cat', description: 'Cat', score: 0.9743, topicality: 0.9743 },
          ],
        },
      ],
    });
    expect(fake.requests.map((request) => [request.apiKey, request.images[0]?.features])).toEqual([
      ['k', [{ type: 'LABEL_DETECTION', maxResults: 3 }]],
      ['query-key', [{ type: 'LABEL_DETECTION', maxResults: 2 }]],
    ]);
  });

  // Guards classifyVisionError: over REST, gax 5 rejects with a GaxiosError whose `code`
  // is the HTTP status (429, 503, 400, 401), not a gRPC code.
  it('reports throttling as a throttled fault', async () => {
    fake.behave({ failures: ['throttle'] });

    expect(await rejection(vision.detect(bytesOf(red), 80))).toBeInstanceOf(ProviderThrottledError);
    expect(fake.requests.map((request) => request.error)).toEqual(['RESOURCE_EXHAUSTED']);
  });

  it('reports a server error as a transient fault', async () => {
    fake.behave({ failures: ['server-error'] });

    await expectTransient(vision.detect(bytesOf(red), 80));
    expect(fake.requests.map((request) => request.error)).toEqual(['UNAVAILABLE']);
  });

  it('reports an image the provider refuses as a final UNSUPPORTED_IMAGE failure', async () => {
    fake.behave({ failures: ['bad-image'] });

    await expectExtensionFailure(vision.detect(bytesOf(red), 80), 'UNSUPPORTED_IMAGE');
  });

  it('reports credentials the provider rejects as a final MISSING_CREDENTIALS failure', async () => {
    fake.behave({ failures: ['unauthenticated'] });

    await expectExtensionFailure(vision.detect(bytesOf(red), 80), 'MISSING_CREDENTIALS');
  });

  // Guards vision.ts: the REST transport of gax 5 ignores the call's `timeout`; without a
  // transport timeout this call never ends.
  it(
    'reports a provider that never answers as a transient fault once the timeout passes',
    async () => {
      fake.behave({ failures: ['hang'] });
      const startedAt = performance.now();

      await expectTransient(new VisionLabels(settings(SHORT_TIMEOUT_MS)).detect(bytesOf(red), 80));
      expect(performance.now() - startedAt).toBeLessThan(HANG_TEST_MS);
    },
    HANG_TEST_MS,
  );

  it('reports bytes that are no image (a per-image error inside a 200) as UNSUPPORTED_IMAGE', async () => {
    await expectExtensionFailure(vision.detect(notAnImage, 80), 'UNSUPPORTED_IMAGE');
    expect(fake.requests.map((request) => [request.status, request.error])).toEqual([[200, 'INVALID_ARGUMENT']]);
  });

  it('fails with MISSING_CREDENTIALS before sending anything when no credentials are configured', async () => {
    await expectExtensionFailure(new VisionLabels(settings(TIMEOUT_MS, { kind: 'none' })).detect(bytesOf(red), 80), 'MISSING_CREDENTIALS');
    expect(fake.requests).toHaveLength(0);
  });

  it('answers no sooner than the configured latency', async () => {
    fake.behave({ latencyMs: LATENCY_MS });
    const startedAt = performance.now();

    await vision.detect(bytesOf(red), 80);

    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(LATENCY_MS);
  });
});

describe('fake provider lifecycle', () => {
  let fake: FakeProvider<RekognitionRequestSeen> | undefined;
  afterEach(async () => {
    await fake?.stop();
  });

  it('stop() closes a connection it left hanging, promptly', async () => {
    fake = await startFakeRekognition({ failures: ['hang'] });
    const hung = fetch(fake.url, {
      method: 'POST',
      headers: {
        'x-amz-target': 'RekognitionService.DetectLabels',
        authorization: 'AWS4-HMAC-SHA256 Credential=k/20250101/us-east-1/rekognition/aws4_request',
      },
      body: '{}',
    }).then(
      () => 'answered',
      () => 'closed',
    );
    await expect.poll(() => fake?.requests.length).toBe(1);
    const startedAt = performance.now();

    await fake.stop();

    expect(await hung).toBe('closed');
    expect(performance.now() - startedAt).toBeLessThan(1_000);
  });

  it('reset() forgets the requests and returns to the behaviour it was started with', async () => {
    fake = await startFakeRekognition({ labels: [{ name: 'Start', confidence: 90 }] });
    const ask = () =>
      fetch(fake?.url ?? '', {
        method: 'POST',
        headers: {
          'x-amz-target': 'RekognitionService.DetectLabels',
          authorization: 'AWS4-HMAC-SHA256 Credential=k/20250101/us-east-1/rekognition/aws4_request',
        },
        body: JSON.stringify({ Image: { Bytes: red.toString('base64') } }),
      }).then(async (response) => ((await response.json()) as { Labels: Array<{ Name: string }> }).Labels.map((label) => label.Name));
    const red = await solid({ r: 200, g: 30, b: 30 }, 'jpeg');
    fake.behave({ labels: [{ name: 'Changed', confidence: 90 }] });
    expect(await ask()).toEqual(['Changed']);

    fake.reset();

    expect(fake.requests).toHaveLength(0);
    expect(await ask()).toEqual(['Start']);
  });
});
