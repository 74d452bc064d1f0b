import { randomBytes, randomUUID } from 'node:crypto';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, S3Event } from 'aws-lambda';
import sharp from 'sharp';
import type { FloorEvent } from './floors.js';
import { type ColdRun, coldRun } from './measure.js';
import { DEPLOYED_VALUES } from './synthesized-functions.js';

/** One first invocation: the event, and how to tell the handler did its job rather than fail fast. */
export interface Invocation {
  event: unknown;
  /** A problem with the handler's result, or undefined. */
  check(result: unknown): string | undefined;
  /** Checked after the process has exited: a problem, or undefined. */
  verify?: () => Promise<string | undefined>;
}

export interface Fixture {
  bucket: string;
  table: string;
  privateKey: string;
  jpeg: Buffer;
  webhookUrl: string;
  s3: S3Client;
  documents: DynamoDBDocumentClient;
  /** The built upload bundle, with an environment for seeding (sync window 0, loopback webhooks allowed). */
  uploadRun: Omit<ColdRun, 'events'>;
  scratchDir: string;
}

const AWS_EXTENSION = { name: 'aws-auto-tagging', minConfidence: 50, maxTags: 10 } as const;
const GOOGLE_EXTENSION = { name: 'google-auto-tagging', minConfidence: 50, maxTags: 10 } as const;

/** A small JPEG (sharp, from the repo): decodable by sharp and by both provider fakes. */
export async function smallJpeg(): Promise<Buffer> {
  const width = 160;
  const height = 120;
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const at = (y * width + x) * 3;
      pixels[at] = Math.round((x / width) * 200 + 30);
      pixels[at + 1] = Math.round((y / height) * 160 + 60);
      pixels[at + 2] = 90;
    }
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 80 })
    .toBuffer();
}

// ---------------------------------------------------------------------------------------------------
// Seeding: files stored by the built upload bundle, so nothing here depends on the source modules.

interface SeedRequest {
  isPrivateFile: boolean;
  extensions: ReadonlyArray<typeof AWS_EXTENSION | typeof GOOGLE_EXTENSION>;
  webhook: boolean;
  /** The upload's `folder` (default `/`). */
  folder?: string;
}

interface SeededFile {
  fileId: string;
  /** The run each extension was started in, read back from the table (empty if its layout changed). */
  runs: Record<string, string>;
  /** Webhook events the upload promised (it was told `pending` with a webhookUrl). */
  pendingWebhooks: Array<{ eventId: string; runId: string; url: string }>;
}

async function seedFiles(fixture: Fixture, requests: readonly SeedRequest[]): Promise<SeededFile[]> {
  if (requests.length === 0) return [];
  const events = await Promise.all(
    requests.map((request) =>
      uploadEvent(fixture, {
        fileName: 'seed.jpg',
        isPrivateFile: String(request.isPrivateFile),
        ...(request.extensions.length > 0 && { extensions: JSON.stringify(request.extensions) }),
        ...(request.webhook && { webhookUrl: fixture.webhookUrl }),
        ...(request.folder && { folder: request.folder }),
      }),
    ),
  );
  const { results } = await coldRun({ ...fixture.uploadRun, events }, fixture.scratchDir);
  return Promise.all(
    results.map(async (result, index) => {
      const body = apiBody(result, 200);
      if (typeof body === 'string') throw new Error(`seeding upload ${index} failed: ${body}`);
      const fileId = String(body.fileId);
      return { fileId, ...(await readBack(fixture, fileId)) };
    }),
  );
}

/** Run ids and promised webhooks from the stored record: what a state machine would hand its tasks. */
async function readBack(fixture: Fixture, fileId: string): Promise<Omit<SeededFile, 'fileId'>> {
  const { Item } = await fixture.documents.send(new GetCommand({ TableName: fixture.table, Key: { pk: `file#${fileId}` }, ConsistentRead: true }));
  const runs = (Item?.extensionRuns ?? {}) as Record<string, string>;
  const pending = (Item?.pendingWebhooks ?? {}) as Record<string, { runId?: string; url?: string }>;
  return {
    runs,
    pendingWebhooks: Object.entries(pending).map(([eventId, mark]) => ({ eventId, runId: String(mark.runId), url: String(mark.url) })),
  };
}

