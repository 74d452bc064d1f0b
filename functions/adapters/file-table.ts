import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand, paginateScan, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { WriteConflict } from '../core/errors.js';
import type { ExtensionName } from '../core/extension-names.js';
import { applyExtensionResult, type ExtensionResult, type FileRecord, type PendingWebhook } from '../core/file-record.js';
import { addedTags, changedTags, indexedTags, monthOf, topFolderOf } from '../core/search-index.js';
import { folderPartition, pathKey } from '../core/table-keys.js';
import { batchGetAll } from './batch-get.js';
import { documentClient } from './clients/dynamodb.js';
import { SearchEntries } from './search-entries.js';
import { SEARCH_INDEX } from './table-schema.js';

/** Which file holds a `filePath`, and since when (a claim whose record never appeared can be taken over). */
export interface PathClaim {
  fileId: string;
  claimedAt: string;
}

/**
 * File records and path claims in one DynamoDB table keyed by `pk`: `file#<fileId>` holds a record,
 * `path#<filePath>` names the file at that path (DynamoDB has no unique secondary keys). Every write keeps
 * the search index (docs/architecture.md, "List and search"): the record lists its file under its
 * creation month, the path claim under its top-level folder, and `tag#<fileId>#<tag>` entries (search-entries.ts)
 * list it under each of its tags.
 */
export interface FileTable {
  get(fileId: string): Promise<FileRecord | undefined>;
  /** The records of those of `fileIds` that exist (consistent reads), in no particular order. */
  getMany(fileIds: readonly string[]): Promise<FileRecord[]>;
  findPath(filePath: string): Promise<PathClaim | undefined>;
  /** Claims a free path, or takes over `staleClaim`; throws WriteConflict if someone else holds it. */
  claimPath(filePath: string, fileId: string, now: string, staleClaim?: PathClaim): Promise<void>;
  releasePath(filePath: string, fileId: string): Promise<void>;
  /** Writes a new record (fails with WriteConflict if the fileId exists). */
  create(record: FileRecord): Promise<void>;
  /** Writes `record` if the stored one is still `previous` (same version); the written version is one more. */
  replace(record: FileRecord, previous: FileRecord): Promise<FileRecord>;
  remove(record: FileRecord): Promise<void>;
  /** Marks each extension `pending` for `runId` (a newer run supersedes an older one); throws WriteConflict if the file is gone. */
  /**
   * With `expectedVersion`, only if the record is still that version (a tagging job starts a run only on the
   * record it checked); WriteConflict otherwise.
   */
  startRun(fileId: string, runId: string, names: readonly ExtensionName[], expectedVersion?: number): Promise<FileRecord>;
  /**
   * Lands one extension's result atomically: its tags replace that source's tags only. Returns the
   * record after the write, or undefined when `runId` is no longer the extension's latest run, when the
   * extension is no longer `pending` in it (recorded already), or when the file is gone: the result is dropped. `readVersion` is the record version the result was worked
   * out from (the tagger's read): its tags are announced at the next version, and need no settling when
   * the write gives the record that version.
   */
  recordOutcome(
    fileId: string,
    runId: string,
    name: ExtensionName,
    outcome: ExtensionResult,
    readVersion?: number,
    decidedWithRejected?: readonly string[],
  ): Promise<FileRecord | undefined>;
  /**
   * Marks `name` as reported `pending` to a caller with a webhook, only if it still is pending in
   * `pending.runId`; false when it became final first (then the caller is told the final status).
   */
  reportPending(fileId: string, name: ExtensionName, pending: PendingWebhook): Promise<boolean>;
  /** Drops the mark of an event whose delivery is final, so marks do not pile up on the record. */
  settleWebhook(fileId: string, eventId: string): Promise<void>;
}

export type { ExtensionResult } from '../core/file-record.js';

const fileKey = (fileId: string) => `file#${fileId}`;
/** The item that lists the month partitions files were created in (file-index.ts walks them). */
export const MONTHS_KEY = 'index#months';
/** Records that every file stored so far is indexed (by this version of the index's layout). */
const INDEX_STATE_KEY = 'index#state';
const INDEX_VERSION = 1;

