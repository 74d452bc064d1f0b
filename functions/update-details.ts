import { parseDetailsChange } from './core/details-change.js';
import { toFileObject } from './core/file-object.js';
import { delivery, files, privateKey } from './deployment.js';
import { http } from './http/middleware.js';
import { ok } from './http/responses.js';
import { logger } from './logger.js';

/** PATCH /v1/files/{fileId}/details */
export const handler = http<unknown>(
  async (event) => {
    const fileId = event.pathParameters?.fileId ?? '';
    logger.appendKeys({ fileId });
    const change = parseDetailsChange(event.body);
    const file = await files.updateDetails(fileId, change);
    logger.info('File details updated', { fields: Object.keys(change) });
    return ok(toFileObject(file, await delivery.urlsFor(file)));
  },
  { body: { kind: 'json' }, privateKey: () => privateKey.get() },
);