// ---------------------------------------------------------------------------------------------------
// Events, as API Gateway (HTTP API, payload 2.0), the state machine and S3 send them

function apiEvent(
  method: string,
  path: string,
  route: string | undefined,
  headers: Record<string, string>,
  body?: { text: string } | { binary: Buffer },
): APIGatewayProxyEventV2 {
  const now = new Date();
  const routeKey = route ? `${method} ${route}` : '$default';
  const pathParameters = route ? routeParameters(route, path) : undefined;
  const allHeaders: Record<string, string> = {
    host: 'abcdef1234.execute-api.us-east-1.amazonaws.com',
    'user-agent': 'aitags-cold-start-bench',
    ...headers,
    ...(body && { 'content-length': String('text' in body ? Buffer.byteLength(body.text) : body.binary.length) }),
  };
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: '',
    headers: allHeaders,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abcdef1234',
      domainName: 'abcdef1234.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'abcdef1234',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'aitags-cold-start-bench' },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(pathParameters && { pathParameters }),
    ...(body && { body: 'text' in body ? body.text : body.binary.toString('base64') }),
    isBase64Encoded: body !== undefined && 'binary' in body,
  };
}

function routeParameters(route: string, path: string): Record<string, string> | undefined {
  const names = route.split('/');
  const values = path.split('/');
  const parameters = Object.fromEntries(
    names.flatMap((name, index) => (name.startsWith('{') ? [[name.slice(1, -1), decodeURIComponent(values[index] ?? '')]] : [])),
  );
  return Object.keys(parameters).length ? parameters : undefined;
}

const basicAuth = (fixture: Fixture) => `Basic ${Buffer.from(`${fixture.privateKey}:`).toString('base64')}`;

async function uploadEvent(fixture: Fixture, fields: Record<string, string>): Promise<APIGatewayProxyEventV2> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(fixture.jpeg)], { type: 'image/jpeg' }), 'photo.jpg');
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  const request = new Request('https://api.example/api/v1/files/upload', { method: 'POST', body: form });
  const binary = Buffer.from(await request.arrayBuffer());
  return apiEvent(
    'POST',
    '/api/v1/files/upload',
    '/api/v1/files/upload',
    { authorization: basicAuth(fixture), 'content-type': request.headers.get('content-type') ?? '' },
    { binary },
  );
}

const jsonEvent = (fixture: Fixture, method: string, path: string, route: string, body: unknown) =>
  apiEvent(method, path, route, { authorization: basicAuth(fixture), 'content-type': 'application/json' }, { text: JSON.stringify(body) });

/** A GET with a query string, which API Gateway hands over both raw and parsed. */
function queryEvent(fixture: Fixture, path: string, query: Record<string, string>): APIGatewayProxyEventV2 {
  const event = apiEvent('GET', path, path, { authorization: basicAuth(fixture) });
  return { ...event, rawQueryString: new URLSearchParams(query).toString(), queryStringParameters: query };
}

/** The parsed JSON body of an API answer with `status`, or a sentence saying what came instead. */
function apiBody(result: unknown, status: number): Record<string, unknown> | string {
  const answer = result as { statusCode?: unknown; body?: unknown } | undefined;
  const text = typeof answer?.body === 'string' ? answer.body : '';
  if (answer?.statusCode !== status) return `expected HTTP ${status}, got ${String(answer?.statusCode)}: ${text.slice(0, 400)}`;
  try {
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    return `HTTP ${status} with a body that is not JSON: ${text.slice(0, 200)}`;
  }
}

const expectStatus = (status: number) => (result: unknown) => {
  const body = apiBody(result, status);
  return typeof body === 'string' ? body : undefined;
};

