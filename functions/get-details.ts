import { toFileObject } from './core/file-object.js';
import { delivery, files, privateKey } from './deployment.js';
import { http } from './http/middleware.js';
import { ok } from './http/responses.js';
import { logger } from './logger.js';

/** GET /v1/files/{fileId}/details */
export const handler = http<unknown>(
  async (event) => {
    const fileId = event.pathParameters?.fileId ?? '';
    logger.appendKeys({ fileId });
    const file = await files.get(fileId);
    return ok(toFileObject(file, await delivery.urlsFor(file)));
  },
  { body: { kind: 'none' }, privateKey },
);
