import { inspectContent } from './adapters/content-inspector.js';
import { config } from './config.js';
import { toUploadResponse } from './core/file-object.js';
import { type MultipartFields, parseUploadRequest } from './core/upload-request.js';
import { delivery, files, privateKey } from './deployment.js';
import { http } from './http/middleware.js';
import { ok } from './http/responses.js';
import { logger } from './logger.js';

/** POST /api/v1/files/upload */
export const handler = http<MultipartFields>(
  async (event) => {
    const request = parseUploadRequest(event.body, config.maxUploadBytes);
    const file = await files.upload(request, await inspectContent(request.bytes));
    logger.appendKeys({ fileId: file.fileId });
    logger.info('File stored', { filePath: file.filePath, size: file.size, mime: file.mime });
    return ok(toUploadResponse(file, await delivery.urlsFor(file), request.responseFields, undefined));
  },
  { body: { kind: 'multipart', maxFileBytes: config.maxUploadBytes }, privateKey: () => privateKey.get() },
);
