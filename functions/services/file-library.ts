import { randomBytes } from 'node:crypto';
import type { InspectedContent } from '../adapters/content-inspector.js';
import type { FileStore } from '../adapters/file-store.js';
import type { FileTable, PathClaim } from '../adapters/file-table.js';
import type { DetailsChange } from '../core/details-change.js';
import { ApiError, fileNotFound, WriteConflict } from '../core/errors.js';
import { UNIQUE_SUFFIX_LENGTH, withUniqueSuffix } from '../core/file-fields.js';
import {
  applyDetailsChange,
  type FileRecord,
  newFileRecord,
  objectKeys,
  overwriteFileRecord,
  type StartingRun,
  withRunStarted,
} from '../core/file-record.js';
import type { UploadRequest } from '../core/upload-request.js';
import { logger } from '../runtime/logger.js';
import { backOff, FILE_ID, inBatches, MAX_ATTEMPTS, modifyRecord, requireAllFiles } from './record-updates.js';

/** A path claim older than this whose record never appeared belongs to an upload that died midway. */
const STALE_CLAIM_MS = 60_000;

const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const uniqueSuffix = () => [...randomBytes(UNIQUE_SUFFIX_LENGTH)].map((byte) => SUFFIX_ALPHABET[byte % SUFFIX_ALPHABET.length]).join('');
export const newFileId = () => randomBytes(12).toString('hex');

export interface FileLibraryDeps {
  store: FileStore;
  table: FileTable;
  now?: () => Date;
  /** Names removed by hand from a file's AI tags are kept as rejected (AITAGS_REMEMBER_REJECTIONS). */
  rememberRejections?: boolean;
}

/**
 * The files use cases on top of the bucket and the table: writes are ordered so that a record never
 * points at bytes that are not there, and conflicting writers re-read and retry instead of losing data.
 */
export class FileLibrary {
  private readonly now: () => Date;

  constructor(private readonly deps: FileLibraryDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /**
   * `content` is what the caller read from the bytes (sharp stays out of the other handlers). Options:
   * `fileId` is the id a presigned upload already promised, used when the path holds no file yet; `run`
   * is a tagging run started in the record this writes, its extensions `pending`.
   */
  async upload(request: UploadRequest, content: InspectedContent, options: { fileId?: string; run?: StartingRun } = {}): Promise<FileRecord> {
    const { fileId, run } = options;
    // A presigned upload stored by an earlier attempt (then retried): write it again in place.
    const stored = fileId === undefined ? undefined : await this.deps.table.get(fileId);
    if (stored) return this.overwrite(stored, { ...request, overwriteFile: true }, content, run);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const filePath = request.folder + (request.useUniqueFileName ? withUniqueSuffix(request.fileName, uniqueSuffix()) : request.fileName);
      try {
        // A fresh unique name holds nothing: claimed at once, and a clash (another suffix) is tried again.
        if (request.useUniqueFileName) return await this.create(filePath, undefined, request, content, fileId, run);
        const claim = await this.deps.table.findPath(filePath);
        const existing = claim && (await this.deps.table.get(claim.fileId));
        return existing ? await this.overwrite(existing, request, content, run) : await this.create(filePath, claim, request, content, fileId, run);
      } catch (error) {
        if (!(error instanceof WriteConflict)) throw error;
        await backOff(attempt);
      }
    }
    throw new ApiError(429, 'Too many concurrent uploads to the same path', 'Retry the upload in a moment.');
  }

