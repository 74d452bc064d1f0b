import { type _Object, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { type AttributeValue, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Answer,
  buildRequest,
  bulkDrafts,
  type Draft,
  describeAnswer,
  describeRequest,
  detailsDrafts,
  everyRouteDrafts,
  type FuzzRequest,
  jobDrafts,
  listDrafts,
  type Live,
  pageDrafts,
  printable,
  rawDrafts,
  send,
  type Targets,
  uploadDrafts,
  uploadUrlDrafts,
} from '../support/fuzz-requests.js';
import { jpeg } from '../support/images.js';
import { blob, upload } from '../support/requests.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';
import { startWebhookReceiver } from '../support/webhook-receiver.js';

/**
 * Random requests to every route (ROUTES in functions/http/routes.ts) and to paths no route has: no answer
 * is a 5xx, the process never throws where nothing catches it, a 4xx is `{message, help}` and stores
 * nothing, and the server answers the next request. Seeded and bounded; a longer run is
 * `AITAGS_FUZZ_RUNS=5000 npx vitest run test/integration/fuzz.test.ts`, another seed `AITAGS_FUZZ_SEED=…`.
 */

const RUNS = Number(process.env.AITAGS_FUZZ_RUNS ?? 60);
const SEED = Number(process.env.AITAGS_FUZZ_SEED ?? 20_261_207);
const MAX_UPLOAD_BYTES = 64 * 1024;
/** Far above any answer's time here; a request that hangs fails at this. */
const ANSWER_TIMEOUT_MS = 10_000;
/** Generous per run: a failure also shrinks, each step one more request. */
const TIMEOUT_MS = 180_000 + RUNS * 1_000;
/** Shrinking stops here and reports what it has, before vitest's timeout would drop the counterexample. */
const SHRINK_DEADLINE_MS = TIMEOUT_MS - 30_000;
/** Enough existing files to aim at; more are deleted between runs, so the table stays small in long runs. */
const MAX_LIVE_FILES = 8;

let stack: TestStack;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
let port: number;
let s3: S3Client;
let dynamo: DynamoDBClient;
let targets: Targets;
const live: Live = {
  fileIds: [],
  jobIds: [],
  filePaths: [],
  auth: '',
  wrongAuth: `Basic ${Buffer.from('not-the-key:').toString('base64')}`,
  image: Buffer.alloc(0),
  maxUploadBytes: MAX_UPLOAD_BYTES,
};

/** Errors nothing in the server caught: on `npm start` each of these would have ended the process. */
const uncaught: unknown[] = [];
const recordUncaught = (error: unknown) => {
  uncaught.push(error);
};

beforeAll(async () => {
  process.on('uncaughtException', recordUncaught);
  process.on('unhandledRejection', recordUncaught);
  receiver = await startWebhookReceiver();
  targets = { webhookUrl: receiver.url };
  stack = await startTestStack({
    AITAGS_SYNC_WINDOW_MS: '200',
    AITAGS_MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES),
    // Webhook retries and job pacing wait in time-lapse, so `idle()` never waits minutes for a retry.
    AITAGS_LOCAL_WAIT_SCALE: '0.001',
  });
  port = Number(new URL(stack.apiUrl).port);
  const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  s3 = new S3Client({ endpoint: stack.s3Endpoint, region: 'us-east-1', forcePathStyle: true, credentials });
  dynamo = new DynamoDBClient({ endpoint: stack.dynamoEndpoint, region: 'us-east-1', credentials });
  live.auth = stack.auth;
  live.image = await jpeg();
  await seedFile('seed-1.jpg');
  await seedFile('seed-2.jpg');
});

afterAll(async () => {
  s3?.destroy();
  dynamo?.destroy();
  await stack?.close();
  await receiver?.stop();
  process.off('uncaughtException', recordUncaught);
  process.off('unhandledRejection', recordUncaught);
});

async function seedFile(fileName: string) {
  const reply = await upload(stack, { file: blob(live.image), fileName, tags: 'summer,beach', customMetadata: '{"brand":"acme","rating":4}' });
  expect(reply.status).toBe(200);
}

interface Snapshot {
  objects: string[];
  items: string[];
}

