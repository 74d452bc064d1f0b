import { inspectContent } from './adapters/content-inspector.js';
import { toUploadResponse } from './core/file-object.js';
import { type MultipartFields, parseUploadRequest } from './core/upload-request.js';
import { http } from './http/handler.js';
import { multipartBody } from './http/multipart-body.js';
import { ok } from './http/responses.js';
import { uploadConfig } from './runtime/config.js';
import { logger } from './runtime/logger.js';
import { deliveryUrls } from './wiring/delivery-urls.js';
import { fileLibrary } from './wiring/file-library.js';
import { apiPrivateKey } from './wiring/private-key.js';
import { savedExtensions } from './wiring/saved-extensions.js';
import { taggingRuns } from './wiring/tagging-runs.js';
import { checkWebhookTarget } from './wiring/webhook-targets.js';
import { warmUp } from './wiring/warm-up.js';

const { maxUploadBytes } = uploadConfig();

// In the init phase: a new container's first upload does not set up the table's and the bucket's clients.
await warmUp();

/** POST /api/v1/files/upload */
export const handler = http<MultipartFields>(
  async (event) => {
    const request = parseUploadRequest(event.body, maxUploadBytes);
    await checkWebhookTarget(request.webhookUrl);
    const extensions = await savedExtensions().resolve(request.extensions);
    // The run starts in the record the upload writes: no write of its own before the workflow starts.
    const run = extensions.length ? taggingRuns().newRun(extensions) : undefined;
    const stored = await fileLibrary().upload(request, await inspectContent(request.bytes), { run });
    logger.appendKeys({ fileId: stored.fileId });
    logger.info('File stored', { filePath: stored.filePath, size: stored.size, mime: stored.mime });
    const tagged = run ? await taggingRuns().runAndWait(stored, run, extensions, request.webhookUrl) : undefined;
    const file = tagged?.record ?? stored;
    return ok(toUploadResponse(file, await deliveryUrls().urlsFor(file), request.responseFields, tagged?.extensionStatus));
  },
  { privateKey: apiPrivateKey, body: multipartBody(maxUploadBytes) },
);
