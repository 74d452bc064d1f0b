import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jpeg, pdf } from '../support/images.js';
import { type Providers, startProviders } from '../support/providers.js';
import { apiRequest, blob, deleteFile, getDetails, type Reply, upload } from '../support/requests.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';
import { startWebhookReceiver } from '../support/webhook-receiver.js';

let stack: TestStack;
let providers: Providers;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;

interface Job {
  jobId: string;
  status: string;
  total: number | null;
  done: number;
  succeeded: number;
  failed: number;
  skipped: number;
  finishedAt: string | null;
  estimatedProviderCostUsd: number | null;
}

const AWS = { name: 'aws-auto-tagging', minConfidence: 50, maxTags: 5 };
const GOOGLE = { name: 'google-auto-tagging', minConfidence: 50, maxTags: 5 };

const call = <T>(method: string, path: string, body?: unknown): Promise<Reply<T>> => apiRequest<T>(stack, method, path, body);

/** The job once its execution has ended (the local stack is idle when no execution runs). */
async function ended(jobId: string): Promise<Job> {
  await stack.idle();
  return (await call<Job>('GET', `/v1/tagging-jobs/${jobId}`)).body;
}

async function uploadImage(folder: string, name: string, fields: Record<string, string> = {}) {
  const reply = await upload<{ fileId: string }>(stack, { file: blob(await jpeg(40 + name.length, 30)), fileName: name, folder, ...fields });
  expect(reply.status).toBe(200);
  return reply.body.fileId;
}

const shoots: string[] = [];

beforeAll(async () => {
  providers = await startProviders({ rekognition: [{ name: 'Harbour', confidence: 95 }], vision: [{ name: 'Seascape', confidence: 91 }] });
  receiver = await startWebhookReceiver();
  // Quotas high enough that the job's pacing (80 % of them) takes milliseconds here.
  stack = await startTestStack({
    ...providers.env,
    AITAGS_LOCAL_WAIT_SCALE: '0.01',
    AITAGS_SYNC_WINDOW_MS: '0',
    AITAGS_REKOGNITION_TPS: '200',
    AITAGS_VISION_RPM: '12000',
    // Small, so that a dry run over the whole library cannot be counted within the request.
    AITAGS_SEARCH_SCAN_LIMIT: '5',
  });
  for (const name of ['a.jpg', 'b.jpg', 'c.jpg', 'd.jpg']) shoots.push(await uploadImage('/shoots/2026', name));
  expect((await upload(stack, { file: blob(pdf()), fileName: 'notes.pdf', folder: '/shoots' })).status).toBe(200);
  await uploadImage('/other', 'elsewhere.jpg');
});
afterAll(async () => {
  await stack?.close();
  await providers?.stop();
  await receiver?.stop();
});

