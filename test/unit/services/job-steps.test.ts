import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FileStore } from '../../../functions/adapters/file-store.js';
import { DynamoJobTable } from '../../../functions/adapters/job-table.js';
import type { WebhookSender } from '../../../functions/adapters/webhook-sender.js';
import { DEFAULT_PROVIDER_QUOTAS, LIST_PRICES, newJob } from '../../../functions/core/tagging-job.js';
import { recordMetric } from '../../../functions/runtime/metrics.js';
import { jobRequest, NO_BUDGETS } from '../../support/job-requests.js';
import { countJobFile, deliverJobWebhook, finishJob, planJob, startJobFile } from '../../../functions/services/job-steps.js';
import { BudgetLedger } from '../../../functions/adapters/budgets.js';
import { imagePriceMicroUsd, microUsd } from '../../../functions/core/budget.js';
import { jobRunId } from '../../../functions/core/tagging-job.js';
import { Pacer } from '../../../functions/adapters/pacer.js';
import { JOB_TURN_MAX_WAIT_SECONDS } from '../../../functions/core/pacer.js';
import { FileLibrary } from '../../../functions/services/file-library.js';
import { inMemoryFiles } from '../../support/in-memory-files.js';
import { jpegFacts, uploadRequest } from '../../support/sample-files.js';
import { startSearchTable } from '../../support/search-table.js';

vi.mock('../../../functions/runtime/metrics.js', async (original) => ({ ...(await original<object>()), recordMetric: vi.fn() }));

let table: Awaited<ReturnType<typeof startSearchTable>>;
let jobs: DynamoJobTable;

beforeAll(async () => {
  table = await startSearchTable();
  jobs = new DynamoJobTable(table.tableName, table.client);
});
afterAll(async () => {
  await table?.stop();
});

const request = jobRequest({
  extensions: [{ name: 'aws-auto-tagging', minConfidence: 50, maxTags: 5 }],
  webhookUrl: 'https://hooks.example/h',
});
let next = 0;
async function runningJob(total: number, counted: Array<'succeeded' | 'failed' | 'skipped'>) {
  const job = newJob(`job_${String(++next).padStart(24, '0')}`, request, '2026-11-30T00:00:00.000Z');
  await jobs.create(job);
  await jobs.update(job.jobId, ['planning'], { status: 'running', total });
  await Promise.all(counted.map((outcome, index) => jobs.countFile(job.jobId, index, outcome)));
  return job.jobId;
}

describe('finishJob', () => {
  it('ends a job succeeded with its counts, files never counted counted failed, and owes its webhook once', async () => {
    const jobId = await runningJob(4, ['succeeded', 'failed', 'skipped']);
    expect(await finishJob({ jobId }, { jobs })).toEqual({ jobId, webhook: true });
    expect(await jobs.get(jobId)).toMatchObject({ status: 'succeeded', done: 4, succeeded: 1, failed: 2, skipped: 1 });
    expect(await finishJob({ jobId }, { jobs })).toEqual({ jobId, webhook: false });
  });

  it('fails a job whose every tagged file failed, or whose step failed, naming why', async () => {
    const allFailed = await runningJob(2, ['failed', 'failed']);
    await finishJob({ jobId: allFailed }, { jobs });
    expect(await jobs.get(allFailed)).toMatchObject({ status: 'failed', error: { reason: 'ALL_FILES_FAILED' } });
    const stepFailed = await runningJob(1, ['succeeded']);
    await finishJob({ jobId: stepFailed, error: { Error: 'States.ExceedToleratedFailureThreshold' } }, { jobs });
    expect(await jobs.get(stepFailed)).toMatchObject({ status: 'failed', error: { reason: 'JOB_STEP_FAILED' } });
  });

  it('fails a selection over the limit with the planner’s sentence, reason SELECTION_TOO_LARGE', async () => {
    const job = newJob('job_ffffffffffffffffffffff01', request, '2026-11-30T00:00:00.000Z');
    await jobs.create(job);
    const cause = 'The selection holds more than 1000000 files: narrow it by path or createdAt, or set maxFiles';
    await finishJob({ jobId: job.jobId, error: { Error: 'SelectionOverLimit', Cause: cause } }, { jobs });
    expect(await jobs.get(job.jobId)).toMatchObject({ status: 'failed', error: { reason: 'SELECTION_TOO_LARGE', message: cause } });
  });
});

