import { createdPartition } from '../../functions/adapters/file-table.js';
import { folderPartition, tagEntryKey, tagPartition } from '../../functions/core/table-keys.js';
import { SEARCH_INDEX } from '../../functions/adapters/table-schema.js';
import type { FileRecord } from '../../functions/core/file-record.js';
import { indexedTags, monthOf, topFolderOf } from '../../functions/core/search-index.js';
import { unindexedItems } from './seed.js';

const { partitionKey: IPK, sortKey: ISK } = SEARCH_INDEX;

/**
 * A file's items as DynamoFileTable.reindex leaves them, built from the adapter's own key helpers so the
 * 100k library can be seeded with BatchWriteItem (reindexing it through the adapter would take ~20 min
 * on dynalite). The bench checks this layout against a reindexAll of a sample before it relies on it.
 * The month registry is left to the adapter (reindex of one file per month).
 */
export function indexedItems(record: FileRecord): Array<Record<string, unknown>> {
  const [recordItem, claimItem] = unindexedItems(record) as [Record<string, unknown>, Record<string, unknown>];
  return [
    { ...recordItem, [IPK]: createdPartition(monthOf(record.createdAt)), [ISK]: `${record.createdAt}#${record.fileId}` },
    { ...claimItem, [IPK]: folderPartition(topFolderOf(record.filePath)), [ISK]: record.filePath },
    ...[...indexedTags(record)].map((tag) => ({
      pk: tagEntryKey(record.fileId, tag),
      [IPK]: tagPartition(tag),
      [ISK]: record.fileId,
      fileId: record.fileId,
      entryVersion: record.version,
    })),
  ];
}