describe('POST /v1/tagging-jobs', () => {
  it('answers a dry run with the count and the estimate at list prices, tagging nothing', async () => {
    const before = providers.rekognition.requests.length + providers.vision.requests.length;
    const reply = await call('POST', '/v1/tagging-jobs', { path: '/shoots/', extensions: [AWS, GOOGLE], dryRun: true });
    expect(reply).toMatchObject({ status: 200, body: { total: 4, estimatedProviderCostUsd: 0.01 } });
    expect(providers.rekognition.requests.length + providers.vision.requests.length).toBe(before);
  });

  it('plans a dry run too large to count within the request as a job that ends planned, tagging nothing', async () => {
    const before = providers.rekognition.requests.length;
    const reply = await call<Job>('POST', '/v1/tagging-jobs', { extensions: [AWS], dryRun: true });
    expect(reply).toMatchObject({ status: 202, body: { status: 'planning', total: null, dryRun: true } });
    const job = await ended(reply.body.jobId);
    expect(job).toMatchObject({ status: 'planned', total: 5, done: 0, estimatedProviderCostUsd: 0.005 });
    expect(job.finishedAt).not.toBeNull();
    expect(providers.rekognition.requests.length).toBe(before);
  });

  it('tags every image under the path once, counts each file, and sends one signed webhook', async () => {
    receiver.reset();
    const created = await call<Job>('POST', '/v1/tagging-jobs', { path: '/shoots', extensions: [AWS], webhookUrl: receiver.url });
    expect(created).toMatchObject({ status: 202, body: { status: 'planning', total: null, done: 0 } });
    const job = await ended(created.body.jobId);
    expect(job).toMatchObject({ status: 'succeeded', total: 4, done: 4, succeeded: 4, failed: 0, skipped: 0, estimatedProviderCostUsd: 0.004 });
    expect(job.finishedAt).not.toBeNull();
    for (const fileId of shoots) {
      const { body } = await getDetails<{ AITags: Array<{ name: string; source: string }>; extensionStatus: Record<string, string> }>(stack, fileId);
      expect(body.AITags).toEqual([expect.objectContaining({ name: 'Harbour', source: 'aws-auto-tagging' })]);
      expect(body.extensionStatus).toEqual({ 'aws-auto-tagging': 'success' });
    }
    await receiver.waitFor(1);
    expect(receiver.received).toHaveLength(1);
    const [delivery] = receiver.received;
    const payload = new Webhook(Buffer.from(stack.webhookSecret).toString('base64')).verify(delivery?.body ?? '', {
      'webhook-id': String(delivery?.headers['webhook-id']),
      'webhook-timestamp': String(delivery?.headers['webhook-timestamp']),
      'webhook-signature': String(delivery?.headers['webhook-signature']),
    });
    expect(payload).toMatchObject({ type: 'tagging-job.completed', data: { jobId: job.jobId, status: 'succeeded', total: 4, succeeded: 4 } });
  });

  it('takes the first maxFiles by creation, removes AI tags first when asked, and lists jobs newest first', async () => {
    const created = await call<Job>('POST', '/v1/tagging-jobs', {
      searchQuery: 'format = "jpg"',
      path: '/shoots/',
      extensions: [GOOGLE],
      removeAITags: true,
      maxFiles: 2,
    });
    const job = await ended(created.body.jobId);
    expect(job).toMatchObject({ status: 'succeeded', total: 2, done: 2, succeeded: 2 });
    const tagged = await Promise.all(
      shoots.map(async (fileId) => (await getDetails<{ AITags: Array<{ source: string }> }>(stack, fileId)).body.AITags),
    );
    // The two oldest: their Rekognition tags removed, Vision's added; the others keep what they had.
    expect(tagged.map((tags) => tags.map((tag) => tag.source))).toEqual([
      ['google-auto-tagging'],
      ['google-auto-tagging'],
      ['aws-auto-tagging'],
      ['aws-auto-tagging'],
    ]);
    const listed = await call<Job[]>('GET', '/v1/tagging-jobs');
    expect(listed.status).toBe(200);
    expect(listed.body[0]?.jobId).toBe(job.jobId);
    expect(listed.body.length).toBeGreaterThanOrEqual(2);
  });

  it('skips a file whose run for a caller is still pending, and never supersedes it', async () => {
    providers.vision.behave({ latencyMs: 4000, labels: [{ name: 'Seascape', confidence: 91 }] });
    const busy = await uploadImage('/busy', 'busy.jpg', { extensions: JSON.stringify([GOOGLE]) });
    const idle = await uploadImage('/busy', 'idle.jpg');
    const created = await call<Job>('POST', '/v1/tagging-jobs', { path: '/busy', extensions: [AWS] });
    const job = await ended(created.body.jobId);
    providers.vision.behave({ labels: [{ name: 'Seascape', confidence: 91 }] });
    expect(job).toMatchObject({ status: 'succeeded', total: 2, done: 2, succeeded: 1, skipped: 1 });
    expect((await getDetails<{ extensionStatus: Record<string, string> }>(stack, busy)).body.extensionStatus).toEqual({
      'google-auto-tagging': 'success',
    });
    expect((await getDetails<{ extensionStatus: Record<string, string> }>(stack, idle)).body.extensionStatus).toEqual({
      'aws-auto-tagging': 'success',
    });
  });

  it('ends a job with nothing to tag as succeeded with total 0', async () => {
    const created = await call<Job>('POST', '/v1/tagging-jobs', { path: '/nothing-here', extensions: [AWS] });
    expect(await ended(created.body.jobId)).toMatchObject({ status: 'succeeded', total: 0, done: 0 });
  });

  it('cancels a running job: files already tagged keep their tags, the job ends cancelled, its webhook goes once', async () => {
    receiver.reset();
    const ids = [await uploadImage('/slow', 's1.jpg'), await uploadImage('/slow', 's2.jpg'), await uploadImage('/slow', 's3.jpg')];
    providers.rekognition.behave({ latencyMs: 1500, labels: [{ name: 'Harbour', confidence: 95 }] });
    const created = await call<Job>('POST', '/v1/tagging-jobs', { path: '/slow', extensions: [AWS], webhookUrl: receiver.url });
    // Cancel once the job runs (planning is done): a provider call is under way.
    let job = (await call<Job>('GET', `/v1/tagging-jobs/${created.body.jobId}`)).body;
    while (job.status === 'planning') job = (await call<Job>('GET', `/v1/tagging-jobs/${created.body.jobId}`)).body;
    const cancelled = await call<Job>('DELETE', `/v1/tagging-jobs/${created.body.jobId}`);
    expect(cancelled).toMatchObject({ status: 200, body: { status: 'cancelled', total: 3 } });
    const final = await ended(created.body.jobId);
    providers.rekognition.behave({ labels: [{ name: 'Harbour', confidence: 95 }] });
    expect(final.status).toBe('cancelled');
    expect(final.done).toBeLessThan(3);
    await receiver.waitFor(1);
    expect(receiver.received).toHaveLength(1);
    expect(JSON.parse(receiver.received[0]?.body ?? '{}')).toMatchObject({ type: 'tagging-job.completed', data: { status: 'cancelled' } });
    expect(await call('DELETE', `/v1/tagging-jobs/${created.body.jobId}`)).toMatchObject({
      status: 409,
      body: { message: expect.stringContaining('already ended') },
    });
    expect(ids).toHaveLength(3);
  });

  it('plans a deleted file as skipped when it is gone before its turn', async () => {
    const gone = await uploadImage('/gone', 'gone.jpg');
    await uploadImage('/gone', 'kept.jpg');
    await deleteFile(stack, gone);
    const created = await call<Job>('POST', '/v1/tagging-jobs', { path: '/gone', extensions: [AWS] });
    expect(await ended(created.body.jobId)).toMatchObject({ status: 'succeeded', total: 1, succeeded: 1 });
  });
});

