import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BudgetLedger } from '../../../functions/adapters/budgets.js';
import { DynamoJobTable } from '../../../functions/adapters/job-table.js';
import { imagePriceMicroUsd, microUsd } from '../../../functions/core/budget.js';
import { ApiError } from '../../../functions/core/errors.js';
import { LIST_PRICES } from '../../../functions/core/tagging-job.js';
import { SelectionTooLarge } from '../../../functions/services/file-search.js';
import { TaggingJobs } from '../../../functions/services/tagging-jobs.js';
import { jobRequest } from '../../support/job-requests.js';
import { startSearchTable } from '../../support/search-table.js';

let table: Awaited<ReturnType<typeof startSearchTable>>;
let jobs: DynamoJobTable;
let ledger: BudgetLedger;

beforeAll(async () => {
  table = await startSearchTable();
  jobs = new DynamoJobTable(table.tableName, table.client);
  ledger = new BudgetLedger(table.tableName, table.client);
});
afterAll(async () => {
  await table?.stop();
});

const AWS = { name: 'aws-auto-tagging', minConfidence: 50, maxTags: 5 };
const GOOGLE = { name: 'google-auto-tagging', minConfidence: 50, maxTags: 5 };
/** $0.01 for Rekognition: ten images at $1.00 per 1,000; Vision unbudgeted. */
const BUDGETS = { 'aws-auto-tagging': microUsd(0.01) };
const NOVEMBER = new Date('2026-11-30T11:00:00.000Z');

/** A selection of `matches` files; too many to count within the request past `countBudget`. */
function service(matches: number, countBudget = 100) {
  const selectIds = vi.fn(async (_query: unknown, limit: number, budget: number) => {
    if (matches > budget) throw new SelectionTooLarge(budget);
    return { fileIds: Array.from({ length: Math.min(matches, limit) }, (_, n) => `f${n}`), reads: { indexItems: matches, records: matches } };
  });
  const start = vi.fn(async (name: string) => `arn:aws:states:us-east-1:1:execution:jobs:${name}`);
  const taggingJobs = new TaggingJobs({
    jobs,
    workflow: { start, stop: async () => undefined },
    search: { selectIds },
    prices: LIST_PRICES,
    budgets: BUDGETS,
    ledger,
    countBudget,
    now: () => NOVEMBER,
  });
  return { taggingJobs, selectIds, start };
}

/** Spends `images` Rekognition images of the November budget, as taggers' reservations would. */
async function spend(images: number) {
  const price = imagePriceMicroUsd('aws-auto-tagging', LIST_PRICES);
  for (let n = 0; n < images; n++) await ledger.reserve('aws-auto-tagging', `run_spent_${n}`, price, microUsd(0.01), NOVEMBER);
}

async function refusal(act: Promise<unknown>): Promise<ApiError> {
  const error = await act.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof ApiError)) throw new Error(`expected an ApiError, got ${String(error)}`);
  return error;
}

describe('TaggingJobs and the monthly budgets (dynalite ledger)', () => {
  // Four of the ten images spent: $0.006 remains.
  beforeAll(() => spend(4));

  it('reports what remains of each budgeted extension in a dry run, and only of those', async () => {
    const { taggingJobs } = service(12);
    expect(await taggingJobs.create(jobRequest({ extensions: [AWS, GOOGLE], dryRun: true }))).toEqual({
      estimate: { total: 12, estimatedProviderCostUsd: 0.03, remainingBudgetUsd: { 'aws-auto-tagging': 0.006 } },
    });
    expect(await taggingJobs.create(jobRequest({ extensions: [GOOGLE], dryRun: true }))).toEqual({
      estimate: { total: 12, estimatedProviderCostUsd: 0.018 },
    });
  });

  it('refuses a job counted within the request that would pass what remains (400 with the numbers), starting nothing', async () => {
    const { taggingJobs, start } = service(7);
    const error = await refusal(taggingJobs.create(jobRequest({ extensions: [AWS, GOOGLE] })));
    expect(error.status).toBe(400);
    expect(error.message).toContain('7 images with aws-auto-tagging would cost $0.007, more than the $0.006 left of its monthly budget of $0.01');
    expect(error.message).toContain('2026-12-01T00:00:00.000Z');
    expect(error.details).toEqual({ total: 7, estimatedProviderCostUsd: 0.0175, remainingBudgetUsd: { 'aws-auto-tagging': 0.006 } });
    expect(start).not.toHaveBeenCalled();
  });

  it('starts a job that fits what remains, maxFiles included', async () => {
    const { taggingJobs, start } = service(7);
    const created = await taggingJobs.create(jobRequest({ extensions: [AWS], maxFiles: 6 }));
    expect(created).toMatchObject({ job: { status: 'planning', total: null } });
    expect(start).toHaveBeenCalledTimes(1);
  });

  it('leaves a selection too large to count within the request to the planner, and never refuses a job that calls no budgeted provider', async () => {
    const tooLarge = service(500, 100);
    expect(await tooLarge.taggingJobs.create(jobRequest({ extensions: [AWS] }))).toMatchObject({ job: { status: 'planning' } });
    const reapplying = service(7);
    expect(await reapplying.taggingJobs.create(jobRequest({ extensions: [AWS], reapplyPolicy: true }))).toMatchObject({
      job: { status: 'planning' },
    });
    const withoutProvider = service(7);
    expect(await withoutProvider.taggingJobs.create(jobRequest({ extensions: [{ ...AWS, maxTags: 0 }, GOOGLE] }))).toMatchObject({
      job: { status: 'planning' },
    });
    // Nothing budgeted: the request does not count the selection at all.
    expect(reapplying.selectIds).not.toHaveBeenCalled();
    expect(withoutProvider.selectIds).not.toHaveBeenCalled();
  });
});
