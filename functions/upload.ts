import { inspectContent } from './adapters/content-inspector.js';
import { toUploadResponse } from './core/file-object.js';
import { type MultipartFields, parseUploadRequest } from './core/upload-request.js';
import { allowPrivateWebhooks, delivery, files, maxUploadBytes, privateKey, tagging } from './deployment.js';
import { checkWebhookUrl } from './adapters/webhook-target.js';
import { http } from './http/middleware.js';
import { ok } from './http/responses.js';
import { logger } from './logger.js';

/** POST /api/v1/files/upload */
export const handler = http<MultipartFields>(
  async (event) => {
    const request = parseUploadRequest(event.body, maxUploadBytes);
    await checkWebhookUrl(request.webhookUrl, allowPrivateWebhooks);
    const stored = await files.upload(request, await inspectContent(request.bytes));
    logger.appendKeys({ fileId: stored.fileId });
    logger.info('File stored', { filePath: stored.filePath, size: stored.size, mime: stored.mime });
    const tagged = request.extensions.length ? await tagging.run(stored.fileId, request.extensions, request.webhookUrl) : undefined;
    const file = tagged?.record ?? stored;
    return ok(toUploadResponse(file, await delivery.urlsFor(file), request.responseFields, tagged?.extensionStatus));
  },
  { body: { kind: 'multipart', maxFileBytes: maxUploadBytes }, privateKey },
);
