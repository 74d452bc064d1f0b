import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { WriteConflict } from '../core/errors.js';
import { EXTENSION_NAMES, type ExtensionName } from '../core/extension-names.js';
import {
  countsToRollUp,
  decodeRolledCounts,
  encodeRolledCounts,
  type FileOutcome,
  type JobCounts,
  type JobStatus,
  NO_COUNTS,
  progressShardOf,
  progressShards,
  summaryShardOf,
  summaryShards,
  type TaggingJob,
} from '../core/tagging-job.js';
import { batchGetAll } from './batch-get.js';
import { documentClient } from './clients/dynamodb.js';
import { SEARCH_INDEX } from './table-schema.js';

/** What the job's execution needs besides the job: where its manifest is, and when and how fast its files start. */
export interface JobRunDetails {
  executionArn?: string;
  manifestKey?: string;
  startedAtMs?: number;
  rate?: number;
}
export type StoredJob = TaggingJob & JobRunDetails;

/** A job's counts, and the files among `skipped` that a monthly budget left untagged (with whose budgets), when any. */
export type JobTally = JobCounts & { budgetSkipped?: { files: number; extensions: ExtensionName[] } };

/**
 * Tagging jobs in the files table: `job#<jobId>` holds the job, listed newest first in the search
 * index's `jobs` partition; `job#<jobId>#progress#<n>` counts files `n*1000 …` once each: an item holds the
 * set of indexes it counted, and a count is a conditional ADD on that one item, so a retried step never
 * counts a file twice (dynalite has no transactions, and none are needed).
 */
export interface JobTable {
  create(job: StoredJob): Promise<void>;
  /**
   * The job; while it runs, with its counts summed from its summary items (at most SUMMARY_SHARDS reads,
   * whatever its size; each counted file is in them once its roll-up is done).
   */
  get(jobId: string): Promise<StoredJob | undefined>;
  /** Every file counted so far, read from the progress items themselves: what Finish writes onto the job. */
  exactCounts(jobId: string, total: number): Promise<JobTally>;
  /** The newest `limit` jobs, newest first. */
  list(limit: number): Promise<StoredJob[]>;
  /** Sets fields of a job still in one of `from`; false when it has moved on (cancelled, most likely). */
  update(jobId: string, from: readonly JobStatus[], fields: Partial<StoredJob>): Promise<StoredJob | undefined>;
  /**
   * Counts file `index` once (false when it was counted already), and rolls its progress item up into its
   * summary; `spentBudgets`: a file skipped because these extensions' monthly budgets were spent.
   */
  countFile(jobId: string, index: number, outcome: FileOutcome, spentBudgets?: readonly ExtensionName[]): Promise<boolean>;
}

const JOBS_PARTITION = 'jobs';
const jobKey = (jobId: string) => `job#${jobId}`;
const progressKey = (jobId: string, shard: number) => `job#${jobId}#progress#${shard}`;
const summaryKey = (jobId: string, shard: number) => `job#${jobId}#summary#${shard}`;
/** A summary item's attribute holding what it rolled up of progress item `shard`. */
const rolledAttribute = (shard: number) => `rolled${shard}`;
const ROLL_UP_ATTEMPTS = 8;
const { name: INDEX, partitionKey: IPK, sortKey: ISK } = SEARCH_INDEX;
const COUNT_FIELDS = ['done', 'succeeded', 'failed', 'skipped'] as const;

function withoutKeys(item: Record<string, unknown>): StoredJob {
  const { pk: _pk, [IPK]: _ipk, [ISK]: _isk, ...job } = item;
  return job as unknown as StoredJob;
}

export class DynamoJobTable implements JobTable {
  constructor(
    private readonly table: string,
    private readonly client: DynamoDBDocumentClient = documentClient(),
  ) {}

