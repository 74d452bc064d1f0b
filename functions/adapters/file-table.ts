import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { WriteConflict } from '../core/errors.js';
import type { ExtensionName } from '../core/extension-names.js';
import type { AITag, ExtensionError, FileRecord, PendingWebhook } from '../core/file-record.js';
import { documentClient } from './clients/dynamodb.js';

/** Which file holds a `filePath`, and since when (a claim whose record never appeared can be taken over). */
export interface PathClaim {
  fileId: string;
  claimedAt: string;
}

/**
 * File records and path claims in one DynamoDB table keyed by `pk`: `file#<fileId>` holds a record,
 * `path#<filePath>` names the file at that path (DynamoDB has no unique secondary keys).
 */
export interface FileTable {
  get(fileId: string): Promise<FileRecord | undefined>;
  findPath(filePath: string): Promise<PathClaim | undefined>;
  /** Claims a free path, or takes over `staleClaim`; throws WriteConflict if someone else holds it. */
  claimPath(filePath: string, fileId: string, now: string, staleClaim?: PathClaim): Promise<void>;
  releasePath(filePath: string, fileId: string): Promise<void>;
  /** Writes a new record (fails with WriteConflict if the fileId exists). */
  create(record: FileRecord): Promise<void>;
  /** Writes `record` if the stored version is still `expectedVersion`; the written version is one more. */
  replace(record: FileRecord, expectedVersion: number): Promise<FileRecord>;
  remove(record: FileRecord): Promise<void>;
  /** Marks each extension `pending` for `runId` (a newer run supersedes an older one); throws WriteConflict if the file is gone. */
  startRun(fileId: string, runId: string, names: readonly ExtensionName[]): Promise<FileRecord>;
  /**
   * Lands one extension's result atomically: its tags replace that source's tags only. Returns the
   * record after the write, or undefined when `runId` is no longer the extension's latest run (or the
   * file is gone): a stale result is dropped.
   */
  recordOutcome(fileId: string, runId: string, name: ExtensionName, outcome: ExtensionResult): Promise<FileRecord | undefined>;
  /**
   * Marks `name` as reported `pending` to a caller with a webhook, only if it still is pending in
   * `pending.runId`; false when it became final first (then the caller is told the final status).
   */
  reportPending(fileId: string, name: ExtensionName, pending: PendingWebhook): Promise<boolean>;
  /** Drops the mark of an event whose delivery is final, so marks do not pile up on the record. */
  settleWebhook(fileId: string, eventId: string): Promise<void>;
}

export type ExtensionResult = { status: 'success'; tags: AITag[] } | { status: 'failed'; error: ExtensionError };

const fileKey = (fileId: string) => `file#${fileId}`;
const pathKey = (filePath: string) => `path#${filePath}`;

function withoutKey(item: Record<string, unknown> | undefined): FileRecord {
  const { pk: _pk, ...record } = item ?? {};
  return record as unknown as FileRecord;
}

async function conditional<T>(what: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) throw new WriteConflict(what);
    throw error;
  }
}

export class DynamoFileTable implements FileTable {
  constructor(
    private readonly table: string,
    private readonly client: DynamoDBDocumentClient = documentClient(),
  ) {}

