import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { FileRecord } from '../core/file-record.js';
import { indexedTags } from '../core/search-index.js';
import { tagEntryKey, tagPartition } from '../core/table-keys.js';
import { SEARCH_INDEX } from './table-schema.js';

/** Sorts after every record version: what a deleted file's entries are settled at. */
const GONE = Number.MAX_SAFE_INTEGER;
/** How long an absent entry keeps its version (so an older writer cannot bring it back) before TTL drops it. */
const TOMBSTONE_SECONDS = 7 * 24 * 3600;

const { partitionKey: IPK, sortKey: ISK } = SEARCH_INDEX;

/**
 * The (tag, file) entries of the search index. An entry in the index is a candidate, never the truth:
 * writers put entries for tags they add before the record changes (`announce`), and after it decide
 * every entry they touched from the record they wrote (`settle`). Each settled entry carries the record
 * version it was decided at, and only a decision at the same or a newer version replaces it, so writers
 * racing on one file leave the entries of the last record, whatever order their settles land in.
 *
 * A writer that knows the version its write will give the record if nobody writes first can announce
 * at that version (`announceAt`): the entries are then decided before the write, and when the write
 * lands at that version they are settled already.
 */
export class SearchEntries {
  constructor(
    private readonly table: string,
    private readonly client: DynamoDBDocumentClient,
  ) {}

  /** Makes the entries findable before the record that holds their tags is written. */
  async announce(fileId: string, tags: Iterable<string>): Promise<void> {
    await Promise.all(
      [...tags].map((tag) =>
        this.client.send(
          new UpdateCommand({
            TableName: this.table,
            Key: { pk: tagEntryKey(fileId, tag) },
            UpdateExpression: 'SET #ipk = :ipk, #isk = :fileId, fileId = :fileId REMOVE #ttl',
            ExpressionAttributeNames: { '#ipk': IPK, '#isk': ISK, '#ttl': 'ttl' },
            ExpressionAttributeValues: { ':ipk': tagPartition(tag), ':fileId': fileId },
          }),
        ),
      ),
    );
  }

  /**
   * Makes the entries findable before the record that holds their tags is written, decided present at
   * `version`: the version the write gives the record when nobody writes in between. A newer decision
   * stands (the write then lands at a newer version too, and settles them).
   */
  async announceAt(fileId: string, tags: Iterable<string>, version: number): Promise<void> {
    await Promise.all([...tags].map((tag) => this.decide(fileId, tag, true, version)));
  }

  /**
   * Decides each entry of `tags` from `record` (the file as some write left it, or undefined once it is
   * gone): present in the index if the record has the tag, absent otherwise.
   */
  async settle(fileId: string, tags: Iterable<string>, record: FileRecord | undefined): Promise<void> {
    const present = record ? indexedTags(record) : new Set<string>();
    const version = record?.version ?? GONE;
    await Promise.all([...tags].map((tag) => this.decide(fileId, tag, present.has(tag), version)));
  }

  private async decide(fileId: string, tag: string, present: boolean, version: number): Promise<void> {
    const names = { '#ipk': IPK, '#isk': ISK, '#ttl': 'ttl' };
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: tagEntryKey(fileId, tag) },
          ...(present
            ? {
                UpdateExpression: 'SET #ipk = :ipk, #isk = :fileId, fileId = :fileId, entryVersion = :version REMOVE #ttl',
                ExpressionAttributeValues: { ':ipk': tagPartition(tag), ':fileId': fileId, ':version': version },
              }
            : {
                UpdateExpression: 'SET fileId = :fileId, entryVersion = :version, #ttl = :ttl REMOVE #ipk, #isk',
                ExpressionAttributeValues: { ':fileId': fileId, ':version': version, ':ttl': Math.floor(Date.now() / 1000) + TOMBSTONE_SECONDS },
              }),
          ConditionExpression: 'attribute_not_exists(entryVersion) OR entryVersion <= :version',
          ExpressionAttributeNames: names,
        }),
      );
    } catch (error) {
      // A newer version decided this entry already: its decision stands.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}
