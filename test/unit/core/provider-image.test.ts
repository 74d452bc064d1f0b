import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ImageFacts,
  type ImageProvider,
  planProviderImage,
  preparedImageKey,
  REKOGNITION_MAX_SIDE,
  REKOGNITION_MIN_SIDE,
  transcodedSize,
} from '../../../functions/core/provider-image.js';

const MB = 1024 * 1024;
const rekognitionOnAws: ImageProvider = { name: 'rekognition', readsS3: true };
const rekognitionLocally: ImageProvider = { name: 'rekognition', readsS3: false };
const vision: ImageProvider = { name: 'vision' };
const jpeg = (width: number, height: number, size = 2 * MB): ImageFacts => ({ mime: 'image/jpeg', width, height, size });
const png = (width: number, height: number, size = 2 * MB): ImageFacts => ({ mime: 'image/png', width, height, size });

describe('planProviderImage: Rekognition reading originals from S3 (on AWS)', () => {
  it('lets Rekognition read a JPEG or PNG up to 15 MB within 80–10,000 px a side straight from S3', () => {
    expect(planProviderImage(jpeg(4000, 3000, 15 * MB), rekognitionOnAws)).toEqual({ kind: 's3' });
    expect(planProviderImage(png(10_000, 80), rekognitionOnAws)).toEqual({ kind: 's3' });
    expect(planProviderImage(jpeg(80, 80, 3_000), rekognitionOnAws)).toEqual({ kind: 's3' });
  });

  it('transcodes a JPEG whose long side is over 10,000 px instead of sending it from S3', () => {
    expect(planProviderImage(jpeg(12_000, 500), rekognitionOnAws)).toEqual({ kind: 'transcode', width: 1920, height: 80 });
    expect(planProviderImage(png(10_001, 5_000), rekognitionOnAws)).toEqual({ kind: 'transcode', width: 1600, height: 800 });
    expect(planProviderImage(jpeg(20_000, 20_000), rekognitionOnAws)).toEqual({ kind: 'transcode', width: 1600, height: 1600 });
  });

  it('transcodes a JPEG whose short side is under 80 px instead of sending it from S3', () => {
    expect(planProviderImage(jpeg(50, 50, 2_000), rekognitionOnAws)).toEqual({ kind: 'transcode', width: 80, height: 80 });
    expect(planProviderImage(png(79, 3000), rekognitionOnAws)).toEqual({ kind: 'transcode', width: 80, height: 3038 });
  });

  it('transcodes an original over 15 MB, and formats Rekognition does not read, within the limits', () => {
    expect(planProviderImage(jpeg(6000, 4000, 15 * MB + 1), rekognitionOnAws)).toEqual({ kind: 'transcode', width: 1600, height: 1067 });
    expect(planProviderImage({ mime: 'image/webp', width: 3000, height: 2000, size: MB }, rekognitionOnAws)).toEqual({
      kind: 'transcode',
      width: 1600,
      height: 1067,
    });
  });
});

describe('planProviderImage: bytes', () => {
  it('sends a JPEG or PNG within 80–1600 px and 4 MB as it is', () => {
    expect(planProviderImage(jpeg(640, 480, 100_000), rekognitionLocally)).toEqual({ kind: 'original' });
    expect(planProviderImage(png(1600, 80, 4 * MB), rekognitionLocally)).toEqual({ kind: 'original' });
    expect(planProviderImage(jpeg(640, 480, 100_000), vision)).toEqual({ kind: 'original' });
  });

  it('enlarges an image under 80 px a side for Rekognition, and sends it to Vision as it is', () => {
    expect(planProviderImage(jpeg(50, 50, 2_000), rekognitionLocally)).toEqual({ kind: 'transcode', width: 80, height: 80 });
    expect(planProviderImage(jpeg(50, 50, 2_000), vision)).toEqual({ kind: 'original' });
    expect(planProviderImage({ mime: 'image/gif', width: 40, height: 30, size: 500 }, vision)).toEqual({ kind: 'transcode', width: 107, height: 80 });
  });

  it('keeps the short side at 80 px by letting the long side pass 1600 px', () => {
    expect(planProviderImage(jpeg(12_000, 500), rekognitionLocally)).toEqual({ kind: 'transcode', width: 1920, height: 80 });
    expect(planProviderImage(jpeg(500, 12_000), vision)).toEqual({ kind: 'transcode', width: 80, height: 1920 });
    expect(planProviderImage(png(20_000, 500), rekognitionLocally)).toEqual({ kind: 'transcode', width: 3200, height: 80 });
  });

  it('transcodes a JPEG over 4 MB or over 1600 px to at most 1600 px', () => {
    expect(planProviderImage(jpeg(1600, 1200, 4 * MB + 1), vision)).toEqual({ kind: 'transcode', width: 1600, height: 1200 });
    expect(planProviderImage(jpeg(2400, 1200, MB), vision)).toEqual({ kind: 'transcode', width: 1600, height: 800 });
  });
});

