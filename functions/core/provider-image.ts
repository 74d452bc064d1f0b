import type { ExtensionError } from './file-record.js';

/** The providers an image is prepared for; only Rekognition has limits on the sides. */
export type ImageProvider = { name: 'rekognition'; readsS3: boolean } | { name: 'vision' };

/** What a prepared image is decided from: the record's facts, read from the bytes at upload. */
export interface ImageFacts {
  mime: string;
  size: number;
  /** As displayed (after EXIF orientation). */
  width?: number;
  height?: number;
}

export interface ImageSize {
  width: number;
  height: number;
}

/**
 * How the image reaches the provider: the original S3 object, read by Rekognition itself; the original
 * bytes; or the bytes transcoded to a JPEG of exactly `width` × `height`. Refused: nothing is read or sent.
 */
export type ProviderImagePlan =
  | { kind: 's3' }
  | { kind: 'original' }
  | ({ kind: 'transcode' } & ImageSize)
  | { kind: 'refuse'; error: ExtensionError };

/** Longest side aimed at: plenty for labels, a fraction of the bytes and latency. */
export const AIMED_LONGEST_SIDE = 1600;
/** Rekognition's DetectLabels takes 80 to 10,000 px a side, from S3 or as bytes. */
export const REKOGNITION_MIN_SIDE = 80;
export const REKOGNITION_MAX_SIDE = 10_000;
/** Rekognition reads JPEG and PNG straight from S3 up to 15 MB. */
const REKOGNITION_S3_MAX_BYTES = 15 * 1024 * 1024;
/** Under Rekognition's 5 MB for image bytes, and Vision's request limit once base64-encoded. */
const AS_IS_MAX_BYTES = 4 * 1024 * 1024;
/** The formats both providers read, and apply EXIF orientation to, themselves. */
const SENDABLE_AS_IS = new Set(['image/jpeg', 'image/png']);

/** Prepared images live under this prefix (a bucket lifecycle rule expires them). */
export const PREPARED_PREFIX = 'prepared/';

/**
 * The size an image is transcoded to: at most 1600 px on its longest side, more when that keeps the short
 * side at 80 px (a 12,000 × 500 panorama becomes 1,920 × 80, not 1,600 × 67), never over 10,000 px; a
 * small image is enlarged to 80 px on its short side. One size for every provider, so one prepared image
 * serves both extensions. Beyond 125:1 (10,000 / 80) both limits cannot hold: the long side wins and the
 * short side stays under 80 px.
 */
export function transcodedSize({ width, height }: ImageSize): ImageSize {
  const longest = Math.max(width, height);
  const shortest = Math.min(width, height);
  let scale = Math.min(1, AIMED_LONGEST_SIDE / longest);
  if (shortest * scale < REKOGNITION_MIN_SIDE) scale = REKOGNITION_MIN_SIDE / shortest;
  scale = Math.min(scale, REKOGNITION_MAX_SIDE / longest);
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** The image a provider is sent, decided from the record alone: no byte is read to decide. */
export function planProviderImage(image: ImageFacts, provider: ImageProvider): ProviderImagePlan {
  const { width, height } = image;
  if (!width || !height) {
    return {
      kind: 'refuse',
      error: { message: `The image (${image.mime}) has no known width and height to prepare it by`, reason: 'UNSUPPORTED_IMAGE' },
    };
  }
  const shortest = Math.min(width, height);
  const longest = Math.max(width, height);
  const target = transcodedSize({ width, height });
  const rekognition = provider.name === 'rekognition';
  if (rekognition && Math.min(target.width, target.height) < REKOGNITION_MIN_SIDE) {
    return {
      kind: 'refuse',
      error: {
        message: `The image is ${width} × ${height} px, its sides more than 125:1 apart: no scaling fits Amazon Rekognition's 80 to 10,000 px a side, so it was not sent`,
        reason: 'UNSUPPORTED_IMAGE',
      },
    };
  }
  const minSide = rekognition ? REKOGNITION_MIN_SIDE : 1;
  const readableAsIs = SENDABLE_AS_IS.has(image.mime) && shortest >= minSide;
  if (rekognition && provider.readsS3 && readableAsIs && longest <= REKOGNITION_MAX_SIDE && image.size <= REKOGNITION_S3_MAX_BYTES) {
    return { kind: 's3' };
  }
  // Already small and in a format both providers read: transcoding would only spend CPU (and a little quality).
  if (readableAsIs && longest <= AIMED_LONGEST_SIDE && image.size <= AS_IS_MAX_BYTES) return { kind: 'original' };
  return { kind: 'transcode', ...target };
}

/**
 * Where the prepared image of one version of a file's bytes is kept: named by the original's ETag, so
 * new bytes (an overwrite) never find the old image, and by its size, so a change of these rules never
 * finds one made by the old ones.
 */
export function preparedImageKey(fileId: string, originalETag: string, size: ImageSize): string {
  return `${PREPARED_PREFIX}${fileId}/${originalETag.replace(/[^\w-]/g, '')}/${size.width}x${size.height}.jpg`;
}
