import { DeliveryUrlBuilder } from './adapters/delivery-urls.js';
import { S3FileStore } from './adapters/file-store.js';
import { DynamoFileTable } from './adapters/file-table.js';
import { PrivateKeySource } from './adapters/private-key.js';
import { config } from './config.js';
import { FileLibrary } from './file-library.js';

/** The adapters this deployment runs with, built once per container from configuration. */
const store = new S3FileStore(config.bucket);
export const files = new FileLibrary({ store, table: new DynamoFileTable(config.table) });
export const delivery = new DeliveryUrlBuilder(config.deliveryBaseUrl, store);
export const privateKey = new PrivateKeySource(config);
