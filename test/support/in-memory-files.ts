import type { FileStore } from '../../functions/adapters/file-store.js';
import type { FileTable, PathClaim } from '../../functions/adapters/file-table.js';
import { WriteConflict } from '../../functions/core/errors.js';
import type { FileRecord } from '../../functions/core/file-record.js';

/**
 * A bucket and a table in memory, with the conditions the real adapters enforce (version checks, path
 * claims), for the file library's ordering rules. `failPut` and `conflictOnReplace` inject the faults.
 */
export function inMemoryFiles() {
  const objects = new Map<string, { bytes: Buffer; contentType: string }>();
  const records = new Map<string, FileRecord>();
  const paths = new Map<string, PathClaim>();
  const faults = { failPut: undefined as ((key: string) => boolean) | undefined, conflictOnReplace: false };

  const store: FileStore = {
    async put(key, bytes, contentType) {
      if (faults.failPut?.(key)) throw new Error(`S3 refused ${key}`);
      objects.set(key, { bytes: Buffer.from(bytes), contentType });
    },
    async get(key) {
      const object = objects.get(key);
      if (!object) throw new Error(`no object ${key}`);
      return object.bytes;
    },
    async remove(keys) {
      for (const key of keys) objects.delete(key);
    },
    async head(key) {
      const object = objects.get(key);
      return object && { size: object.bytes.length, eTag: 'etag' };
    },
  };

  const table: Pick<FileTable, 'get' | 'getMany' | 'findPath' | 'claimPath' | 'releasePath' | 'create' | 'replace' | 'remove'> = {
    async get(fileId) {
      return records.get(fileId);
    },
    async getMany(fileIds) {
      return [...new Set(fileIds)].flatMap((fileId) => records.get(fileId) ?? []);
    },
    async findPath(filePath) {
      return paths.get(filePath);
    },
    async claimPath(filePath, fileId, now, staleClaim) {
      const held = paths.get(filePath);
      if (held && held.fileId !== staleClaim?.fileId) throw new WriteConflict(`path ${filePath}`);
      paths.set(filePath, { fileId, claimedAt: now });
    },
    async releasePath(filePath, fileId) {
      if (paths.get(filePath)?.fileId === fileId) paths.delete(filePath);
    },
    async create(record) {
      if (records.has(record.fileId)) throw new WriteConflict(`file ${record.fileId}`);
      records.set(record.fileId, record);
    },
    async replace(record, previous) {
      if (faults.conflictOnReplace || records.get(record.fileId)?.version !== previous.version) throw new WriteConflict(`file ${record.fileId}`);
      const written = { ...record, version: previous.version + 1 };
      records.set(record.fileId, written);
      return written;
    },
    async remove(record) {
      records.delete(record.fileId);
      paths.delete(record.filePath);
    },
  };

  return { store, table: table as FileTable, objects, records, faults };
}
