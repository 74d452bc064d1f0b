import { searchTagKey } from './search-values.js';

/**
 * The table keys that hold values a caller or a provider sends (docs/architecture.md, "List and search"),
 * built here so that the checks below measure exactly what the adapters write. DynamoDB refuses a write
 * whose key, or search index key, is over its limit (dynalite does not check), and a Query whose key
 * condition is: a value that would make one is refused before anything is written or read.
 */

/** DynamoDB's limits, in UTF-8 bytes: a partition key (the table's `pk`, the index's `ipk`) and a sort key (`isk`). */
export const MAX_PARTITION_KEY_BYTES = 2048;
export const MAX_SORT_KEY_BYTES = 1024;

export const utf8Bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

/** A path claim: which file holds `filePath`. */
export const pathKey = (filePath: string) => `path#${filePath}`;
/** The index partition of path claims under one top-level folder; their sort key is the path itself. */
export const folderPartition = (topFolder: string) => `folder#${topFolder}`;
/** One (tag, file) entry of the index; `tagKey` is the tag as searchTagKey keys it. */
export const tagEntryKey = (fileId: string, tagKey: string) => `tag#${fileId}#${tagKey}`;
/** The index partition of a tag's entries. */
export const tagPartition = (tagKey: string) => `tag#${tagKey}`;

/** The fileIds aitags makes are 24 hex digits: the most a tag entry's key holds beside its tag. */
const LONGEST_FILE_ID = '0'.repeat(24);

/** The most UTF-8 bytes a tag may have, lowercased as the index keys it: its entry's key then fits. */
export const MAX_TAG_BYTES = MAX_PARTITION_KEY_BYTES - utf8Bytes(tagEntryKey(LONGEST_FILE_ID, ''));

/**
 * The UTF-8 bytes of `tag` as the index keys it, when a key built from it (its entry's, or its partition
 * in the index that a search queries) would be over DynamoDB's limit; undefined when they fit.
 */
export function oversizedTagBytes(tag: string): number | undefined {
  const key = searchTagKey(tag);
  const fits = utf8Bytes(tagEntryKey(LONGEST_FILE_ID, key)) <= MAX_PARTITION_KEY_BYTES && utf8Bytes(tagPartition(key)) <= MAX_PARTITION_KEY_BYTES;
  return fits ? undefined : utf8Bytes(key);
}

/** How every refusal of a tag ends: `… is 2100 bytes in UTF-8; a tag may be at most 2019`. */
export const oversizedTagText = (bytes: number) => `is ${bytes} bytes in UTF-8; a tag may be at most ${MAX_TAG_BYTES}`;

export const TAG_BYTES_HELP = `A tag is at most ${MAX_TAG_BYTES} bytes in UTF-8, counted lowercased (the search index keys tags so): a character outside ASCII takes 2 to 4 bytes.`;
