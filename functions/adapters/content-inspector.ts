import sharp from 'sharp';
import type { ContentFacts } from '../core/file-record.js';

export interface Thumbnail {
  bytes: Buffer;
  contentType: string;
}

export interface InspectedContent {
  facts: ContentFacts;
  thumbnail: Thumbnail | undefined;
}

const THUMBNAIL_BOX = 200;

/**
 * What the bytes are, read from the bytes (sharp/libvips for images, file-type's signatures otherwise),
 * plus a small thumbnail for images. Width and height are as displayed, after EXIF orientation.
 */
export async function inspectContent(bytes: Buffer): Promise<InspectedContent> {
  const image = await readImage(bytes);
  if (!image) {
    // Only non-images need file-type's signatures: loaded on first use.
    const { fileTypeFromBuffer } = await import('file-type');
    const detected = await fileTypeFromBuffer(bytes);
    return {
      facts: { size: bytes.length, mime: detected?.mime ?? 'application/octet-stream', fileType: 'non-image', hasAlpha: false, hasThumbnail: false },
      thumbnail: undefined,
    };
  }
  const thumbnail = await makeThumbnail(bytes, image.hasAlpha);
  return {
    facts: {
      size: bytes.length,
      mime: image.mime,
      fileType: 'image',
      width: image.width,
      height: image.height,
      hasAlpha: image.hasAlpha,
      hasThumbnail: thumbnail !== undefined,
    },
    thumbnail,
  };
}

async function readImage(bytes: Buffer) {
  try {
    const metadata = await sharp(bytes).metadata();
    const width = metadata.autoOrient?.width ?? metadata.width;
    const height = metadata.autoOrient?.height ?? metadata.height;
    if (!metadata.mediaType || !width || !height) return undefined;
    return { mime: metadata.mediaType, width, height, hasAlpha: metadata.hasAlpha };
  } catch {
    return undefined;
  }
}

async function makeThumbnail(bytes: Buffer, hasAlpha: boolean): Promise<Thumbnail | undefined> {
  try {
    const resized = sharp(bytes).autoOrient().resize(THUMBNAIL_BOX, THUMBNAIL_BOX, { fit: 'inside', withoutEnlargement: true });
    return hasAlpha
      ? { bytes: await resized.png().toBuffer(), contentType: 'image/png' }
      : { bytes: await resized.jpeg({ quality: 80 }).toBuffer(), contentType: 'image/jpeg' };
  } catch {
    // A format sharp can read the header of but not decode (e.g. HEIC without its codec): no thumbnail.
    return undefined;
  }
}