describe('planJob', () => {
  const search = { selectIds: async () => ({ fileIds: ['f1', 'f2', 'f3'], reads: { indexItems: 3, records: 3 } }) };
  const store = { put: vi.fn(async () => undefined) } as unknown as FileStore;
  async function planned(body: unknown, maxJobConcurrency?: number) {
    const job = newJob(`job_${String(++next).padStart(24, '0')}`, jobRequest(body), '2026-11-30T00:00:00.000Z');
    await jobs.create(job);
    const deps = { ...NO_BUDGETS, jobs, store, bucket: 'files', search, quotas: DEFAULT_PROVIDER_QUOTAS, maxJobConcurrency };
    return planJob({ jobId: job.jobId }, deps);
  }
  const both = [
    { name: 'aws-auto-tagging', minConfidence: 50, maxTags: 5 },
    { name: 'google-auto-tagging', minConfidence: 50, maxTags: 5 },
  ];

  it('keeps ten seconds of the rate in flight when no cap is set (locally)', async () => {
    expect(await planned({ extensions: both })).toMatchObject({ tag: true, rate: 4, maxConcurrency: 40 });
  });

  it('keeps a job within AITAGS_MAX_JOB_CONCURRENCY Lambda functions: 5 files with one extension, 2 with both', async () => {
    expect(await planned({ extensions: both.slice(0, 1) }, 5)).toMatchObject({ tag: true, rate: 4, maxConcurrency: 5 });
    expect(await planned({ extensions: both }, 5)).toMatchObject({ tag: true, rate: 4, maxConcurrency: 2 });
    expect(await planned({ extensions: both, reapplyPolicy: true }, 5)).toMatchObject({ tag: true, rate: 50, maxConcurrency: 5 });
  });
});

describe('deliverJobWebhook', () => {
  beforeEach(() => vi.mocked(recordMetric).mockClear());

  function sender(result: Awaited<ReturnType<WebhookSender['send']>>) {
    return { send: vi.fn(async () => result) } as unknown as WebhookSender & { send: ReturnType<typeof vi.fn> };
  }

  it('counts the webhook given up (JobWebhookFinalFailures) and sends nothing when handed the error that ended its attempts', async () => {
    const jobId = await runningJob(1, ['succeeded']);
    const send = sender({ delivered: true, refused: false, status: 200, durationMs: 1 });
    const webhookError = { Error: 'JobWebhookNotDelivered', Cause: 'the receiver answered 503' };
    expect(await deliverJobWebhook({ jobId, webhookError }, { jobs, sender: send })).toEqual({ jobId, delivered: false });
    expect(send.send).not.toHaveBeenCalled();
    expect(vi.mocked(recordMetric).mock.calls).toEqual([['JobWebhookFinalFailures', 1]]);
  });

  it('counts a refused target given up at once, and a failed attempt not at all (the state machine retries it)', async () => {
    const jobId = await runningJob(1, ['succeeded']);
    const refused = sender({ delivered: false, refused: true, error: '10.0.0.1 is not an allowed webhook address', durationMs: 0 });
    expect(await deliverJobWebhook({ jobId }, { jobs, sender: refused })).toEqual({ jobId, delivered: false });
    expect(vi.mocked(recordMetric).mock.calls).toEqual([['JobWebhookFinalFailures', 1]]);
    vi.mocked(recordMetric).mockClear();
    const failing = sender({ delivered: false, refused: false, status: 503, durationMs: 5 });
    await expect(deliverJobWebhook({ jobId }, { jobs, sender: failing })).rejects.toThrow(
      'The job webhook was not delivered: the receiver answered 503',
    );
    expect(vi.mocked(recordMetric)).not.toHaveBeenCalled();
  });
});

describe('startJobFile', () => {
  const AWS_ONLY = [{ name: 'aws-auto-tagging' as const, minConfidence: 50, maxTags: 5 }];
  const fileTask = (fileId: string, index: number) => ({
    jobId: 'job_0000000000000000000000aa',
    fileId,
    index,
    extensions: AWS_ONLY,
    removeAITags: false,
    reapplyPolicy: false,
    startedAtMs: 0,
    rate: 4,
  });

  it('gives 1,300 skipped files no turn, so the first real file after them calls at once; later files one interval apart, the wait capped', async () => {
    const pacer = new Pacer(table.tableName, table.client);
    const library = new FileLibrary({ store: inMemoryFiles().store, table: table.table });
    const files = await Promise.all(
      [0, 1, 2].map((slot) =>
        library.upload(uploadRequest({ fileName: `turn-${slot}.jpg`, folder: '/turns/' }), { facts: jpegFacts, thumbnail: undefined }),
      ),
    );
    const now = Date.parse('2030-01-01T00:00:00.000Z');
    const deps = {
      ...NO_BUDGETS,
      files: table.table,
      watches: { watch: async () => undefined },
      policies: {
        currentVersionId: async () => '',
        version: async () => {
          throw new Error('no policy read');
        },
      },
      pacer,
      quotas: { rekognitionTps: 5, visionRpm: 1800 },
      now: () => new Date(now),
    };
    // The manifest's first 1,300 entries are files deleted since: skipped, no turn taken.
    for (let index = 0; index < 1300; index++) {
      expect(await startJobFile(fileTask(`gone${String(index).padStart(20, '0')}`, index), deps)).toMatchObject({ skip: 'deleted' });
    }
    const [first, second, third] = await Promise.all(files.map((file, slot) => startJobFile(fileTask(file.fileId, 1300 + slot), deps)));
    const turns = [first, second, third].map((answer) => Date.parse(answer?.notBefore ?? '')).sort((a, b) => a - b);
    // 4 a second (80 % of 5): 250 ms apart, the first at once. By manifest position it would wait 1,300 / 4 = 325 s.
    expect(turns).toEqual([now, now + 250, now + 500]);
    // Booked far ahead (another job, or ingest/): it waits no longer than its Express child can.
    for (let index = 0; index < 200; index++) await pacer.take('aws-auto-tagging', 4, now);
    const late = await startJobFile(fileTask(files[0]?.fileId ?? '', 1303), deps);
    expect(Date.parse(late.notBefore ?? '')).toBe(now + JOB_TURN_MAX_WAIT_SECONDS * 1000);
  });
});

