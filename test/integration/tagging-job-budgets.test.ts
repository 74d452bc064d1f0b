import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BudgetLedger } from '../../functions/adapters/budgets.js';
import { budgetMonth, microUsd } from '../../functions/core/budget.js';
import { jpeg } from '../support/images.js';
import { type Providers, startProviders } from '../support/providers.js';
import { apiRequest, blob, getDetails, type Reply, upload } from '../support/requests.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

let stack: TestStack;
let providers: Providers;
let ledger: BudgetLedger;
let dynamo: DynamoDBClient;

interface Job {
  jobId: string;
  status: string;
  total: number | null;
  done: number;
  succeeded: number;
  failed: number;
  skipped: number;
  error?: { message: string; reason: string };
  stoppedBy?: { reason: string; message: string; extensions: string[]; skipped: number };
}

const AWS = { name: 'aws-auto-tagging', minConfidence: 50, maxTags: 5 };
/** $0.01 a month for Rekognition at $2.00 per 1,000 images (AITAGS_PROVIDER_PRICES): five images. */
const BUDGET_USD = 0.01;
const PRICE_MICRO_USD = 2000;
const HARBOUR = [{ name: 'Harbour', confidence: 95 }];

const call = <T>(method: string, path: string, body?: unknown): Promise<Reply<T>> => apiRequest<T>(stack, method, path, body);

async function ended(jobId: string): Promise<Job> {
  await stack.idle();
  return (await call<Job>('GET', `/v1/tagging-jobs/${jobId}`)).body;
}

async function uploadImages(folder: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let n = 0; n < count; n++) {
    const reply = await upload<{ fileId: string }>(stack, { file: blob(await jpeg(40 + n, 30)), fileName: `${n}.jpg`, folder });
    expect(reply.status).toBe(200);
    ids.push(reply.body.fileId);
  }
  return ids;
}

/** Spends what remains of this month's Rekognition budget, as uploads' taggers would: one image at a time, until refused. */
async function spendTheRest(): Promise<number> {
  let images = 0;
  while ((await ledger.reserve('aws-auto-tagging', `run_elsewhere_${images}`, PRICE_MICRO_USD, microUsd(BUDGET_USD), new Date())).reserved) images++;
  return images;
}

let running: string[] = [];

