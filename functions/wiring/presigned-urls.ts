import { S3PresignedUrls } from '../adapters/presigned-urls.js';
import { bucketConfig } from '../runtime/config.js';
import { once } from '../runtime/once.js';

const { bucket } = bucketConfig();

export const presignedUrls = once(() => new S3PresignedUrls(bucket));
