import { DeleteObjectsCommand, GetObjectCommand, HeadObjectCommand, NoSuchKey, NotFound, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { s3Client } from './clients/s3.js';

/** The bucket that holds every file's bytes. */
export interface FileStore {
  put(key: string, bytes: Uint8Array, contentType: string): Promise<void>;
  get(key: string): Promise<Uint8Array>;
  remove(keys: string[]): Promise<void>;
  /** Size and ETag (without quotes) of an object, or undefined when there is none. */
  head(key: string): Promise<{ size: number; eTag: string } | undefined>;
}

/** An object's bytes with the ETag (without quotes) S3 answered them with. */
export interface StoredObject {
  bytes: Uint8Array;
  eTag: string;
}

export class S3FileStore implements FileStore {
  constructor(
    private readonly bucket: string,
    private readonly client: S3Client = s3Client(),
  ) {}

  async put(key: string, bytes: Uint8Array, contentType: string): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: bytes, ContentType: contentType }));
  }

  async get(key: string): Promise<Uint8Array> {
    const object = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    if (!object.Body) throw new Error(`S3 returned no body for ${key}`);
    return object.Body.transformToByteArray();
  }

  /** The object's bytes and the ETag (without quotes) of those very bytes, or undefined when there is none. */
  async find(key: string): Promise<StoredObject | undefined> {
    try {
      const object = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (!object.Body) throw new Error(`S3 returned no body for ${key}`);
      return { bytes: await object.Body.transformToByteArray(), eTag: (object.ETag ?? '').replace(/"/g, '') };
    } catch (error) {
      if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return undefined;
      throw error;
    }
  }

  async remove(keys: string[]): Promise<void> {
    if (!keys.length) return;
    const result = await this.client.send(
      new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true } }),
    );
    const failed = result.Errors ?? [];
    if (failed.length) throw new Error(`S3 could not delete ${failed.map((error) => `${error.Key}: ${error.Code}`).join(', ')}`);
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
}