/** HTTP 200 with the page's HTML document (apiBody would take it for a broken JSON body). */
function expectPageDocument(result: unknown): string | undefined {
  const answer = result as { statusCode?: unknown; headers?: Record<string, unknown>; body?: unknown } | undefined;
  const text = typeof answer?.body === 'string' ? answer.body : '';
  if (answer?.statusCode !== 200) return `expected HTTP 200, got ${String(answer?.statusCode)}: ${text.slice(0, 400)}`;
  const type = String(answer.headers?.['content-type'] ?? '');
  return type.startsWith('text/html') && /^<!doctype html>/i.test(text.trimStart())
    ? undefined
    : `HTTP 200 with ${type || 'no content-type'}, not the page: ${text.slice(0, 200)}`;
}

/** HTTP 200 whose `field` names `fileId`: a bulk operation that reached the file, not one that answered early. */
const expectFileIdIn = (field: string, fileId: string) => (result: unknown) => {
  const body = apiBody(result, 200);
  if (typeof body === 'string') return body;
  const fileIds = body[field];
  return Array.isArray(fileIds) && fileIds.includes(fileId) ? undefined : `${field} is ${JSON.stringify(fileIds)}, without ${fileId}`;
};

/** HTTP 200 with at least one file listed: the walk reached the index and the records. */
function expectFilesListed(result: unknown): string | undefined {
  const body = apiBody(result, 200);
  if (typeof body === 'string') return body;
  return Array.isArray(body) && body.length > 0 ? undefined : `listed no files: ${JSON.stringify(body).slice(0, 200)}`;
}

function taskEvent(file: SeededFile, extension: typeof AWS_EXTENSION | typeof GOOGLE_EXTENSION) {
  return { fileId: file.fileId, runId: file.runs[extension.name] ?? randomUUID(), extension };
}

/** A tagger's own write landing, or being dropped as superseded, are both a first call that did its job. */
function expectTaggerOutcome(result: unknown): string | undefined {
  const outcome = result as { status?: unknown; error?: { reason?: unknown } } | undefined;
  if (outcome?.status === 'success' || outcome?.error?.reason === 'SUPERSEDED') return undefined;
  return `tagger did not reach its provider: ${JSON.stringify(result).slice(0, 400)}`;
}

function s3Event(bucket: string, key: string, size: number, eTag: string): S3Event {
  return {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: 'us-east-1',
        eventTime: new Date().toISOString(),
        eventName: 'ObjectCreated:Put',
        userIdentity: { principalId: 'AWS:AIDAEXAMPLE' },
        requestParameters: { sourceIPAddress: '203.0.113.7' },
        responseElements: {
          'x-amz-request-id': 'C3D13FE58DE4C810',
          'x-amz-id-2': 'FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD',
        },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: 'cold-start',
          bucket: { name: bucket, ownerIdentity: { principalId: 'A3NL1KOZZKExample' }, arn: `arn:aws:s3:::${bucket}` },
          // Keys in S3 events are URL-encoded with + for spaces; these keys need no encoding.
          object: { key, size, eTag, sequencer: Date.now().toString(16).toUpperCase().padStart(18, '0') },
        },
      },
    ],
  };
}

// ---------------------------------------------------------------------------------------------------
// Tagging jobs: what POST /v1/tagging-jobs and the job's earlier steps would have stored, written directly
// (the bench holds no built bundle to seed jobs with, as it holds the upload's for files). The keys are
// literal because this file imports nothing from functions/: they are those of functions/adapters/job-table.ts
// (`job#<jobId>`, listed under ipk `jobs` / isk `<createdAt>#<jobId>`; `job#<jobId>#progress#<n>` counting
// files n*1000 … once each in its `counted` set) and functions/core/job-steps.ts (`jobs/manifests/<jobId>.json`).
// Change them with those.

/** The folder whose one image the planned jobs select (an index lookup, as a `path` job plans). */
const JOB_FOLDER = '/cold-start-jobs/';
/** Files a second for AWS_EXTENSION alone: 80 % of Rekognition's default 5 TPS (the template's quota). */
const JOB_RATE = 4;

const newJobId = () => `job_${randomBytes(12).toString('hex')}`;
const jobKey = (jobId: string) => ({ pk: `job#${jobId}` });
const progressKey = (jobId: string, shard: number) => ({ pk: `job#${jobId}#progress#${shard}` });
const jobManifestKey = (jobId: string) => `jobs/manifests/${jobId}.json`;
const jobExecutionArn = (jobId: string) => `${DEPLOYED_VALUES.AITAGS_JOB_STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${jobId}`;

