import { type FileRecord, objectKeys } from '../core/file-record.js';
import type { FileStore } from './file-store.js';
import { ExtensionFailure } from '../core/provider-errors.js';
import type { ImageInput } from './label-detector.js';

/** Longest side sent to a provider: plenty for labels, a fraction of the bytes and latency. */
const LONGEST_SIDE = 1600;
/** Rekognition reads JPEG and PNG straight from S3 up to 15 MB. */
const S3_READABLE = new Set(['image/jpeg', 'image/png']);
const S3_MAX_BYTES = 15 * 1024 * 1024;
/** Sent as they are when small enough: both providers take JPEG and PNG bytes and apply EXIF orientation themselves. */
const SENDABLE_AS_IS = new Set(['image/jpeg', 'image/png']);
/** Under Rekognition's 5 MB for image bytes, and Vision's request limit once base64-encoded. */
const AS_IS_MAX_BYTES = 4 * 1024 * 1024;

export interface ImagePrepOptions {
  /** Let the provider read the original from S3 when it can (Rekognition on AWS). */
  readFromS3?: { bucket: string };
}

/** libvips loads only when an image must be transcoded: on AWS, Rekognition reads most originals from S3 itself. */
let sharpModule: Promise<typeof import('sharp')> | undefined;
async function loadSharp() {
  sharpModule ??= import('sharp');
  return (await sharpModule).default;
}

/**
 * The image a provider is sent: the S3 object itself when the provider can read it there; the original
 * bytes of a JPEG or PNG already within 1600 px and 4 MB; otherwise the bytes downscaled to 1600 px and
 * transcoded to JPEG (WebP, GIF, AVIF, TIFF, SVG included).
 */
export async function prepareImage(store: FileStore, record: FileRecord, options: ImagePrepOptions = {}): Promise<ImageInput> {
  const key = objectKeys(record).original;
  if (options.readFromS3 && S3_READABLE.has(record.mime) && record.size <= S3_MAX_BYTES) {
    return { kind: 's3', bucket: options.readFromS3.bucket, key };
  }
  const original = await store.get(key);
  const longestSide = Math.max(record.width ?? Number.POSITIVE_INFINITY, record.height ?? Number.POSITIVE_INFINITY);
  if (SENDABLE_AS_IS.has(record.mime) && longestSide <= LONGEST_SIDE && record.size <= AS_IS_MAX_BYTES) {
    // Already small and in a format both providers read: transcoding would only spend CPU (and a little quality).
    return { kind: 'bytes', bytes: original };
  }
  const sharp = await loadSharp();
  try {
    const bytes = await sharp(original)
      .autoOrient()
      .resize(LONGEST_SIDE, LONGEST_SIDE, { fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: 85 })
      .toBuffer();
    return { kind: 'bytes', bytes };
  } catch (error) {
    throw new ExtensionFailure(`The image (${record.mime}) could not be decoded for tagging: ${(error as Error).message}`, 'UNSUPPORTED_IMAGE');
  }
}