/** Like stack.snapshot(), but every page: long runs grow past one page of S3 keys or one 1 MB scan. */
async function snapshot(): Promise<Snapshot> {
  const objects: _Object[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: stack.bucket, ContinuationToken: token }));
    objects.push(...(page.Contents ?? []));
    token = page.NextContinuationToken;
  } while (token);
  const items: Array<Record<string, AttributeValue>> = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await dynamo.send(new ScanCommand({ TableName: stack.table, ConsistentRead: true, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return {
    objects: objects.map((object) => `${object.Key} ${object.ETag}`).sort(),
    items: items.map((item) => JSON.stringify(item)).sort(),
  };
}

/** The files and jobs that exist, read from the snapshot: what the next request's references point at. */
function refreshLive(state: Snapshot) {
  const records = state.items.map((item) => unmarshall(JSON.parse(item) as Record<string, AttributeValue>));
  const files = records.filter((record) => typeof record.pk === 'string' && record.pk.startsWith('file#'));
  live.fileIds = files.map((record) => String(record.pk).slice('file#'.length));
  live.filePaths = files.flatMap((record) => (typeof record.filePath === 'string' && !record.isPrivateFile ? [record.filePath.slice(1)] : []));
  live.jobIds = records.flatMap((record) => {
    const match = typeof record.pk === 'string' ? /^job#(job_[0-9a-f]+)$/.exec(record.pk) : null;
    return match?.[1] ? [match[1]] : [];
  });
}

/** Keeps a few files to aim at: uploads one when all are gone, deletes the surplus. */
async function tendLibrary(state: Snapshot): Promise<Snapshot> {
  refreshLive(state);
  if (live.fileIds.length > 0 && live.fileIds.length <= MAX_LIVE_FILES) return state;
  if (live.fileIds.length === 0) await seedFile('reseeded.jpg');
  for (const fileId of live.fileIds.slice(MAX_LIVE_FILES)) {
    const response = await fetch(`${stack.apiUrl}/v1/files/${fileId}`, { method: 'DELETE', headers: { authorization: stack.auth } });
    expect(response.status).toBe(204);
  }
  await stack.idle();
  const tended = await snapshot();
  refreshLive(tended);
  return tended;
}

const isJsonType = (answer: Extract<Answer, { status: number }>) => /^application\/json\b/i.test(answer.headers['content-type'] ?? '');

/** `/files/…` is the CDN's stand-in: its 404 is the CDN's plain text, not the API's JSON. */
function isDelivery(fuzz: FuzzRequest): boolean {
  if (!/^(GET|HEAD)$/i.test(fuzz.method)) return false;
  try {
    return new URL(fuzz.path, 'http://127.0.0.1').pathname.startsWith('/files/');
  } catch {
    return false;
  }
}

/** A request aimed at a JSON route of the API (raw paths may resolve anywhere, `/v1/x/../..` to the page). */
const isApiRoute = (fuzz: FuzzRequest) => !['raw', 'page', 'pageAsset', 'delivery'].includes(fuzz.route) && /^\/(v1|api)\//.test(fuzz.path);

function checkErrorBody(fuzz: FuzzRequest, answer: Extract<Answer, { status: number }>) {
  if (/^HEAD$/i.test(fuzz.method)) return;
  if (isDelivery(fuzz) && answer.status === 404) return;
  expect(isJsonType(answer), 'a 4xx answers JSON').toBe(true);
  const body = JSON.parse(answer.body.toString('utf8')) as unknown;
  expect(body).toMatchObject({ message: expect.stringMatching(/\S/), help: expect.stringMatching(/\S/) });
}

/** One request, and everything that must hold around it. */
async function exchange(draft: Draft): Promise<void> {
  await stack.idle();
  const before = await tendLibrary(await snapshot());
  const fuzz = buildRequest(draft, live);
  const uncaughtBefore = uncaught.length;
  const answer = await send(port, fuzz, ANSWER_TIMEOUT_MS);
  try {
    if ('error' in answer) throw new Error(`the server did not answer: ${answer.error}`);
    // Let anything thrown outside the request (a parser's stream error) surface before judging.
    await new Promise((resolve) => setImmediate(resolve));
    if (uncaught.length > uncaughtBefore) {
      throw new Error(`the server process threw and nothing caught it (npm start would have crashed): ${String(uncaught.at(-1))}`);
    }
    expect(answer.status, 'no 5xx').toBeLessThan(500);
    if (fuzz.expectOk) expect(answer.status, 'a well-typed searchQuery is answered').toBe(200);
    if (answer.status >= 400) {
      checkErrorBody(fuzz, answer);
      await stack.idle();
      expect(await snapshot(), 'a refused request stores nothing').toEqual(before);
    } else if (answer.status !== 204 && fuzz.method !== 'HEAD' && isApiRoute(fuzz)) {
      expect(isJsonType(answer), 'an API answer is JSON').toBe(true);
      JSON.parse(answer.body.toString('utf8'));
    }
    const page = await send(port, { route: 'page', method: 'GET', path: '/', headers: {}, body: undefined, expectOk: true }, ANSWER_TIMEOUT_MS);
    if (!('status' in page) || page.status !== 200) throw new Error(`the server stopped answering: GET / → ${describeAnswer(page)}`);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`${reason}\n\nrequest:\n  ${describeRequest(fuzz)}\nanswer:\n  ${describeAnswer(answer)}`);
  }
}

const GROUPS: Array<[string, () => fc.Arbitrary<Draft>]> = [
  ['upload (multipart)', () => uploadDrafts(targets)],
  ['upload-url (JSON)', () => uploadUrlDrafts(targets)],
  ['file details: GET, PATCH, DELETE', () => detailsDrafts(targets)],
  ['list and search (query parameters, searchQuery)', () => listDrafts()],
  ['bulk tags and bulk delete', () => bulkDrafts()],
  ['tagging jobs', () => jobDrafts(targets)],
  ['page, page assets and file delivery', () => pageDrafts()],
  ['raw paths and methods no route has', () => rawDrafts(targets)],
  ['every route in ROUTES, any method and body', () => everyRouteDrafts(targets)],
];

describe(`random requests (seed ${SEED}, ${RUNS} runs per group): no 5xx, no crash, a refusal stores nothing`, () => {
  it.each(GROUPS.map(([name, drafts], index) => ({ name, drafts, seed: SEED + index })))(
    '$name',
    async ({ drafts, seed }) => {
      await fc.assert(fc.asyncProperty(drafts().map(printable), exchange), {
        seed,
        numRuns: RUNS,
        plugins: [fc.interruptAfterTimeLimit(SHRINK_DEADLINE_MS)],
      });
    },
    TIMEOUT_MS,
  );
});