  private async create(
    filePath: string,
    claim: PathClaim | undefined,
    request: UploadRequest,
    content: InspectedContent,
    fileId = newFileId(),
    run: StartingRun | undefined = undefined,
  ): Promise<FileRecord> {
    const now = this.now();
    if (claim && now.getTime() - Date.parse(claim.claimedAt) < STALE_CLAIM_MS) {
      throw new WriteConflict(`path ${filePath}`); // another upload to this path is still writing its record
    }
    const created = newFileRecord(fileId, filePath, request, content.facts, now.toISOString());
    const record = run ? withRunStarted(created, run) : created;
    await this.deps.table.claimPath(filePath, record.fileId, record.createdAt, claim);
    try {
      await this.writeObjects(record, request.bytes, content);
      await this.deps.table.create(record);
    } catch (error) {
      // Undo what this attempt wrote: no bytes without a record, no claim without a file.
      const keys = Object.values(objectKeys(record)).filter((key): key is string => key !== undefined);
      await this.deps.store.remove(keys).catch(() => undefined);
      await this.deps.table.releasePath(filePath, record.fileId).catch(() => undefined);
      throw error;
    }
    return record;
  }

  /**
   * The conditional record write comes first: a concurrent writer makes it fail before any byte of the old
   * file is touched. Then the bytes; S3 replaces an object whole or not at all, so if that write fails
   * the old record is put back and still describes the old bytes.
   */
  private async overwrite(existing: FileRecord, request: UploadRequest, content: InspectedContent, run?: StartingRun): Promise<FileRecord> {
    const overwritten = overwriteFileRecord(existing, request, content.facts, this.now().toISOString());
    const next = run ? withRunStarted(overwritten, run) : overwritten;
    const written = await this.deps.table.replace(next, existing);
    try {
      await this.writeObjects(written, request.bytes, content);
    } catch (error) {
      await this.deps.table.replace({ ...existing, updatedAt: this.now().toISOString() }, written).catch((rollback: unknown) => {
        logger.error('Could not put the old record back after a failed overwrite', { fileId: existing.fileId, error: rollback as Error });
      });
      throw error;
    }
    const stale = Object.values(objectKeys(existing)).filter(
      (key): key is string => key !== undefined && !Object.values(objectKeys(written)).includes(key),
    );
    await this.deps.store.remove(stale);
    return written;
  }

  private async writeObjects(record: FileRecord, bytes: Buffer, content: InspectedContent): Promise<void> {
    const keys = objectKeys(record);
    const { thumbnail } = content;
    await Promise.all([
      this.deps.store.put(keys.original, bytes, record.mime),
      keys.thumbnail && thumbnail ? this.deps.store.put(keys.thumbnail, thumbnail.bytes, thumbnail.contentType) : undefined,
    ]);
  }

  /** The fileId a file at `filePath` has, or undefined (for presigned uploads, decided before the bytes exist). */
  async idAtPath(filePath: string): Promise<string | undefined> {
    const claim = await this.deps.table.findPath(filePath);
    return claim && (await this.deps.table.get(claim.fileId))?.fileId;
  }

  async get(fileId: string): Promise<FileRecord> {
    const record = FILE_ID.test(fileId) ? await this.deps.table.get(fileId) : undefined;
    if (!record) throw fileNotFound(fileId);
    return record;
  }

  async updateDetails(fileId: string, change: DetailsChange): Promise<FileRecord> {
    const updated = await modifyRecord(
      this.deps.table,
      fileId,
      (record, now) => applyDetailsChange(record, change, now, this.deps.rememberRejections ?? true),
      this.now,
    );
    if (!updated) throw fileNotFound(fileId);
    return updated;
  }

  /** Bulk delete: every file checked first (one missing → 404, nothing deleted), then each deleted. */
  async removeMany(fileIds: readonly string[]): Promise<string[]> {
    await requireAllFiles(this.deps.table, fileIds);
    await inBatches(fileIds, async (fileId) => {
      const record = await this.deps.table.get(fileId);
      // Deleted meanwhile: it is gone either way.
      if (record) await this.removeRecord(record);
    });
    return [...fileIds];
  }

  /** Bytes first, then the record: a failure half-way leaves a record that a retried DELETE finishes. */
  async remove(fileId: string): Promise<void> {
    await this.removeRecord(await this.get(fileId));
  }

  private async removeRecord(record: FileRecord): Promise<void> {
    await this.deps.store.remove(Object.values(objectKeys(record)).filter((key): key is string => key !== undefined));
    await this.deps.table.remove(record);
  }
}
