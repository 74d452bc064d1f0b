import type { FileRecord } from './file-record.js';
import { tagKeysInScope } from './search-match.js';

/**
 * What the search index holds for a file, as plain values (the adapter turns them into items):
 * one entry per distinct lowercased tag among its user and AI tags, its folder under its top-level
 * folder, and its creation time under its month.
 */

/** The tag keys a file is found by: user and AI tags of every source, lowercased, once each. */
export function indexedTags(record: Pick<FileRecord, 'tags' | 'aiTags'>): Set<string> {
  return tagKeysInScope(record, 'any');
}

/** Keys present in exactly one of the two records: the entries a write from `before` to `after` changes. */
export function changedTags(
  before: Pick<FileRecord, 'tags' | 'aiTags'> | undefined,
  after: Pick<FileRecord, 'tags' | 'aiTags'> | undefined,
): Set<string> {
  const was = before ? indexedTags(before) : new Set<string>();
  const is = after ? indexedTags(after) : new Set<string>();
  return new Set([...[...was].filter((key) => !is.has(key)), ...[...is].filter((key) => !was.has(key))]);
}

/** Keys in `after` that `before` lacks: the entries to write before the record. */
export function addedTags(before: Pick<FileRecord, 'tags' | 'aiTags'> | undefined, after: Pick<FileRecord, 'tags' | 'aiTags'>): Set<string> {
  const was = before ? indexedTags(before) : new Set<string>();
  return new Set([...indexedTags(after)].filter((key) => !was.has(key)));
}

/**
 * `/shoots/2024/a.jpg` → `/shoots/`; `/a.jpg` → `/`. Folder entries are partitioned by it, so a folder
 * and everything below it is one key range of one partition.
 */
export function topFolderOf(path: string): string {
  const second = path.indexOf('/', 1);
  return second === -1 ? '/' : path.slice(0, second + 1);
}

/** `2026-11-30T08:00:00.000Z` → `2026-11`: files are listed in creation order one month partition at a time. */
export function monthOf(iso: string): string {
  return iso.slice(0, 7);
}
