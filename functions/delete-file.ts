import { files, privateKey } from './deployment.js';
import { http } from './http/middleware.js';
import { noContent } from './http/responses.js';
import { logger } from './logger.js';

/** DELETE /v1/files/{fileId} */
export const handler = http<unknown>(
  async (event) => {
    const fileId = event.pathParameters?.fileId ?? '';
    logger.appendKeys({ fileId });
    await files.remove(fileId);
    logger.info('File deleted');
    return noContent();
  },
  { body: { kind: 'none' }, privateKey },
);