describe('planProviderImage: sides more than 125:1 apart', () => {
  it('refuses Rekognition an image no scaling fits into 80–10,000 px a side, with the reason, before reading it', () => {
    expect(planProviderImage(png(100_000, 50), rekognitionOnAws)).toEqual({
      kind: 'refuse',
      error: {
        message:
          "The image is 100000 × 50 px, its sides more than 125:1 apart: no scaling fits Amazon Rekognition's 80 to 10,000 px a side, so it was not sent",
        reason: 'UNSUPPORTED_IMAGE',
      },
    });
    expect(planProviderImage(png(80, 10_081), rekognitionLocally)).toMatchObject({ kind: 'refuse' });
  });

  it('sends Vision the whole image at 10,000 px on its long side', () => {
    expect(planProviderImage(png(100_000, 50), vision)).toEqual({ kind: 'transcode', width: 10_000, height: 5 });
    expect(planProviderImage(png(20_000, 100), vision)).toEqual({ kind: 'transcode', width: 10_000, height: 50 });
  });

  it('still fits an image exactly 125:1 for Rekognition', () => {
    expect(planProviderImage(png(25_000, 200), rekognitionLocally)).toEqual({ kind: 'transcode', width: 10_000, height: 80 });
  });
});

describe('planProviderImage: an image without dimensions', () => {
  it('refuses it for either provider as UNSUPPORTED_IMAGE', () => {
    const facts = { mime: 'image/heic', size: 1000 };
    expect(planProviderImage(facts, vision)).toEqual({
      kind: 'refuse',
      error: { message: 'The image (image/heic) has no known width and height to prepare it by', reason: 'UNSUPPORTED_IMAGE' },
    });
    expect(planProviderImage(facts, rekognitionOnAws)).toMatchObject({ kind: 'refuse' });
  });
});

describe('transcodedSize', () => {
  const sides = fc.integer({ min: 1, max: 200_000 });

  it('never exceeds 10,000 px a side, and exceeds 1600 px only to keep the short side at 80 px', () => {
    fc.assert(
      fc.property(sides, sides, (width, height) => {
        const size = transcodedSize({ width, height });
        const longest = Math.max(size.width, size.height);
        expect(longest).toBeLessThanOrEqual(REKOGNITION_MAX_SIDE);
        // The short side is then 80 px, or under it when the sides are more than 125:1 apart.
        if (longest > 1600) expect(Math.min(size.width, size.height)).toBeLessThanOrEqual(REKOGNITION_MIN_SIDE);
      }),
    );
  });

  it('keeps both sides within Rekognition’s 80–10,000 px whenever the sides are at most 125:1 apart', () => {
    fc.assert(
      fc.property(sides, sides, (width, height) => {
        fc.pre(Math.max(width, height) <= 125 * Math.min(width, height));
        const size = transcodedSize({ width, height });
        expect(Math.min(size.width, size.height)).toBeGreaterThanOrEqual(REKOGNITION_MIN_SIDE);
        expect(planProviderImage(png(width, height), rekognitionOnAws).kind).not.toBe('refuse');
      }),
    );
  });

  it('keeps the aspect ratio, to the rounding of one pixel on the short side', () => {
    fc.assert(
      fc.property(sides, sides, (width, height) => {
        const size = transcodedSize({ width, height });
        const scale = Math.max(size.width, size.height) / Math.max(width, height);
        expect(Math.abs(Math.min(width, height) * scale - Math.min(size.width, size.height))).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('never enlarges an image already within 80–1600 px', () => {
    expect(transcodedSize({ width: 1000, height: 700 })).toEqual({ width: 1000, height: 700 });
  });
});

describe('preparedImageKey', () => {
  it('names the file, the original’s ETag and the size, under prepared/', () => {
    expect(preparedImageKey('65f1c0ffee0000000000abcd', '"9b2cf535f27731c974343645a3985328"', { width: 1920, height: 80 })).toBe(
      'prepared/65f1c0ffee0000000000abcd/9b2cf535f27731c974343645a3985328/1920x80.jpg',
    );
    expect(preparedImageKey('f', 'd41d8cd98f00b204e9800998ecf8427e-3', { width: 80, height: 80 })).toBe(
      'prepared/f/d41d8cd98f00b204e9800998ecf8427e-3/80x80.jpg',
    );
  });
});
