import { S3FileStore } from '../adapters/file-store.js';
import { bucketConfig } from '../runtime/config.js';
import { once } from '../runtime/once.js';

const { bucket } = bucketConfig();

export const fileStore = once(() => new S3FileStore(bucket));
