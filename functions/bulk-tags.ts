import { type BulkTagOperation, parseBulkTagRequest } from './core/bulk-request.js';
import { http } from './http/handler.js';
import { jsonBody } from './http/json-body.js';
import { ok } from './http/responses.js';
import { ROUTES, routeKey } from './http/routes.js';
import { logger } from './runtime/logger.js';
import { fileTags } from './wiring/file-tags.js';
import { apiPrivateKey } from './wiring/private-key.js';

const OPERATIONS: Record<string, BulkTagOperation> = {
  [routeKey(ROUTES.addTags)]: 'addTags',
  [routeKey(ROUTES.removeTags)]: 'removeTags',
  [routeKey(ROUTES.removeAITags)]: 'removeAITags',
};

/** POST /v1/files/addTags, /removeTags, /removeAITags — ImageKit's files.bulk tag operations. */
export const handler = http<unknown>(
  async (event) => {
    const operation = OPERATIONS[event.routeKey];
    if (!operation) throw new Error(`bulk-tags serves no route ${event.routeKey}`);
    const request = parseBulkTagRequest(operation, event.body);
    const successfullyUpdatedFileIds = await fileTags().update(request);
    logger.info('Tags updated in bulk', { operation, files: request.fileIds.length, updated: successfullyUpdatedFileIds.length });
    return ok({ successfullyUpdatedFileIds });
  },
  { privateKey: apiPrivateKey, body: jsonBody() },
);
