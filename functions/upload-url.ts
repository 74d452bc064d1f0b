import { checkWebhookUrl } from './adapters/webhook-target.js';
import { inboxConfig } from './config.js';
import { PRESIGNED_UPLOAD_SECONDS, parseDirectUploadRequest, uploadObjectKey } from './core/direct-upload.js';
import { ensureOverwriteAllowed } from './core/file-record.js';
import { allowPrivateWebhooks, files, inbox, privateKey, store } from './deployment.js';
import { newFileId } from './file-library.js';
import { http } from './http/middleware.js';
import { ok } from './http/responses.js';
import { logger } from './logger.js';

const { maxS3UploadBytes } = inboxConfig();

/**
 * POST /api/v1/files/upload-url — a presigned PUT straight to S3 for files too large for the API. The
 * request's settings wait in the table; the bucket's ObjectCreated event stores and tags the file.
 */
export const handler = http<unknown>(
  async (event) => {
    const { settings, size, contentType } = parseDirectUploadRequest(event.body, maxS3UploadBytes);
    await checkWebhookUrl(settings.webhookUrl, allowPrivateWebhooks);
    const filePath = settings.folder + settings.fileName;
    const existingId = settings.useUniqueFileName ? undefined : await files.idAtPath(filePath);
    if (existingId) ensureOverwriteAllowed(filePath, settings.overwriteFile);
    const fileId = existingId ?? newFileId();
    logger.appendKeys({ fileId });
    const expiresAt = new Date(Date.now() + PRESIGNED_UPLOAD_SECONDS * 1000);
    const key = uploadObjectKey(fileId, settings.fileName);
    const uploadUrl = await store.signedPutUrl(key, size, contentType, PRESIGNED_UPLOAD_SECONDS);
    // Kept a day past expiry: an upload that started just before expiry still finds its settings.
    await inbox.putIntent(
      { fileId, settings, size, contentType, expiresAt: expiresAt.toISOString(), state: 'waiting' },
      new Date(expiresAt.getTime() + 86_400_000),
    );
    logger.info('Presigned upload issued', { key, size });
    return ok({
      fileId,
      uploadUrl,
      method: 'PUT',
      headers: { 'content-type': contentType, 'content-length': String(size) },
      expiresAt: expiresAt.toISOString(),
      maxBytes: maxS3UploadBytes,
    });
  },
  { body: { kind: 'json' }, privateKey },
);