type JobStage = 'planning' | 'running' | 'succeeded';

/**
 * A job of AWS_EXTENSION as it stands at `stage`: created by POST (its execution started), planned (total
 * 2, manifest written, both files counted as succeeded), or ended. Answers its jobId.
 */
async function writeJob(fixture: Fixture, stage: JobStage, fields: { path?: string; webhookUrl?: string } = {}): Promise<string> {
  const jobId = newJobId();
  const createdAt = new Date(Date.now() - 60_000).toISOString();
  const total = 2;
  const counts = { done: total, succeeded: total, failed: 0, skipped: 0 };
  const planned = { total, estimatedProviderCostUsd: 0.002, manifestKey: jobManifestKey(jobId), startedAtMs: Date.now() - 30_000, rate: JOB_RATE };
  const job = {
    jobId,
    status: stage,
    total: null,
    done: 0,
    succeeded: 0,
    failed: 0,
    skipped: 0,
    createdAt,
    finishedAt: null,
    estimatedProviderCostUsd: null,
    extensions: [AWS_EXTENSION],
    removeAITags: false,
    dryRun: false,
    ...fields,
    executionArn: jobExecutionArn(jobId),
    ...(stage !== 'planning' && planned),
    // A running job's counts are its progress items'; Finish writes their sum onto the job.
    ...(stage === 'succeeded' && { ...counts, finishedAt: new Date().toISOString() }),
  };
  await fixture.documents.send(
    new PutCommand({ TableName: fixture.table, Item: { ...jobKey(jobId), ...job, ipk: 'jobs', isk: `${createdAt}#${jobId}` } }),
  );
  if (stage === 'running') {
    const progress = { ...progressKey(jobId, 0), counted: new Set([0, 1]), done: total, succeeded: total };
    await fixture.documents.send(new PutCommand({ TableName: fixture.table, Item: progress }));
  }
  return jobId;
}

async function readItem(fixture: Fixture, key: { pk: string }): Promise<Record<string, unknown> | undefined> {
  const { Item } = await fixture.documents.send(new GetCommand({ TableName: fixture.table, Key: key, ConsistentRead: true }));
  return Item;
}

/** The job's fields `expected` hold in the table, or a sentence saying which do not. */
async function jobProblem(fixture: Fixture, jobId: string, expected: Record<string, unknown>): Promise<string | undefined> {
  const item = await readItem(fixture, jobKey(jobId));
  if (!item) return `job ${jobId} is not in the table`;
  const wrong = Object.entries(expected).filter(([field, value]) => item[field] !== value);
  return wrong.length
    ? `job ${jobId} has ${wrong.map(([field, value]) => `${field} ${JSON.stringify(item[field])} (expected ${JSON.stringify(value)})`).join(', ')}`
    : undefined;
}

/** What a task answered, for its check. */
const taskResult = (result: unknown) => (result ?? {}) as Record<string, unknown>;
const unexpected = (what: string, result: unknown) => `${what}: ${JSON.stringify(result).slice(0, 400)}`;

// ---------------------------------------------------------------------------------------------------
// Per function: what to seed, and the event of each measured process

interface EventSpec {
  /** Files the function's events need: one shared by every process (reads), or one per process (writes). */
  seed?: SeedRequest & { shared?: boolean };
  build(fixture: Fixture, file: SeededFile | undefined, index: number): Promise<Invocation>;
}

function seeded(file: SeededFile | undefined): SeededFile {
  if (!file) throw new Error('this event needs a seeded file');
  return file;
}

