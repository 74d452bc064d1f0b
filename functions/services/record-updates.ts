import { setTimeout as sleep } from 'node:timers/promises';
import type { FileTable } from '../adapters/file-table.js';
import { ApiError, filesNotFound, WriteConflict } from '../core/errors.js';
import type { FileRecord } from '../core/file-record.js';

/** How the file services change records: re-read on conflict, retry, and check bulk selections first. */

export const MAX_ATTEMPTS = 8;
export const FILE_ID = /^[0-9a-f]{24}$/;

/** Between conflicting writes: 10–20 ms, doubling, so that racing writers spread out instead of colliding again. */
export const backOff = (attempt: number) => sleep((10 + Math.random() * 10) * 2 ** Math.min(attempt, 5));

/**
 * Re-reads and retries on conflict. `change` answers the next record, or undefined to leave the file as
 * it is; the result is the record after the change, or undefined when the file does not exist.
 */
export async function modifyRecord(
  table: Pick<FileTable, 'get' | 'replace'>,
  fileId: string,
  change: (record: FileRecord, now: string) => FileRecord | undefined,
  now: () => Date = () => new Date(),
): Promise<FileRecord | undefined> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const record = FILE_ID.test(fileId) ? await table.get(fileId) : undefined;
    if (!record) return undefined;
    const next = change(record, now().toISOString());
    if (!next) return record;
    try {
      return await table.replace(next, record);
    } catch (error) {
      if (!(error instanceof WriteConflict)) throw error;
      await backOff(attempt);
    }
  }
  throw new ApiError(429, 'Too many concurrent updates of this file', 'Retry the update in a moment.');
}

/** A bulk operation's precondition: every id names a file, or a 404 listing those that do not; answers their records. */
export async function requireAllFiles(table: Pick<FileTable, 'getMany'>, fileIds: readonly string[]): Promise<FileRecord[]> {
  const records = await table.getMany(fileIds.filter((fileId) => FILE_ID.test(fileId)));
  const found = new Set(records.map((record) => record.fileId));
  const missing = fileIds.filter((fileId) => !found.has(fileId));
  if (missing.length) throw filesNotFound(missing);
  return records;
}

/** Files a bulk operation changes at once: enough to overlap round trips, few enough to spare the table. */
const BULK_CONCURRENCY = 8;

/** `work` on every item, at most BULK_CONCURRENCY at a time; results in the items' order. */
export async function inBatches<T, R>(items: readonly T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let start = 0; start < items.length; start += BULK_CONCURRENCY) {
    results.push(...(await Promise.all(items.slice(start, start + BULK_CONCURRENCY).map(work))));
  }
  return results;
}