/** The index partition of files by creation month (path claims' and tag entries' keys: core/table-keys.ts). */
export const createdPartition = (month: string) => `created#${month}`;

const { partitionKey: IPK, sortKey: ISK } = SEARCH_INDEX;

/** The index keys that list a record by creation time. */
const createdKeys = (record: Pick<FileRecord, 'fileId' | 'createdAt'>) => ({
  [IPK]: createdPartition(monthOf(record.createdAt)),
  [ISK]: `${record.createdAt}#${record.fileId}`,
});
/** The index keys that list a path claim under its top-level folder. */
const folderKeys = (filePath: string) => ({ [IPK]: folderPartition(topFolderOf(filePath)), [ISK]: filePath });

/**
 * A record as stored: its key, and the index keys that list it by creation time. `customMetadata` is kept
 * as its JSON text: the document client cannot marshal a map with a key such as `constructor`, nor read
 * back one named `__proto__`, and the API stores any key as written. `rejectedAITags` too, a string a
 * tagger's write can be conditioned on (rejectedText).
 */
function fileItem(record: FileRecord): Record<string, unknown> {
  return {
    pk: fileKey(record.fileId),
    ...record,
    customMetadata: JSON.stringify(record.customMetadata),
    rejectedAITags: record.rejectedAITags?.length ? rejectedText(record.rejectedAITags) : undefined,
    ...createdKeys(record),
  };
}

const rejectedText = (names: readonly string[]) => JSON.stringify(names);