  async get(fileId: string): Promise<FileRecord | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.table, Key: { pk: fileKey(fileId) }, ConsistentRead: true }));
    return Item ? withoutKey(Item) : undefined;
  }

  async findPath(filePath: string): Promise<PathClaim | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.table, Key: { pk: pathKey(filePath) }, ConsistentRead: true }));
    return Item ? { fileId: String(Item.fileId), claimedAt: String(Item.claimedAt) } : undefined;
  }

  async claimPath(filePath: string, fileId: string, now: string, staleClaim?: PathClaim): Promise<void> {
    await conditional(`path ${filePath}`, () =>
      this.client.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: pathKey(filePath), fileId, claimedAt: now },
          ...(staleClaim
            ? {
                ConditionExpression: 'fileId = :stale AND claimedAt = :claimedAt',
                ExpressionAttributeValues: { ':stale': staleClaim.fileId, ':claimedAt': staleClaim.claimedAt },
              }
            : { ConditionExpression: 'attribute_not_exists(pk)' }),
        }),
      ),
    );
  }

  async releasePath(filePath: string, fileId: string): Promise<void> {
    await conditional(`path ${filePath}`, () =>
      this.client.send(
        new DeleteCommand({
          TableName: this.table,
          Key: { pk: pathKey(filePath) },
          ConditionExpression: 'attribute_not_exists(pk) OR fileId = :fileId',
          ExpressionAttributeValues: { ':fileId': fileId },
        }),
      ),
    );
  }

  async create(record: FileRecord): Promise<void> {
    await conditional(`file ${record.fileId}`, () =>
      this.client.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: fileKey(record.fileId), ...record },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }

  async replace(record: FileRecord, expectedVersion: number): Promise<FileRecord> {
    const written = { ...record, version: expectedVersion + 1 };
    await conditional(`file ${record.fileId}`, () =>
      this.client.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: fileKey(record.fileId), ...written },
          ConditionExpression: '#version = :expected',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':expected': expectedVersion },
        }),
      ),
    );
    return written;
  }

  async startRun(fileId: string, runId: string, names: readonly ExtensionName[]): Promise<FileRecord> {
    const names_ = Object.fromEntries(names.map((name, index) => [`#e${index}`, name]));
    const sets = names.flatMap((_, index) => [`extensionStatus.#e${index} = :pending`, `extensionRuns.#e${index} = :run`]);
    const removes = names.map((_, index) => `extensionErrors.#e${index}`);
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: fileKey(fileId) },
          UpdateExpression: `SET ${sets.join(', ')}, #version = #version + :one REMOVE ${removes.join(', ')}`,
          // A run's extensions are started together: if the first already belongs to this run, this is a retried start.
          ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(extensionRuns.#e0) OR extensionRuns.#e0 <> :run)',
          ExpressionAttributeNames: { ...names_, '#version': 'version' },
          ExpressionAttributeValues: { ':pending': 'pending', ':run': runId, ':one': 1 },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return withoutKey(Attributes);
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // Started already: its statuses (maybe final by now) are left as they are.
      if (error.Item) return withoutKey(unmarshall(error.Item));
      throw new WriteConflict(`file ${fileId}`);
    }
  }

  async recordOutcome(fileId: string, runId: string, name: ExtensionName, outcome: ExtensionResult): Promise<FileRecord | undefined> {
    const update =
      outcome.status === 'success'
        ? {
            expression:
              'SET aiTags.#name = :tags, extensionStatus.#name = :status, updatedAt = :now, #version = #version + :one REMOVE extensionErrors.#name',
            values: { ':tags': outcome.tags },
          }
        : {
            expression: 'SET extensionErrors.#name = :error, extensionStatus.#name = :status, updatedAt = :now, #version = #version + :one',
            values: { ':error': outcome.error },
          };
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: fileKey(fileId) },
          UpdateExpression: update.expression,
          ConditionExpression: 'extensionRuns.#name = :run',
          ExpressionAttributeNames: { '#name': name, '#version': 'version' },
          ExpressionAttributeValues: { ...update.values, ':status': outcome.status, ':run': runId, ':one': 1, ':now': new Date().toISOString() },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return withoutKey(Attributes);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  async reportPending(fileId: string, name: ExtensionName, pending: PendingWebhook): Promise<boolean> {
    return this.writeIf(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: fileKey(fileId) },
        UpdateExpression: 'SET pendingWebhooks.#event = :report, #version = #version + :one',
        ConditionExpression: 'extensionRuns.#name = :run AND extensionStatus.#name = :pending',
        ExpressionAttributeNames: { '#name': name, '#event': pending.eventId, '#version': 'version' },
        ExpressionAttributeValues: { ':report': pending, ':run': pending.runId, ':pending': 'pending', ':one': 1 },
      }),
    );
  }

  async settleWebhook(fileId: string, eventId: string): Promise<void> {
    await this.writeIf(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: fileKey(fileId) },
        UpdateExpression: 'REMOVE pendingWebhooks.#event SET #version = #version + :one',
        // A deleted file stays deleted: an update must not bring back a stub item.
        ConditionExpression: 'attribute_exists(pendingWebhooks.#event)',
        ExpressionAttributeNames: { '#event': eventId, '#version': 'version' },
        ExpressionAttributeValues: { ':one': 1 },
      }),
    );
  }

  private async writeIf(command: UpdateCommand): Promise<boolean> {
    try {
      await this.client.send(command);
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async remove(record: FileRecord): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.table, Key: { pk: fileKey(record.fileId) } }));
    await this.releasePath(record.filePath, record.fileId);
  }
}