  async create(job: StoredJob): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.table,
        Item: { pk: jobKey(job.jobId), ...job, [IPK]: JOBS_PARTITION, [ISK]: `${job.createdAt}#${job.jobId}` },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async get(jobId: string): Promise<StoredJob | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.table, Key: { pk: jobKey(jobId) }, ConsistentRead: true }));
    return Item ? this.withLiveCounts(withoutKeys(Item)) : undefined;
  }

  async list(limit: number): Promise<StoredJob[]> {
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: INDEX,
        KeyConditionExpression: '#ipk = :jobs',
        ExpressionAttributeNames: { '#ipk': IPK },
        ExpressionAttributeValues: { ':jobs': JOBS_PARTITION },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    const keys = Items.map((item) => ({ pk: String(item.pk) }));
    const jobs = (await batchGetAll(this.client, this.table, keys)).map(withoutKeys);
    const order = new Map(keys.map((key, index) => [key.pk, index]));
    jobs.sort((a, b) => (order.get(jobKey(a.jobId)) ?? 0) - (order.get(jobKey(b.jobId)) ?? 0));
    return Promise.all(jobs.map((job) => this.withLiveCounts(job)));
  }

  async update(jobId: string, from: readonly JobStatus[], fields: Partial<StoredJob>): Promise<StoredJob | undefined> {
    const entries = Object.entries(fields).filter(([, value]) => value !== undefined);
    const names = Object.fromEntries(entries.map(([name], index) => [`#f${index}`, name]));
    const values = Object.fromEntries(entries.map(([, value], index) => [`:f${index}`, value]));
    const statuses = Object.fromEntries(from.map((status, index) => [`:s${index}`, status]));
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: jobKey(jobId) },
          UpdateExpression: `SET ${entries.map((_, index) => `#f${index} = :f${index}`).join(', ')}`,
          ConditionExpression: `#status IN (${Object.keys(statuses).join(', ')})`,
          ExpressionAttributeNames: { ...names, '#status': 'status' },
          ExpressionAttributeValues: { ...values, ...statuses },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes ? withoutKeys(Attributes) : undefined;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  async countFile(jobId: string, index: number, outcome: FileOutcome, spentBudgets: readonly ExtensionName[] = []): Promise<boolean> {
    let counted = true;
    // In the same conditional write as the count, so that it too is counted once.
    const budget = spentBudgets.length > 0;
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: progressKey(jobId, progressShardOf(index)) },
          UpdateExpression: `ADD counted :index, done :one, #outcome :one${budget ? ', budgetSkipped :one, spentBudgets :budgets' : ''}`,
          ConditionExpression: 'attribute_not_exists(counted) OR NOT contains(counted, :indexValue)',
          ExpressionAttributeNames: { '#outcome': outcome },
          ExpressionAttributeValues: {
            ':index': new Set([index]),
            ':indexValue': index,
            ':one': 1,
            ...(budget && { ':budgets': new Set(spentBudgets) }),
          },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      counted = false;
    }
    // Also when counted already: a retried step whose roll-up failed the first time rolls it up now.
    await this.rollUp(jobId, progressShardOf(index));
    return counted;
  }

  /**
   * Moves what progress item `shard` counted since its last roll-up into its summary item: one conditional
   * write on what the summary had rolled up of it, so concurrent roll-ups never add a count twice.
   */
  private async rollUp(jobId: string, shard: number): Promise<void> {
    const attribute = rolledAttribute(shard);
    for (let attempt = 0; attempt < ROLL_UP_ATTEMPTS; attempt++) {
      const [progress, summary] = await Promise.all([
        this.client.send(
          new GetCommand({
            TableName: this.table,
            Key: { pk: progressKey(jobId, shard) },
            ConsistentRead: true,
            ProjectionExpression: 'done, succeeded, failed, skipped',
          }),
        ),
        this.client.send(
          new GetCommand({
            TableName: this.table,
            Key: { pk: summaryKey(jobId, summaryShardOf(shard)) },
            ConsistentRead: true,
            ProjectionExpression: '#rolled',
            ExpressionAttributeNames: { '#rolled': attribute },
          }),
        ),
      ]);
      const counted = countsOf(progress.Item);
      const before = summary.Item?.[attribute] as string | undefined;
      const delta = countsToRollUp(counted, decodeRolledCounts(before));
      if (!delta) return;
      try {
        await this.client.send(
          new UpdateCommand({
            TableName: this.table,
            Key: { pk: summaryKey(jobId, summaryShardOf(shard)) },
            UpdateExpression: 'SET #rolled = :now ADD done :done, succeeded :succeeded, failed :failed, skipped :skipped',
            ConditionExpression: before === undefined ? 'attribute_not_exists(#rolled)' : '#rolled = :before',
            ExpressionAttributeNames: { '#rolled': attribute },
            ExpressionAttributeValues: {
              ':now': encodeRolledCounts(counted),
              ':done': delta.done,
              ':succeeded': delta.succeeded,
              ':failed': delta.failed,
              ':skipped': delta.skipped,
              ...(before !== undefined && { ':before': before }),
            },
          }),
        );
        return;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    }
    throw new WriteConflict(`the summary of job ${jobId}'s progress item ${shard}`);
  }

  async exactCounts(jobId: string, total: number): Promise<JobTally> {
    const keys = Array.from({ length: progressShards(total) }, (_, shard) => ({ pk: progressKey(jobId, shard) }));
    const items = await batchGetAll(this.client, this.table, keys);
    const files = items.reduce((sum, item) => sum + Number(item.budgetSkipped ?? 0), 0);
    if (!files) return sumCounts(items);
    const extensions = new Set(items.flatMap((item) => [...((item.spentBudgets as Set<ExtensionName> | undefined) ?? [])]));
    return { ...sumCounts(items), budgetSkipped: { files, extensions: EXTENSION_NAMES.filter((name) => extensions.has(name)) } };
  }

  /** A running job's counts from its summary items: at most SUMMARY_SHARDS, whatever its size. */
  private async withLiveCounts(job: StoredJob): Promise<StoredJob> {
    if (job.status !== 'running' || job.total === null) return job;
    const keys = Array.from({ length: summaryShards(job.total) }, (_, shard) => ({ pk: summaryKey(job.jobId, shard) }));
    return { ...job, ...sumCounts(await batchGetAll(this.client, this.table, keys)) };
  }
}

function countsOf(item: Record<string, unknown> | undefined): JobCounts {
  const counts = { ...NO_COUNTS };
  for (const field of COUNT_FIELDS) counts[field] = Number(item?.[field] ?? 0);
  return counts;
}

function sumCounts(items: ReadonlyArray<Record<string, unknown>>): JobCounts {
  const counts = { ...NO_COUNTS };
  for (const item of items.map(countsOf)) for (const field of COUNT_FIELDS) counts[field] += item[field];
  return counts;
}
