import { toFileObject } from './core/file-object.js';
import { parseListRequest } from './core/list-request.js';
import { http } from './http/handler.js';
import { okPage } from './http/responses.js';
import { logger } from './runtime/logger.js';
import { deliveryUrls } from './wiring/delivery-urls.js';
import { fileSearch } from './wiring/file-search.js';
import { apiPrivateKey } from './wiring/private-key.js';

/** GET /v1/files — ImageKit's assets.list, with searchQuery. */
export const handler = http<unknown>(
  async (event) => {
    const request = parseListRequest(event.queryStringParameters ?? {});
    const { records, plan, reads } = await fileSearch().list(request);
    const urls = deliveryUrls();
    const files = await Promise.all(records.map(async (record) => toFileObject(record, await urls.urlsFor(record))));
    logger.info('Files listed', { plan, files: files.length, indexItemsRead: reads.indexItems, recordsRead: reads.records });
    return okPage(files);
  },
  { privateKey: apiPrivateKey },
);