const EVENTS: Readonly<Record<string, EventSpec>> = {
  upload: {
    build: async (fixture) => ({
      event: await uploadEvent(fixture, { fileName: 'cold-start.jpg', extensions: JSON.stringify([AWS_EXTENSION]) }),
      check: expectStatus(200),
    }),
  },
  'upload-url': {
    build: async (fixture) => ({
      event: jsonEvent(fixture, 'POST', '/api/v1/files/upload-url', '/api/v1/files/upload-url', {
        fileName: 'cold-start-direct.jpg',
        size: fixture.jpeg.length,
        contentType: 'image/jpeg',
      }),
      check: expectStatus(200),
    }),
  },
  'get-details': {
    seed: { isPrivateFile: true, extensions: [], webhook: false, shared: true },
    build: async (fixture, file) => {
      const path = `/v1/files/${seeded(file).fileId}/details`;
      return { event: apiEvent('GET', path, '/v1/files/{fileId}/details', { authorization: basicAuth(fixture) }), check: expectStatus(200) };
    },
  },
  'update-details': {
    seed: { isPrivateFile: true, extensions: [], webhook: false },
    build: async (fixture, file) => ({
      event: jsonEvent(fixture, 'PATCH', `/v1/files/${seeded(file).fileId}/details`, '/v1/files/{fileId}/details', {
        tags: ['cold-start'],
        extensions: [AWS_EXTENSION],
      }),
      check: expectStatus(200),
    }),
  },
  'delete-file': {
    seed: { isPrivateFile: false, extensions: [], webhook: false },
    build: async (fixture, file) => ({
      event: apiEvent('DELETE', `/v1/files/${seeded(file).fileId}`, '/v1/files/{fileId}', { authorization: basicAuth(fixture) }),
      check: expectStatus(204),
    }),
  },
  'list-files': {
    // A private file: its listing presigns a URL, as get-details does. No searchQuery: ImageKit's plain list.
    seed: { isPrivateFile: true, extensions: [], webhook: false, shared: true },
    build: async (fixture) => ({ event: queryEvent(fixture, '/v1/files', { limit: '10' }), check: expectFilesListed }),
  },
  'bulk-tags': {
    seed: { isPrivateFile: false, extensions: [], webhook: false },
    build: async (fixture, file) => {
      const { fileId } = seeded(file);
      return {
        event: jsonEvent(fixture, 'POST', '/v1/files/addTags', '/v1/files/addTags', { fileIds: [fileId], tags: ['cold-start'] }),
        check: expectFileIdIn('successfullyUpdatedFileIds', fileId),
      };
    },
  },
  'delete-files': {
    seed: { isPrivateFile: false, extensions: [], webhook: false },
    build: async (fixture, file) => {
      const { fileId } = seeded(file);
      return {
        event: jsonEvent(fixture, 'POST', '/v1/files/batch/deleteByFileIds', '/v1/files/batch/deleteByFileIds', { fileIds: [fileId] }),
        check: expectFileIdIn('successfullyDeletedFileIds', fileId),
      };
    },
  },
  'route-not-found': {
    build: async () => ({ event: apiEvent('GET', '/v1/cold-start/nowhere', undefined, {}), check: expectStatus(404) }),
  },
  'get-status': {
    build: async (fixture) => ({
      event: apiEvent('GET', '/v1/status', '/v1/status', { authorization: basicAuth(fixture) }),
      check: expectStatus(200),
    }),
  },
  'serve-page': {
    build: async () => ({ event: apiEvent('GET', '/', '/', {}), check: expectPageDocument }),
  },
  'on-object-created': {
    build: async (fixture, _file, index) => {
      const key = `ingest/cold-start/photo-${index}-${Date.now()}.jpg`;
      const put = await fixture.s3.send(new PutObjectCommand({ Bucket: fixture.bucket, Key: key, Body: fixture.jpeg, ContentType: 'image/jpeg' }));
      return {
        event: s3Event(fixture.bucket, key, fixture.jpeg.length, (put.ETag ?? '').replace(/"/g, '')),
        check: () => undefined,
        verify: async () => {
          try {
            await fixture.s3.send(new HeadObjectCommand({ Bucket: fixture.bucket, Key: key }));
            return `${key} is still in the inbox: the object was not stored as a file`;
          } catch (error) {
            return (error as { name?: string }).name === 'NotFound' ? undefined : `checking ${key}: ${String(error)}`;
          }
        },
      };
    },
  },
  'tag-with-rekognition': {
    seed: { isPrivateFile: false, extensions: [AWS_EXTENSION], webhook: false },
    build: async (_fixture, file) => ({ event: taskEvent(seeded(file), AWS_EXTENSION), check: expectTaggerOutcome }),
  },
  'tag-with-vision': {
    seed: { isPrivateFile: false, extensions: [GOOGLE_EXTENSION], webhook: false },
    build: async (_fixture, file) => ({ event: taskEvent(seeded(file), GOOGLE_EXTENSION), check: expectTaggerOutcome }),
  },
  'record-extension-failure': {
    seed: { isPrivateFile: false, extensions: [AWS_EXTENSION], webhook: false },
    build: async (_fixture, file) => {
      const cause = { errorType: 'ProviderTransientError', errorMessage: 'Amazon Rekognition: ThrottlingException: Rate exceeded' };
      return {
        event: { ...taskEvent(seeded(file), AWS_EXTENSION), error: { Error: 'ProviderTransientError', Cause: JSON.stringify(cause) } },
        check: (result) =>
          (result as { status?: unknown } | undefined)?.status === 'failed' ? undefined : `unexpected result ${JSON.stringify(result)}`,
      };
    },
  },
  'deliver-webhook': {
    seed: { isPrivateFile: true, extensions: [AWS_EXTENSION], webhook: true },
    build: async (fixture, file) => {
      const promised = seeded(file).pendingWebhooks[0] ?? {
        eventId: `msg_${randomUUID().replace(/-/g, '')}`,
        runId: randomUUID(),
        url: fixture.webhookUrl,
      };
      return {
        event: {
          fileId: seeded(file).fileId,
          runId: promised.runId,
          name: AWS_EXTENSION.name,
          status: 'success',
          tagCount: 3,
          webhook: { url: fixture.webhookUrl, eventId: promised.eventId, attempt: 1, delivered: false, gaveUp: false },
        },
        check: (result) =>
          (result as { webhook?: { delivered?: unknown } } | undefined)?.webhook?.delivered === true
            ? undefined
            : `webhook not delivered: ${JSON.stringify(result).slice(0, 400)}`,
      };
    },
  },
  // POST /v1/tagging-jobs as `npx aitags retag --path … --yes` sends it: the job written, its execution started
  // (the Step Functions fake) and its ARN stored. A fast failure (400, 503 WORKFLOW_UNAVAILABLE) fails the check.
  'tagging-jobs': {
    build: async (fixture) => {
      let jobId = '';
      return {
        event: jsonEvent(fixture, 'POST', '/v1/tagging-jobs', '/v1/tagging-jobs', { path: JOB_FOLDER, extensions: [AWS_EXTENSION] }),
        check: (result) => {
          const body = apiBody(result, 202);
          if (typeof body === 'string') return body;
          if (typeof body.jobId !== 'string' || !/^job_[0-9a-f]{24}$/.test(body.jobId) || body.status !== 'planning') {
            return unexpected('not a job that is planning', body);
          }
          jobId = body.jobId;
          return undefined;
        },
        verify: () => jobProblem(fixture, jobId, { status: 'planning', executionArn: jobExecutionArn(jobId) }),
      };
    },
  },
  // The first step of the job's execution: a job that is planning selects the one image of JOB_FOLDER (an index
  // lookup), writes the manifest and goes running with its total. `tag: false` (nothing selected) fails the check.
  'plan-tagging-job': {
    seed: { isPrivateFile: false, extensions: [], webhook: false, folder: JOB_FOLDER, shared: true },
    build: async (fixture, file) => {
      const { fileId } = seeded(file);
      const jobId = await writeJob(fixture, 'planning', { path: JOB_FOLDER });
      const key = jobManifestKey(jobId);
      return {
        event: { jobId },
        check: (result) => {
          const plan = taskResult(result) as { tag?: unknown; manifest?: { bucket?: unknown; key?: unknown } };
          return plan.tag === true && plan.manifest?.bucket === fixture.bucket && plan.manifest.key === key
            ? undefined
            : unexpected('no manifest planned', result);
        },
        verify: async () => {
          const { Body } = await fixture.s3.send(new GetObjectCommand({ Bucket: fixture.bucket, Key: key }));
          const manifest = JSON.parse((await Body?.transformToString()) ?? '[]') as Array<{ fileId?: unknown }>;
          if (!manifest.some((item) => item.fileId === fileId)) return `manifest ${key} is ${JSON.stringify(manifest)}, without ${fileId}`;
          return jobProblem(fixture, jobId, { status: 'running', total: manifest.length, manifestKey: key });
        },
      };
    },
  },
  // One item of the Distributed Map: a file with no run pending (uploaded without extensions) gets the job's run
  // started on it. A skip (deleted, busy) or a write that did not land fails.
  'start-job-file': {
    seed: { isPrivateFile: false, extensions: [], webhook: false },
    build: async (fixture, file, index) => {
      const { fileId } = seeded(file);
      const jobId = newJobId();
      const runId = `${jobId}-${index}`;
      const event = { jobId, fileId, index, extensions: [AWS_EXTENSION], removeAITags: false, startedAtMs: Date.now(), rate: JOB_RATE };
      return {
        event,
        check: (result) => {
          const started = taskResult(result);
          return started.skip === undefined && started.runId === runId && typeof started.notBefore === 'string'
            ? undefined
            : unexpected('the run was not started', result);
        },
        verify: async () => {
          const record = (await readItem(fixture, { pk: `file#${fileId}` })) as
            | { extensionRuns?: Record<string, unknown>; extensionStatus?: Record<string, unknown> }
            | undefined;
          return record?.extensionRuns?.[AWS_EXTENSION.name] === runId && record.extensionStatus?.[AWS_EXTENSION.name] === 'pending'
            ? undefined
            : unexpected(`file ${fileId} does not hold run ${runId}`, record);
        },
      };
    },
  },
  // The Map item's last step: a file whose extension succeeded is counted once on the job's progress item.
  // (countFile reads no job item, so none is written.) `counted: false` or another outcome fails.
  'count-job-file': {
    build: async (fixture, _file, index) => {
      const jobId = newJobId();
      return {
        event: { jobId, index, fileId: randomBytes(12).toString('hex'), outcomes: [{ status: 'success' }] },
        check: (result) => {
          const count = taskResult(result);
          return count.counted === true && count.outcome === 'succeeded' ? undefined : unexpected('the file was not counted', result);
        },
        verify: async () => {
          const progress = (await readItem(fixture, progressKey(jobId, 0))) as { counted?: Set<number>; succeeded?: unknown } | undefined;
          return progress?.counted?.has(index) && progress.succeeded === 1 ? undefined : unexpected(`progress of ${jobId}`, progress);
        },
      };
    },
  },
  // After the Map: a running job of two files, both counted as succeeded, ends `succeeded` with its counts;
  // it has a webhookUrl, so the step answers that the webhook is owed.
  'finish-tagging-job': {
    build: async (fixture) => {
      const jobId = await writeJob(fixture, 'running', { path: JOB_FOLDER, webhookUrl: fixture.webhookUrl });
      return {
        event: { jobId },
        check: (result) => (taskResult(result).webhook === true ? undefined : unexpected('the job did not end owing its webhook', result)),
        verify: () => jobProblem(fixture, jobId, { status: 'succeeded', done: 2, succeeded: 2, failed: 0 }),
      };
    },
  },
  // The last step: the `tagging-job.completed` webhook of an ended job, signed and delivered to the receiver.
  'deliver-job-webhook': {
    build: async (fixture) => {
      const jobId = await writeJob(fixture, 'succeeded', { path: JOB_FOLDER, webhookUrl: fixture.webhookUrl });
      return {
        event: { jobId },
        check: (result) => (taskResult(result).delivered === true ? undefined : unexpected('job webhook not delivered', result)),
      };
    },
  },
};

/**
 * The events of `runs` measured processes per function, seeding what they need first (one upload-bundle
 * process for all the files). Throws for a function that has no event here.
 */
export async function prepareInvocations(fixture: Fixture, entries: readonly string[], runs: number): Promise<Map<string, Invocation[]>> {
  const requests: Array<{ entry: string; request: SeedRequest }> = [];
  for (const entry of entries) {
    const spec = EVENTS[entry];
    if (!spec) throw new Error(`no first-invocation event for ${entry}: add one to bench/cold-start/events.ts`);
    if (spec.seed) for (let index = 0; index < (spec.seed.shared ? 1 : runs); index++) requests.push({ entry, request: spec.seed });
  }
  const seeded = await seedFiles(
    fixture,
    requests.map((item) => item.request),
  );
  const invocations = new Map<string, Invocation[]>();
  for (const entry of entries) {
    const spec = EVENTS[entry] as EventSpec;
    const files = seeded.filter((_, index) => requests[index]?.entry === entry);
    const list: Invocation[] = [];
    for (let index = 0; index < runs; index++) list.push(await spec.build(fixture, files[spec.seed?.shared ? 0 : index], index));
    invocations.set(entry, list);
  }
  return invocations;
}

/** The probe the floors call: an item and an object the bench writes itself. */
export function floorEvent(fixture: Fixture, stateMachineArn: string, secretId: string): FloorEvent {
  return {
    table: fixture.table,
    itemKey: { pk: 'cold-start#probe' },
    bucket: fixture.bucket,
    objectKey: 'cold-start/probe.jpg',
    stateMachineArn,
    secretId,
    image: fixture.jpeg.toString('base64'),
  };
}

/** Writes the floors' probe item and object. */
export async function writeFloorProbe(fixture: Fixture): Promise<void> {
  await fixture.documents.send(new PutCommand({ TableName: fixture.table, Item: { pk: 'cold-start#probe', note: 'read by the floors' } }));
  await fixture.s3.send(new PutObjectCommand({ Bucket: fixture.bucket, Key: 'cold-start/probe.jpg', Body: fixture.jpeg, ContentType: 'image/jpeg' }));
}

/** A floor's handler made one call with every client it holds. */
export const expectFloorCalls = (count: number) => (result: unknown) => {
  const calls = (result as { calls?: unknown } | undefined)?.calls;
  return Array.isArray(calls) && calls.length === count ? undefined : `floor made ${JSON.stringify(calls)} calls, expected ${count}`;
};

/** A handler's result in a few words: the HTTP status, a task's status, a webhook's delivery, a floor's calls. */
export function outcomeOf(result: unknown): string {
  if (result === undefined || result === null) return 'returned nothing';
  const value = result as {
    statusCode?: unknown;
    status?: unknown;
    tagCount?: unknown;
    error?: { reason?: unknown };
    webhook?: boolean | { delivered?: unknown };
    calls?: unknown;
    tag?: unknown;
    skip?: unknown;
    notBefore?: unknown;
    outcome?: unknown;
    counted?: unknown;
    delivered?: unknown;
  };
  if (typeof value.statusCode === 'number') return `HTTP ${value.statusCode}`;
  if (Array.isArray(value.calls)) return value.calls.length ? `called ${value.calls.join(', ')}` : 'called nothing';
  const webhook = typeof value.webhook === 'object' ? value.webhook : undefined;
  const parts = [
    typeof value.status === 'string' && value.status,
    typeof value.tagCount === 'number' && `${value.tagCount} tags`,
    typeof value.error?.reason === 'string' && value.error.reason,
    webhook?.delivered === true && 'webhook delivered',
    // Tagging-job steps: plan, start, count, finish, deliver.
    typeof value.tag === 'boolean' && (value.tag ? 'manifest written' : 'nothing to tag'),
    typeof value.skip === 'string' ? `skipped (${value.skip})` : typeof value.notBefore === 'string' && 'run started',
    typeof value.outcome === 'string' &&
      `${value.outcome}${value.counted === true ? ', counted' : value.counted === false ? ', counted already' : ''}`,
    typeof value.webhook === 'boolean' && (value.webhook ? 'webhook owed' : 'no webhook'),
    typeof value.delivered === 'boolean' && (value.delivered ? 'job webhook delivered' : 'job webhook not delivered'),
  ].filter(Boolean);
  return parts.length ? parts.join(', ') : JSON.stringify(result).slice(0, 60);
}