function withoutKey(item: Record<string, unknown> | undefined): FileRecord {
  const { pk: _pk, [IPK]: _ipk, [ISK]: _isk, ...record } = item ?? {};
  // Records written before the JSON text hold a map (which could only carry ordinary keys).
  if (typeof record.customMetadata === 'string') record.customMetadata = JSON.parse(record.customMetadata);
  if (typeof record.rejectedAITags === 'string') record.rejectedAITags = JSON.parse(record.rejectedAITags);
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
  private readonly entries: SearchEntries;
  /** Months this instance has listed in the month registry already (each is written once per process). */
  private readonly registeredMonths = new Set<string>();

  constructor(
    private readonly table: string,
    private readonly client: DynamoDBDocumentClient = documentClient(),
  ) {
    this.entries = new SearchEntries(table, client);
  }

  async get(fileId: string): Promise<FileRecord | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.table, Key: { pk: fileKey(fileId) }, ConsistentRead: true }));
    return Item ? withoutKey(Item) : undefined;
  }

  async getMany(fileIds: readonly string[]): Promise<FileRecord[]> {
    const keys = [...new Set(fileIds)].map((fileId) => ({ pk: fileKey(fileId) }));
    return (await batchGetAll(this.client, this.table, keys)).map(withoutKey);
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
          Item: { pk: pathKey(filePath), fileId, claimedAt: now, ...folderKeys(filePath) },
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
    const tags = indexedTags(record);
    await this.entries.announce(record.fileId, tags);
    await this.writeAnnounced(record.fileId, tags, () =>
      this.client.send(new PutCommand({ TableName: this.table, Item: fileItem(record), ConditionExpression: 'attribute_not_exists(pk)' })),
    );
    // A new file's entries need no settling: nothing older than its first version can decide them.
    await this.registerMonth(monthOf(record.createdAt));
  }

  async replace(record: FileRecord, previous: FileRecord): Promise<FileRecord> {
    const written = { ...record, version: previous.version + 1 };
    const added = addedTags(previous, written);
    // The write is conditional on the version, so it lands at written.version or not at all.
    await this.entries.announceAt(record.fileId, added, written.version);
    await this.writeAnnounced(record.fileId, added, () =>
      this.client.send(
        new PutCommand({
          TableName: this.table,
          Item: fileItem(written),
          ConditionExpression: '#version = :expected',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':expected': previous.version },
        }),
      ),
    );
    // The added tags were decided at this version before the write: only the removed ones are left.
    const removed = [...changedTags(previous, written)].filter((tag) => !added.has(tag));
    await this.entries.settle(record.fileId, removed, written);
    return written;
  }

  /**
   * Runs a conditional record write whose new tags were announced; if the condition fails, the announced
   * entries are decided from the record as it is (one that lacks them drops them) and WriteConflict follows.
   */
  private async writeAnnounced(fileId: string, announced: Set<string>, write: () => Promise<unknown>): Promise<void> {
    try {
      await write();
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      if (announced.size) await this.entries.settle(fileId, announced, await this.get(fileId));
      throw new WriteConflict(`file ${fileId}`);
    }
  }

  /** Lists `month` in the registry the creation-order walk reads (file-index.ts); idempotent. */
  private async registerMonth(month: string): Promise<void> {
    if (this.registeredMonths.has(month)) return;
    await this.client.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: MONTHS_KEY },
        UpdateExpression: 'ADD months :month',
        ExpressionAttributeValues: { ':month': new Set([month]) },
      }),
    );
    this.registeredMonths.add(month);
  }

  async startRun(fileId: string, runId: string, names: readonly ExtensionName[], expectedVersion?: number): Promise<FileRecord> {
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
          ConditionExpression: `attribute_exists(pk) AND (attribute_not_exists(extensionRuns.#e0) OR extensionRuns.#e0 <> :run)${
            expectedVersion === undefined ? '' : ' AND #version = :expected'
          }`,
          ExpressionAttributeNames: { ...names_, '#version': 'version' },
          ExpressionAttributeValues: {
            ':pending': 'pending',
            ':run': runId,
            ':one': 1,
            ...(expectedVersion !== undefined && { ':expected': expectedVersion }),
          },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return withoutKey(Attributes);
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // Started already: its statuses (maybe final by now) are left as they are.
      const current = error.Item ? withoutKey(unmarshall(error.Item)) : undefined;
      if (current?.extensionRuns[names[0] as ExtensionName] === runId) return current;
      throw new WriteConflict(`file ${fileId}`);
    }
  }

  async recordOutcome(
    fileId: string,
    runId: string,
    name: ExtensionName,
    outcome: ExtensionResult,
    readVersion?: number,
    /** The rejected names the tags were decided with: the write lands only while they are still the file's. */
    decidedWithRejected?: readonly string[],
  ): Promise<FileRecord | undefined> {
    const announced = outcome.status === 'success' ? indexedTags({ tags: null, aiTags: { [name]: outcome.tags } }) : new Set<string>();
    const announcedAt = readVersion === undefined ? undefined : readVersion + 1;
    if (announcedAt === undefined) await this.entries.announce(fileId, announced);
    else await this.entries.announceAt(fileId, announced, announcedAt);
    const now = new Date().toISOString();
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
    // A rejection landing while the run was under way must not let a rejected tag in: the caller re-decides.
    const rejections =
      outcome.status !== 'success' || decidedWithRejected === undefined
        ? undefined
        : decidedWithRejected.length
          ? { condition: ' AND #rejected = :rejected', values: { ':rejected': rejectedText(decidedWithRejected) } }
          : { condition: ' AND attribute_not_exists(#rejected)', values: {} };
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: fileKey(fileId) },
          UpdateExpression: update.expression,
          // Only while the extension is pending for this run: a duplicate execution, or a retry after this
          // write landed, never records twice (nor re-indexes tags, nor re-decides a webhook owed).
          ConditionExpression: `extensionRuns.#name = :run AND extensionStatus.#name = :pending${rejections?.condition ?? ''}`,
          ExpressionAttributeNames: { '#name': name, '#version': 'version', ...(rejections && { '#rejected': 'rejectedAITags' }) },
          ExpressionAttributeValues: {
            ...update.values,
            ...rejections?.values,
            ':status': outcome.status,
            ':run': runId,
            ':pending': 'pending',
            ':one': 1,
            ':now': now,
          },
          // The record before the update: the tags it replaced are entries to settle.
          ReturnValues: 'ALL_OLD',
        }),
      );
      const before = withoutKey(Attributes);
      const after = applyExtensionResult(before, name, outcome, now);
      // Announced tags the record had before were decided by the writes that added them; the others changed.
      const changed = changedTags(before, after);
      // Announced at the version the write gave the record: decided as they stand.
      if (after.version === announcedAt) for (const tag of announced) changed.delete(tag);
      await this.entries.settle(fileId, changed, after);
      return after;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      if (announced.size) await this.entries.settle(fileId, announced, await this.get(fileId));
      return undefined;
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

  /** Record first, then its entries (settled as gone, so no late writer revives them), then the path. */
  async remove(record: FileRecord): Promise<void> {
    const { Attributes } = await this.client.send(
      new DeleteCommand({ TableName: this.table, Key: { pk: fileKey(record.fileId) }, ReturnValues: 'ALL_OLD' }),
    );
    const tags = new Set([...indexedTags(record), ...(Attributes ? indexedTags(withoutKey(Attributes)) : [])]);
    await this.entries.settle(record.fileId, tags, undefined);
    await this.releasePath(record.filePath, record.fileId);
  }

  /**
   * Lists a file stored before the index existed, or re-lists one whose entries may be off (`npm run
   * reindex`): its creation keys, every tag entry decided at its version, its path claim's folder keys,
   * its month. Idempotent.
   */
  async reindex(record: FileRecord): Promise<void> {
    await this.setIndexKeys(fileKey(record.fileId), createdKeys(record), 'attribute_exists(pk)');
    await this.entries.settle(record.fileId, indexedTags(record), record);
    // Only the file's own claim: a path taken over by a newer file is that file's to list.
    await this.setIndexKeys(pathKey(record.filePath), folderKeys(record.filePath), 'fileId = :fileId', { ':fileId': record.fileId });
    await this.registerMonth(monthOf(record.createdAt));
  }

  /** Writes an item's index keys if `condition` holds (false, and nothing written, otherwise). */
  private setIndexKeys(pk: string, keys: Record<string, string>, condition: string, values: Record<string, string> = {}): Promise<boolean> {
    return this.writeIf(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk },
        UpdateExpression: 'SET #ipk = :ipk, #isk = :isk',
        ConditionExpression: condition,
        ExpressionAttributeNames: { '#ipk': IPK, '#isk': ISK },
        ExpressionAttributeValues: { ':ipk': keys[IPK], ':isk': keys[ISK], ...values },
      }),
    );
  }

  /**
   * Reindexes every file (a full table scan: for migrations, never for a request). With `ifNeeded`, only
   * when this table has not been fully indexed yet by this index version. Answers how many files it indexed.
   */
  async reindexAll(options: { ifNeeded: boolean; concurrency?: number }): Promise<number> {
    const marker = { TableName: this.table, Key: { pk: INDEX_STATE_KEY } };
    if (options.ifNeeded) {
      const { Item } = await this.client.send(new GetCommand({ ...marker, ConsistentRead: true }));
      if (Number(Item?.indexVersion) >= INDEX_VERSION) return 0;
    }
    let indexed = 0;
    const concurrency = options.concurrency ?? 16;
    for await (const records of this.allRecords()) {
      for (let start = 0; start < records.length; start += concurrency) {
        await Promise.all(records.slice(start, start + concurrency).map((record) => this.reindex(record)));
      }
      indexed += records.length;
    }
    await this.client.send(
      new PutCommand({ TableName: this.table, Item: { pk: INDEX_STATE_KEY, indexVersion: INDEX_VERSION, indexedAt: new Date().toISOString() } }),
    );
    return indexed;
  }

  /** Every file record, a page at a time (a full table scan: for reindexing, never for a request). */
  async *allRecords(): AsyncGenerator<FileRecord[]> {
    const pages = paginateScan(
      { client: this.client },
      {
        TableName: this.table,
        FilterExpression: 'begins_with(pk, :file)',
        ExpressionAttributeValues: { ':file': 'file#' },
        ConsistentRead: true,
      },
    );
    for await (const page of pages) yield (page.Items ?? []).map(withoutKey);
  }
}
