import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { s3Client } from './clients/s3.js';

/** Time-limited URLs to the bucket's objects: only the functions that hand them out carry the presigner. */
export interface PresignedUrls {
  get(key: string, expiresInSeconds: number): Promise<string>;
  /** A presigned PUT with the exact Content-Length and Content-Type signed in. */
  put(key: string, size: number, contentType: string, expiresInSeconds: number): Promise<string>;
}

export class S3PresignedUrls implements PresignedUrls {
  constructor(
    private readonly bucket: string,
    private readonly client: S3Client = s3Client(),
  ) {}

  get(key: string, expiresInSeconds: number): Promise<string> {
    return getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.bucket, Key: key }), { expiresIn: expiresInSeconds });
  }

  put(key: string, size: number, contentType: string, expiresInSeconds: number): Promise<string> {
    return getSignedUrl(this.client, new PutObjectCommand({ Bucket: this.bucket, Key: key, ContentLength: size, ContentType: contentType }), {
      expiresIn: expiresInSeconds,
      signableHeaders: new Set(['content-length', 'content-type']),
    });
  }
}
