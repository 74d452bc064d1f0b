import { parseDirectUploadRequest } from './core/direct-upload.js';
import { http } from './http/handler.js';
import { jsonBody } from './http/json-body.js';
import { ok } from './http/responses.js';
import { issueDirectUpload } from './services/direct-uploads.js';
import { directUploads, maxS3UploadBytes } from './wiring/direct-uploads.js';
import { apiPrivateKey } from './wiring/private-key.js';
import { savedExtensions } from './wiring/saved-extensions.js';
import { checkWebhookTarget } from './wiring/webhook-targets.js';

/** POST /api/v1/files/upload-url — a presigned PUT straight to S3 for files too large for the API. */
export const handler = http<unknown>(
  async (event) => {
    const request = parseDirectUploadRequest(event.body, maxS3UploadBytes);
    await checkWebhookTarget(request.settings.webhookUrl);
    // The intent keeps the resolved extensions: the object's arrival runs what was asked for now.
    const extensions = await savedExtensions().resolve(request.settings.extensions);
    return ok(await issueDirectUpload({ ...request, settings: { ...request.settings, extensions } }, directUploads()));
  },
  { privateKey: apiPrivateKey, body: jsonBody() },
);
