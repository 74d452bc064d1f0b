import { http } from './http/handler.js';
import { noContent } from './http/responses.js';
import { logger } from './runtime/logger.js';
import { fileLibrary } from './wiring/file-library.js';
import { apiPrivateKey } from './wiring/private-key.js';

/** DELETE /v1/files/{fileId} */
export const handler = http<unknown>(
  async (event) => {
    const fileId = event.pathParameters?.fileId ?? '';
    logger.appendKeys({ fileId });
    await fileLibrary().remove(fileId);
    logger.info('File deleted');
    return noContent();
  },
  { privateKey: apiPrivateKey },
);
