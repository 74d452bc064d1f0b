import { S3Client } from '@aws-sdk/client-s3';
import { once } from '../../runtime/once.js';
import { standInCredentials } from './stand-in.js';

/** The S3 client, built on first use and reused across warm invocations. */
export const s3Client = once(
  () =>
    new S3Client({
      ...(process.env.AWS_ENDPOINT_URL_S3 && { forcePathStyle: true }),
      ...standInCredentials('AWS_ENDPOINT_URL_S3'),
      // Otherwise streamed bodies reach S3-compatible stand-ins with aws-chunked framing stored verbatim.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    }),
);
