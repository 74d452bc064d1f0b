import { parseDetailsChange } from './core/details-change.js';
import { toFileObject } from './core/file-object.js';
import { allowPrivateWebhooks, delivery, files, privateKey, tagging } from './deployment.js';
import { checkWebhookUrl } from './adapters/webhook-target.js';
import { http } from './http/middleware.js';
import { ok } from './http/responses.js';
import { logger } from './logger.js';

/** PATCH /v1/files/{fileId}/details — removeAITags applies before extensions run. */
export const handler = http<unknown>(
  async (event) => {
    const fileId = event.pathParameters?.fileId ?? '';
    logger.appendKeys({ fileId });
    const change = parseDetailsChange(event.body);
    await checkWebhookUrl(change.webhookUrl, allowPrivateWebhooks);
    const updated = await files.updateDetails(fileId, change);
    logger.info('File details updated', { fields: Object.keys(change) });
    const tagged = change.extensions?.length ? await tagging.run(fileId, change.extensions, change.webhookUrl) : undefined;
    const file = tagged?.record ?? updated;
    return ok(toFileObject(file, await delivery.urlsFor(file), tagged?.extensionStatus));
  },
  { body: { kind: 'json' }, privateKey },
);
