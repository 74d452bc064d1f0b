import { toFileObject } from './core/file-object.js';
import { http } from './http/handler.js';
import { ok } from './http/responses.js';
import { logger } from './runtime/logger.js';
import { deliveryUrls } from './wiring/delivery-urls.js';
import { fileLibrary } from './wiring/file-library.js';
import { apiPrivateKey } from './wiring/private-key.js';

/** GET /v1/files/{fileId}/details */
export const handler = http<unknown>(
  async (event) => {
    const fileId = event.pathParameters?.fileId ?? '';
    logger.appendKeys({ fileId });
    const record = await fileLibrary().get(fileId);
    return ok(toFileObject(record, await deliveryUrls().urlsFor(record)));
  },
  { privateKey: apiPrivateKey },
);