beforeAll(async () => {
  providers = await startProviders({ rekognition: HARBOUR });
  stack = await startTestStack({
    ...providers.env,
    AITAGS_LOCAL_WAIT_SCALE: '0.01',
    AITAGS_SYNC_WINDOW_MS: '0',
    AITAGS_REKOGNITION_TPS: '200',
    AITAGS_VISION_RPM: '12000',
    // Two files of a job in flight at once.
    AITAGS_MAX_JOB_CONCURRENCY: '2',
    // A selection of more than six files is planned in the background.
    AITAGS_SEARCH_SCAN_LIMIT: '6',
    AITAGS_MONTHLY_BUDGET_USD: JSON.stringify({ 'aws-auto-tagging': BUDGET_USD }),
    AITAGS_PROVIDER_PRICES: JSON.stringify({ 'aws-auto-tagging': 2 }),
  });
  dynamo = new DynamoDBClient({
    endpoint: stack.dynamoEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  ledger = new BudgetLedger(stack.table, DynamoDBDocumentClient.from(dynamo));
  await uploadImages('/over', 6);
  running = await uploadImages('/running', 4);
});
afterAll(async () => {
  dynamo?.destroy();
  await stack?.close();
  await providers?.stop();
});

describe('tagging jobs within the monthly budget (AITAGS_MONTHLY_BUDGET_USD)', () => {
  it('reports what remains of the budget in a dry run', async () => {
    expect(await call('POST', '/v1/tagging-jobs', { path: '/over', extensions: [AWS], dryRun: true })).toMatchObject({
      status: 200,
      body: { total: 6, estimatedProviderCostUsd: 0.012, remainingBudgetUsd: { 'aws-auto-tagging': 0.01 } },
    });
  });

  it('refuses a job counted within the request that would pass what remains: 400 with the numbers, nothing started or written', async () => {
    const before = await stack.snapshot();
    const reply = await call<{ message: string; help: string }>('POST', '/v1/tagging-jobs', { path: '/over', extensions: [AWS] });
    expect(reply).toMatchObject({
      status: 400,
      body: { total: 6, estimatedProviderCostUsd: 0.012, remainingBudgetUsd: { 'aws-auto-tagging': 0.01 } },
    });
    expect(reply.body.message).toContain('6 images with aws-auto-tagging would cost $0.012, more than the $0.01 left of its monthly budget of $0.01');
    expect(reply.body.help).toContain('Set maxFiles to at most 5');
    expect(await stack.snapshot()).toEqual(before);
    expect(providers.rekognition.requests).toHaveLength(0);
  });

  it('fails a job planned in the background over what remains with BUDGET_EXCEEDED, tagging nothing', async () => {
    const created = await call<Job>('POST', '/v1/tagging-jobs', { extensions: [AWS] });
    expect(created).toMatchObject({ status: 202, body: { status: 'planning' } });
    const job = await ended(created.body.jobId);
    expect(job).toMatchObject({ status: 'failed', done: 0, succeeded: 0, failed: 0, skipped: 0, error: { reason: 'BUDGET_EXCEEDED' } });
    expect(job.error?.message).toContain('10 images with aws-auto-tagging would cost $0.02');
    expect(providers.rekognition.requests).toHaveLength(0);
  });

  it('stops a running job once the budget is spent: its remaining files skipped, not failed, and no more provider calls', async () => {
    // Each call takes a while, so that the budget is spent elsewhere while the job's first files are in flight.
    providers.rekognition.behave({ latencyMs: 1500, labels: HARBOUR });
    const created = await call<Job>('POST', '/v1/tagging-jobs', { path: '/running', extensions: [AWS] });
    expect(created.status).toBe(202);
    while (providers.rekognition.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await spendTheRest()).toBeGreaterThan(0);
    const job = await ended(created.body.jobId);
    providers.rekognition.behave({ labels: HARBOUR });

    expect(job).toMatchObject({ status: 'succeeded', total: 4, done: 4, failed: 0 });
    // At most the two files in flight were tagged; every file after them was skipped, and the provider called once per tagged file.
    expect(job.succeeded).toBeLessThanOrEqual(2);
    expect(job.skipped).toBe(4 - job.succeeded);
    expect(providers.rekognition.requests).toHaveLength(job.succeeded);
    expect(job.stoppedBy).toMatchObject({ reason: 'BUDGET_EXCEEDED', extensions: ['aws-auto-tagging'], skipped: job.skipped });
    const statuses = await Promise.all(
      running.map(async (fileId) => (await getDetails<{ extensionStatus?: Record<string, string> }>(stack, fileId)).body.extensionStatus),
    );
    expect(statuses.filter((status) => status?.['aws-auto-tagging'] === 'success')).toHaveLength(job.succeeded);
    // The skipped files were never started: no status of the job's extension at all.
    expect(statuses.filter((status) => status?.['aws-auto-tagging'] === undefined)).toHaveLength(job.skipped);
    expect(await ledger.spent('aws-auto-tagging', budgetMonth(new Date()))).toBe(microUsd(BUDGET_USD));
  });

  it('reports nothing left once spent, and still runs a job that re-applies the policy (no provider call)', async () => {
    expect(await call('POST', '/v1/tagging-jobs', { path: '/over', extensions: [AWS], dryRun: true })).toMatchObject({
      status: 200,
      body: { remainingBudgetUsd: { 'aws-auto-tagging': 0 } },
    });
    const calls = providers.rekognition.requests.length;
    const created = await call<Job>('POST', '/v1/tagging-jobs', { path: '/over', extensions: [AWS], reapplyPolicy: true });
    expect(created.status).toBe(202);
    expect(await ended(created.body.jobId)).toMatchObject({ status: 'succeeded', total: 6, succeeded: 6, skipped: 0 });
    expect(providers.rekognition.requests).toHaveLength(calls);
  });
});
