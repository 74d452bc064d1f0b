import { DeleteObjectsCommand, GetObjectCommand, HeadObjectCommand, NotFound, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { s3 } from './aws-clients.js';

/** The bucket that holds every file's bytes. */
export interface FileStore {
  put(key: string, bytes: Uint8Array, contentType: string): Promise<void>;
  get(key: string): Promise<Uint8Array>;
  remove(keys: string[]): Promise<void>;
  signedGetUrl(key: string, expiresInSeconds: number): Promise<string>;
  /** A presigned PUT with the exact Content-Length and Content-Type signed in. */
  signedPutUrl(key: string, size: number, contentType: string, expiresInSeconds: number): Promise<string>;
  /** Size and ETag (without quotes) of an object, or undefined when there is none. */
  head(key: string): Promise<{ size: number; eTag: string } | undefined>;
}

export class S3FileStore implements FileStore {
  constructor(
    private readonly bucket: string,
    private readonly client: S3Client = s3,
  ) {}

  async put(key: string, bytes: Uint8Array, contentType: string): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: bytes, ContentType: contentType }));
  }

  async get(key: string): Promise<Uint8Array> {
    const object = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    if (!object.Body) throw new Error(`S3 returned no body for ${key}`);
    return object.Body.transformToByteArray();
  }

  async remove(keys: string[]): Promise<void> {
    if (!keys.length) return;
    const result = await this.client.send(
      new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true } }),
    );
    const failed = result.Errors ?? [];
    if (failed.length) throw new Error(`S3 could not delete ${failed.map((error) => `${error.Key}: ${error.Code}`).join(', ')}`);
  }

  signedPutUrl(key: string, size: number, contentType: string, expiresInSeconds: number): Promise<string> {
    return getSignedUrl(this.client, new PutObjectCommand({ Bucket: this.bucket, Key: key, ContentLength: size, ContentType: contentType }), {
      expiresIn: expiresInSeconds,
      signableHeaders: new Set(['content-length', 'content-type']),
    });
  }

  async head(key: string): Promise<{ size: number; eTag: string } | undefined> {
    try {
      const object = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { size: object.ContentLength ?? 0, eTag: (object.ETag ?? '').replace(/"/g, '') };
    } catch (error) {
      if (error instanceof NotFound || (error as { name?: string }).name === 'NotFound') return undefined;
      throw error;
    }
  }

  signedGetUrl(key: string, expiresInSeconds: number): Promise<string> {
    return getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.bucket, Key: key }), { expiresIn: expiresInSeconds });
  }
}