describe('tagging jobs and the monthly budgets (dynalite ledger)', () => {
  const DECEMBER = new Date('2026-12-10T09:00:00.000Z');
  const AWS = { name: 'aws-auto-tagging' as const, minConfidence: 50, maxTags: 5 };
  const GOOGLE = { name: 'google-auto-tagging' as const, minConfidence: 50, maxTags: 5 };
  /** $0.003 for Rekognition: three images at $1.00 per 1,000; Vision unbudgeted. */
  const CAP = microUsd(0.003);
  const PRICE = imagePriceMicroUsd('aws-auto-tagging', LIST_PRICES);
  let ledger: BudgetLedger;
  let budget: { ledger: BudgetLedger; budgets: { 'aws-auto-tagging': number }; prices: typeof LIST_PRICES };
  beforeAll(() => {
    ledger = new BudgetLedger(table.tableName, table.client);
    budget = { ledger, budgets: { 'aws-auto-tagging': CAP }, prices: LIST_PRICES };
  });
  /** A taggers' reservation of one Rekognition image of December's budget. */
  const reserve = (runId: string) => ledger.reserve('aws-auto-tagging', runId, PRICE, CAP, DECEMBER);

  describe('planJob', () => {
    const store = { put: vi.fn(async () => undefined) } as unknown as FileStore;
    const selecting = (files: number) => ({
      selectIds: async () => ({ fileIds: Array.from({ length: files }, (_, n) => `f${n}`), reads: { indexItems: files, records: files } }),
    });
    async function plan(body: unknown, files: number) {
      const job = newJob(`job_${String(++next).padStart(24, '0')}`, jobRequest(body), '2026-12-10T08:00:00.000Z');
      await jobs.create(job);
      const deps = { ...budget, jobs, store, bucket: 'files', search: selecting(files), quotas: DEFAULT_PROVIDER_QUOTAS, now: () => DECEMBER };
      return { jobId: job.jobId, plan: await planJob({ jobId: job.jobId }, deps) };
    }

    it('fails a job planned over what remains with BUDGET_EXCEEDED before tagging anything: no manifest, nothing counted', async () => {
      vi.mocked(store.put).mockClear();
      const { jobId, plan: planned } = await plan({ extensions: [AWS, GOOGLE] }, 4);
      expect(planned).toMatchObject({ jobId, tag: false, error: { Error: 'BudgetExceeded' } });
      expect(planned.error?.Cause).toBe(
        'The job was not started: 4 images with aws-auto-tagging would cost $0.004, more than the $0.003 left of its monthly budget of $0.003 (it resets at 2027-01-01T00:00:00.000Z)',
      );
      expect(store.put).not.toHaveBeenCalled();
      await finishJob({ jobId, error: planned.error }, { jobs, now: () => DECEMBER });
      expect(await jobs.get(jobId)).toMatchObject({
        status: 'failed',
        total: null,
        done: 0,
        succeeded: 0,
        failed: 0,
        skipped: 0,
        error: { reason: 'BUDGET_EXCEEDED', message: planned.error?.Cause },
      });
    });

    it('runs a job that fits, and one that re-applies the policy whatever its size', async () => {
      expect((await plan({ extensions: [AWS, GOOGLE] }, 3)).plan).toMatchObject({ tag: true });
      expect((await plan({ extensions: [AWS], reapplyPolicy: true }, 40)).plan).toMatchObject({ tag: true });
    });

    it('ends a dry run planned with what remained of each budgeted extension, over it or not', async () => {
      const { jobId } = await plan({ extensions: [AWS, GOOGLE], dryRun: true }, 40);
      await finishJob({ jobId }, { jobs });
      expect(await jobs.get(jobId)).toMatchObject({ status: 'planned', total: 40, remainingBudgetUsd: { 'aws-auto-tagging': 0.003 } });
    });
  });

  describe('a running job that reaches the cap', () => {
    const JOB = 'job_0000000000000000000000bb';
    const task = (fileId: string, index: number) => ({
      jobId: JOB,
      fileId,
      index,
      extensions: [AWS],
      removeAITags: false,
      reapplyPolicy: false,
      startedAtMs: 0,
      rate: 4,
    });

    it('skips the files after it without starting their run or taking a turn, counts them and a file refused in flight skipped, and says so', async () => {
      const library = new FileLibrary({ store: inMemoryFiles().store, table: table.table });
      const files = await Promise.all(
        [0, 1, 2, 3, 4].map((n) =>
          library.upload(uploadRequest({ fileName: `budget-${n}.jpg`, folder: '/budget/' }), { facts: jpegFacts, thumbnail: undefined }),
        ),
      );
      const take = vi.fn(async () => ({ at: DECEMBER.getTime() }));
      const deps = {
        ...budget,
        files: table.table,
        watches: { watch: async () => undefined },
        policies: { currentVersionId: async () => '', version: async () => ({}) as never },
        pacer: { take },
        quotas: DEFAULT_PROVIDER_QUOTAS,
        now: () => DECEMBER,
      };
      await jobs.create({ ...newJob(JOB, request, '2026-12-10T08:00:00.000Z') });
      await jobs.update(JOB, ['planning'], { status: 'running', total: 5 });
      const count = (
        answer: Awaited<ReturnType<typeof startJobFile>>,
        outcomes?: Array<{ name: 'aws-auto-tagging'; status: string; error?: { reason: string } }>,
      ) =>
        countJobFile(
          { jobId: answer.jobId, index: answer.index, fileId: answer.fileId, skip: answer.skip, spentBudgets: answer.spentBudgets, outcomes },
          jobs,
        );

      // Files 0 and 1 start within the budget and are tagged (their taggers reserve one image each).
      for (const index of [0, 1]) {
        const started = await startJobFile(task(files[index]?.fileId ?? '', index), deps);
        expect(started.skip).toBeUndefined();
        expect((await reserve(jobRunId(JOB, index))).reserved).toBe(true);
        await count(started, [{ name: 'aws-auto-tagging', status: 'success' }]);
      }
      // File 2 starts while one image remains, but an upload takes it before file 2's tagger reserves.
      const inFlight = await startJobFile(task(files[2]?.fileId ?? '', 2), deps);
      expect(inFlight.skip).toBeUndefined();
      expect((await reserve('run_upload_after_file_2')).reserved).toBe(true);
      expect((await reserve(jobRunId(JOB, 2))).reserved).toBe(false);
      await count(inFlight, [{ name: 'aws-auto-tagging', status: 'failed', error: { reason: 'BUDGET_EXCEEDED' } }]);
      // Files 3 and 4: the budget no longer covers one image, so the job does not start them.
      take.mockClear();
      for (const index of [3, 4]) {
        const skipped = await startJobFile(task(files[index]?.fileId ?? '', index), deps);
        expect(skipped).toMatchObject({ skip: 'budget-spent', spentBudgets: ['aws-auto-tagging'] });
        expect(skipped.notBefore).toBeUndefined();
        expect((await table.table.get(files[index]?.fileId ?? ''))?.extensionStatus).toEqual({});
        expect(await count(skipped)).toMatchObject({ outcome: 'skipped', counted: true });
      }
      expect(take).not.toHaveBeenCalled();
      // A retried Count does not count the file, nor its budget, twice.
      expect(
        await count({ ...task(files[4]?.fileId ?? '', 4), runId: '', policyVersion: '', skip: 'budget-spent', spentBudgets: ['aws-auto-tagging'] }),
      ).toMatchObject({
        counted: false,
      });

      await finishJob({ jobId: JOB }, { jobs, now: () => DECEMBER });
      expect(await jobs.get(JOB)).toMatchObject({
        status: 'succeeded',
        done: 5,
        succeeded: 2,
        failed: 0,
        skipped: 3,
        stoppedBy: { reason: 'BUDGET_EXCEEDED', extensions: ['aws-auto-tagging'], skipped: 3 },
      });
      expect(await ledger.spent('aws-auto-tagging', '2026-12')).toBe(CAP);
    });

    it('finishes a job no budget stopped without stoppedBy', async () => {
      const jobId = await runningJob(2, ['succeeded', 'skipped']);
      await finishJob({ jobId }, { jobs });
      expect(await jobs.get(jobId)).not.toHaveProperty('stoppedBy');
    });
  });
});
