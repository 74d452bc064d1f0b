import type { PresignedUrls } from '../adapters/presigned-urls.js';
import type { InboxTable } from '../adapters/inbox-table.js';
import { type DirectUploadRequest, newUploadId, PRESIGNED_UPLOAD_SECONDS, uploadObjectKey } from '../core/direct-upload.js';
import { ensureOverwriteAllowed } from '../core/file-record.js';
import { logger } from '../runtime/logger.js';
import { type FileLibrary, newFileId } from './file-library.js';

export interface DirectUploadsDeps {
  files: FileLibrary;
  presigned: PresignedUrls;
  inbox: InboxTable;
  maxS3UploadBytes: number;
}

export interface IssuedUpload {
  fileId: string;
  uploadUrl: string;
  method: 'PUT';
  headers: Record<string, string>;
  expiresAt: string;
  maxBytes: number;
}

/**
 * A presigned PUT straight to S3 for a file too large for the API. The request's settings wait in the
 * table as an upload intent; the bucket's ObjectCreated event stores and tags the file.
 */
export async function issueDirectUpload({ settings, size, contentType }: DirectUploadRequest, deps: DirectUploadsDeps): Promise<IssuedUpload> {
  const filePath = settings.folder + settings.fileName;
  const existingId = settings.useUniqueFileName ? undefined : await deps.files.idAtPath(filePath);
  if (existingId) ensureOverwriteAllowed(filePath, settings.overwriteFile);
  const fileId = existingId ?? newFileId();
  logger.appendKeys({ fileId });
  const expiresAt = new Date(Date.now() + PRESIGNED_UPLOAD_SECONDS * 1000);
  const uploadId = newUploadId();
  const key = uploadObjectKey(uploadId, settings.fileName);
  const uploadUrl = await deps.presigned.put(key, size, contentType, PRESIGNED_UPLOAD_SECONDS);
  // Kept a day past expiry: an upload that started just before expiry still finds its settings.
  await deps.inbox.putIntent(
    { uploadId, fileId, settings, size, contentType, expiresAt: expiresAt.toISOString(), state: 'waiting' },
    new Date(expiresAt.getTime() + 86_400_000),
  );
  logger.info('Presigned upload issued', { key, size });
  return {
    fileId,
    uploadUrl,
    method: 'PUT',
    headers: { 'content-type': contentType, 'content-length': String(size) },
    expiresAt: expiresAt.toISOString(),
    maxBytes: deps.maxS3UploadBytes,
  };
}
