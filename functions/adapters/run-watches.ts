import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, type DynamoDBDocumentClient, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { RunWatch } from '../core/run-watches.js';
import type { TaggingRunInput } from '../core/tagging-run.js';
import { batchGetAll } from './batch-get.js';
import { documentClient } from './clients/dynamodb.js';
import { SEARCH_INDEX } from './table-schema.js';

const { name: INDEX, partitionKey: IPK, sortKey: ISK } = SEARCH_INDEX;
/** The sparse partition of the search index that lists watches by deadline. */
const WATCHES_PARTITION = 'run-watches';
const watchKey = (runId: string) => `run-watch#${runId}`;
const indexSortKey = (deadline: string, runId: string) => `${deadline}#${runId}`;
/** A watch outlives its deadline by this long at most (DynamoDB's TTL), should no reconciler ever read it. */
const KEEP_AFTER_DEADLINE_SECONDS = 7 * 24 * 3600;
const ttlOf = (deadline: string) => Math.floor(Date.parse(deadline) / 1000) + KEEP_AFTER_DEADLINE_SECONDS;

/**
 * Watches of tagging runs (`run-watch#<runId>`), listed by deadline in the search index's `run-watches`
 * partition: the reconciler reads the ones past their deadline, no scan and no index of their own.
 */
export class RunWatchTable {
  constructor(
    private readonly table: string,
    private readonly client: DynamoDBDocumentClient = documentClient(),
  ) {}

  /** Starts watching a run (again: a retried start writes the same watch). */
  async watch(watch: RunWatch): Promise<void> {
    await this.client.send(new PutCommand({ TableName: this.table, Item: this.item(watch) }));
  }

  /** Up to `limit` watches whose deadline is before `before`, the oldest first. */
  async due(before: string, limit: number): Promise<RunWatch[]> {
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: INDEX,
        KeyConditionExpression: '#ipk = :watches AND #isk < :before',
        ExpressionAttributeNames: { '#ipk': IPK, '#isk': ISK },
        ExpressionAttributeValues: { ':watches': WATCHES_PARTITION, ':before': before },
        Limit: limit,
      }),
    );
    // The index holds the keys only: each watch is read whole, consistently (one ended meanwhile is gone).
    const watches = await batchGetAll(
      this.client,
      this.table,
      Items.map((item) => ({ pk: String(item.pk) })),
    );
    return watches
      .map((item) => ({
        runId: String(item.runId),
        fileId: String(item.fileId),
        input: JSON.parse(String(item.input)) as TaggingRunInput,
        attempt: Number(item.attempt) as RunWatch['attempt'],
        deadline: String(item.deadline),
        ...(item.resumedWebhooks !== undefined && { resumedWebhooks: item.resumedWebhooks as Record<string, number> }),
      }))
      .sort((a, b) => a.deadline.localeCompare(b.deadline));
  }

  /** Moves a watch on to its next attempt, if no other reconciler did it first (false then). */
  advance(watch: RunWatch, attempt: RunWatch['attempt'], deadline: string): Promise<boolean> {
    return this.putIf({ ...watch, attempt, deadline }, 'attempt = :attempt', { ':attempt': watch.attempt });
  }

  /**
   * Moves a run's deadline later, to `deadline`, unless it is that late already or the watch is gone (a
   * run waiting its turn at the pacer is not lost).
   */
  async extend(runId: string, deadline: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: watchKey(runId) },
          UpdateExpression: 'SET deadline = :deadline, #isk = :isk, #ttl = :ttl',
          ConditionExpression: 'attribute_exists(pk) AND deadline < :deadline',
          ExpressionAttributeNames: { '#isk': ISK, '#ttl': 'ttl' },
          ExpressionAttributeValues: {
            ':deadline': deadline,
            ':isk': indexSortKey(deadline, runId),
            ':ttl': ttlOf(deadline),
          },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /**
   * Moves a watch's deadline, with the webhooks resumed so far, if no other reconciler moved it since it was
   * read (false then).
   */
  postpone(watch: RunWatch, deadline: string, resumedWebhooks: Record<string, number>): Promise<boolean> {
    return this.putIf({ ...watch, deadline, resumedWebhooks }, 'attempt = :attempt AND deadline = :deadline', {
      ':attempt': watch.attempt,
      ':deadline': watch.deadline,
    });
  }

  /** Writes `watch` if the stored one still meets `condition` (false when another reconciler moved it first). */
  private async putIf(watch: RunWatch, condition: string, values: Record<string, unknown>): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({ TableName: this.table, Item: this.item(watch), ConditionExpression: condition, ExpressionAttributeValues: values }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async forget(runId: string): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.table, Key: { pk: watchKey(runId) } }));
  }

  private item(watch: RunWatch) {
    return {
      pk: watchKey(watch.runId),
      [IPK]: WATCHES_PARTITION,
      [ISK]: indexSortKey(watch.deadline, watch.runId),
      runId: watch.runId,
      fileId: watch.fileId,
      input: JSON.stringify(watch.input),
      attempt: watch.attempt,
      deadline: watch.deadline,
      ...(watch.resumedWebhooks && Object.keys(watch.resumedWebhooks).length && { resumedWebhooks: watch.resumedWebhooks }),
      ttl: ttlOf(watch.deadline),
    };
  }
}
