import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoJobTable } from '../../../functions/adapters/job-table.js';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { newJob, SUMMARY_SHARDS } from '../../../functions/core/tagging-job.js';
import { jobRequest } from '../../support/job-requests.js';
import { startSearchTable } from '../../support/search-table.js';

let table: Awaited<ReturnType<typeof startSearchTable>>;
let jobs: DynamoJobTable;

beforeAll(async () => {
  table = await startSearchTable();
  jobs = new DynamoJobTable(table.tableName, table.client);
});
afterAll(async () => {
  await table?.stop();
});

const request = jobRequest({ path: '/a', extensions: [{ name: 'aws-auto-tagging', minConfidence: 50, maxTags: 5 }] });
const job = (suffix: string, createdAt: string) => newJob(`job_${suffix.padStart(24, '0')}`, request, createdAt);

/** Items read by each command the client sends from now on (GetItem 1, BatchGetItem its keys, Query its items). */
function countReads(client: DynamoDBDocumentClient) {
  const reads = { items: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const input = args.input as { RequestItems?: Record<string, { Keys?: unknown[] }> };
      if (context.commandName === 'GetItemCommand') reads.items += 1;
      if (context.commandName === 'BatchGetItemCommand')
        reads.items += Object.values(input.RequestItems ?? {}).reduce((sum, request) => sum + (request.Keys?.length ?? 0), 0);
      if (context.commandName === 'QueryCommand') reads.items += Number((result.output as { Count?: number }).Count ?? 0);
      return result;
    },
    { step: 'initialize', name: 'countReads' },
  );
  return reads;
}

describe('DynamoJobTable', () => {
  it('counts each file once, however often it is counted, across progress items', async () => {
    const created = job('1', '2026-11-30T00:00:00.000Z');
    await jobs.create(created);
    await jobs.update(created.jobId, ['planning'], { status: 'running', total: 2500 });
    const counted = await Promise.all(
      [0, 0, 1, 999, 1000, 1000, 2499, 1].map((index, n) => jobs.countFile(created.jobId, index, n % 2 ? 'failed' : 'succeeded')),
    );
    expect(counted.filter(Boolean)).toHaveLength(5);
    const counts = await jobs.exactCounts(created.jobId, 2500);
    expect(counts.done).toBe(5);
    expect(counts.succeeded + counts.failed + counts.skipped).toBe(5);
    expect(await jobs.get(created.jobId)).toMatchObject({ status: 'running', done: 5 });
  });

  it.each([10_000, 1_000_000])(
    'reads the status of a running job of %i planned files in the same few items, its counts exact',
    async (total) => {
      const created = job(`1${total}`, '2026-11-30T00:00:00.000Z');
      await jobs.create(created);
      await jobs.update(created.jobId, ['planning'], { status: 'running', total });
      // Files across many progress items, some counted twice at once (a retried Count step).
      const indexes = Array.from({ length: 60 }, (_, n) => (n * 7919) % 10_000);
      await Promise.all(
        [...indexes, ...indexes.slice(0, 10)].map((index) => jobs.countFile(created.jobId, index, index % 3 ? 'succeeded' : 'failed')),
      );
      const expected = await jobs.exactCounts(created.jobId, total);
      expect(expected.done).toBe(60);

      const reader = new DynamoJobTable(table.tableName, DynamoDBDocumentClient.from(new DynamoDBClient(table.clientConfig)));
      const reads = countReads((reader as unknown as { client: DynamoDBDocumentClient }).client);
      const read = await reader.get(created.jobId);

      expect(read).toMatchObject({ status: 'running', ...expected });
      // The job and at most SUMMARY_SHARDS summary items: not one item per 1,000 planned files.
      expect(reads.items).toBeLessThanOrEqual(1 + SUMMARY_SHARDS);
    },
    30_000,
  );

  it('changes a job only from the statuses given, and lists jobs newest first', async () => {
    const older = job('2', '2026-11-30T01:00:00.000Z');
    const newer = job('3', '2026-11-30T02:00:00.000Z');
    await jobs.create(older);
    await jobs.create(newer);
    expect(await jobs.update(older.jobId, ['planning'], { status: 'cancelled' })).toMatchObject({ status: 'cancelled' });
    expect(await jobs.update(older.jobId, ['planning', 'running'], { status: 'succeeded' })).toBeUndefined();
    const listed = await jobs.list(10);
    expect(listed.map((listedJob) => listedJob.jobId).slice(0, 2)).toEqual([newer.jobId, older.jobId]);
    expect(listed[1]?.status).toBe('cancelled');
  });
});
