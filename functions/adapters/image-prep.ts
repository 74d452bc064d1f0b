import { type FileRecord, objectKeys } from '../core/file-record.js';
import { ExtensionFailure } from '../core/provider-errors.js';
import { type ImageProvider, type ImageSize, planProviderImage, preparedImageKey } from '../core/provider-image.js';
import { logger } from '../runtime/logger.js';
import type { FileStore, StoredObject } from './file-store.js';
import type { ImageInput } from './label-detector.js';

/** What preparing an image needs of the bucket: the original's ETag, reads that say "none", and a write. */
export interface PreparedImageStore extends Pick<FileStore, 'get' | 'head' | 'put'> {
  find(key: string): Promise<StoredObject | undefined>;
}

/** Bytes → a JPEG of exactly this size. */
export type Transcode = (bytes: Uint8Array, size: ImageSize) => Promise<Uint8Array>;

export interface ImagePrepOptions {
  provider: ImageProvider;
  /** The bucket Rekognition reads originals from, when it reads them itself (on AWS). */
  bucket?: string;
  transcode?: Transcode;
}

/** libvips loads only when an image must be transcoded: on AWS, Rekognition reads most originals from S3 itself. */
let sharpModule: Promise<typeof import('sharp')> | undefined;
async function loadSharp() {
  sharpModule ??= import('sharp');
  return (await sharpModule).default;
}

/** Upright, flattened onto white (JPEG has no alpha), resized to exactly `size` (its aspect is the original's, rounded). */
export const transcodeWithSharp: Transcode = async (bytes, size) => {
  const sharp = await loadSharp();
  return sharp(bytes)
    .autoOrient()
    .resize(size.width, size.height, { fit: 'fill' })
    .flatten({ background: '#ffffff' })
    .jpeg({ quality: 85 })
    .toBuffer();
};

/**
 * The image a provider is sent, as `planProviderImage` decides it: the S3 object itself, the original
 * bytes, or a transcoded JPEG. A transcoded image is kept under `prepared/` for its file version (the
 * original's ETag): every later attempt of either extension — a retry, the other extension, a re-run —
 * reads it instead of reading the original and transcoding again.
 */
export async function prepareImage(store: PreparedImageStore, record: FileRecord, options: ImagePrepOptions): Promise<ImageInput> {
  const plan = planProviderImage(record, options.provider);
  const key = objectKeys(record).original;
  switch (plan.kind) {
    case 'refuse':
      throw new ExtensionFailure(plan.error.message, plan.error.reason);
    case 's3':
      if (!options.bucket) throw new Error('A plan to read from S3 needs the bucket');
      return { kind: 's3', bucket: options.bucket, key };
    case 'original':
      return { kind: 'bytes', bytes: await store.get(key) };
    case 'transcode': {
      const size = { width: plan.width, height: plan.height };
      return { kind: 'bytes', bytes: await preparedBytes(store, record, size, options.transcode ?? transcodeWithSharp) };
    }
  }
}

async function preparedBytes(store: PreparedImageStore, record: FileRecord, size: ImageSize, transcode: Transcode): Promise<Uint8Array> {
  const key = objectKeys(record).original;
  const current = await store.head(key);
  if (!current) throw new Error(`The file's bytes are gone (${key})`);
  const kept = await store.find(preparedImageKey(record.fileId, current.eTag, size));
  if (kept) return kept.bytes;
  const original = await store.find(key);
  if (!original) throw new Error(`The file's bytes are gone (${key})`);
  let bytes: Uint8Array;
  try {
    bytes = await transcode(original.bytes, size);
  } catch (error) {
    throw new ExtensionFailure(`The image (${record.mime}) could not be decoded for tagging: ${(error as Error).message}`, 'UNSUPPORTED_IMAGE');
  }
  // Named by the ETag of the bytes read, not the one asked about: an overwrite in between keys them as what they are.
  const preparedKey = preparedImageKey(record.fileId, original.eTag, size);
  try {
    await store.put(preparedKey, bytes, 'image/jpeg');
  } catch (error) {
    // Only the next attempt's saving is lost: this one has its image.
    logger.warn('Could not keep the prepared image', { key: preparedKey, error: error as Error });
  }
  return bytes;
}
