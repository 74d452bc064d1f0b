import { parseDetailsChange } from './core/details-change.js';
import { toFileObject } from './core/file-object.js';
import { http } from './http/handler.js';
import { jsonBody } from './http/json-body.js';
import { ok } from './http/responses.js';
import { logger } from './runtime/logger.js';
import { deliveryUrls } from './wiring/delivery-urls.js';
import { fileLibrary } from './wiring/file-library.js';
import { apiPrivateKey } from './wiring/private-key.js';
import { savedExtensions } from './wiring/saved-extensions.js';
import { taggingRuns } from './wiring/tagging-runs.js';
import { checkWebhookTarget } from './wiring/webhook-targets.js';

/** PATCH /v1/files/{fileId}/details — removeAITags applies before extensions run. */
export const handler = http<unknown>(
  async (event) => {
    const fileId = event.pathParameters?.fileId ?? '';
    logger.appendKeys({ fileId });
    const change = parseDetailsChange(event.body);
    await checkWebhookTarget(change.webhookUrl);
    // Resolved before anything is written: an unknown saved extension changes nothing.
    const extensions = change.extensions && (await savedExtensions().resolve(change.extensions));
    const updated = await fileLibrary().updateDetails(fileId, change);
    logger.info('File details updated', { fields: Object.keys(change) });
    const tagged = extensions?.length ? await taggingRuns().startAndWait(fileId, extensions, change.webhookUrl) : undefined;
    const file = tagged?.record ?? updated;
    return ok(toFileObject(file, await deliveryUrls().urlsFor(file), tagged?.extensionStatus));
  },
  { privateKey: apiPrivateKey, body: jsonBody() },
);
