import { parseBulkDeleteRequest } from './core/bulk-request.js';
import { http } from './http/handler.js';
import { jsonBody } from './http/json-body.js';
import { ok } from './http/responses.js';
import { logger } from './runtime/logger.js';
import { fileLibrary } from './wiring/file-library.js';
import { apiPrivateKey } from './wiring/private-key.js';

/** POST /v1/files/batch/deleteByFileIds — ImageKit's files.bulk.delete. */
export const handler = http<unknown>(
  async (event) => {
    const { fileIds } = parseBulkDeleteRequest(event.body);
    const successfullyDeletedFileIds = await fileLibrary().removeMany(fileIds);
    logger.info('Files deleted in bulk', { files: successfullyDeletedFileIds.length });
    return ok({ successfullyDeletedFileIds });
  },
  { privateKey: apiPrivateKey, body: jsonBody() },
);