describe('bad input changes nothing', () => {
  it.each([
    [{}, 'extensions'],
    [{ extensions: [] }, 'extensions must name at least one extension'],
    [{ extensions: [{ name: 'nope', minConfidence: 1, maxTags: 1 }] }, 'extensions[0].name must be one of'],
    [{ extensions: [AWS], maxFiles: 0 }, 'maxFiles must be from 1'],
    [{ extensions: [AWS], searchQuery: 'tags = ' }, ''],
    [{ extensions: [AWS], dryRun: 'yes' }, 'dryRun must be true or false'],
    [{ extensions: [AWS], colour: 'red' }, ''],
    [{ extensions: [AWS], webhookUrl: 'ftp://x' }, 'webhookUrl must be an absolute http(s) URL'],
  ])('%j → 400', async (body, message) => {
    const before = await stack.snapshot();
    const reply = await call<{ message: string; help: string }>('POST', '/v1/tagging-jobs', body);
    expect(reply.status).toBe(400);
    expect(reply.body.message).toContain(message);
    expect(reply.body.help).toBeTruthy();
    expect(await stack.snapshot()).toEqual(before);
  });

  it('answers 404 for an unknown job and 401 without the key', async () => {
    expect(await call('GET', '/v1/tagging-jobs/job_000000000000000000000000')).toMatchObject({
      status: 404,
      body: { message: expect.any(String), help: expect.any(String) },
    });
    expect(await call('DELETE', '/v1/tagging-jobs/not-a-job')).toMatchObject({ status: 404 });
    expect((await fetch(`${stack.apiUrl}/v1/tagging-jobs`)).status).toBe(401);
  });
});
