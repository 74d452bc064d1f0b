import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ImagePrepOptions, prepareImage, type Transcode, transcodeWithSharp } from '../../../functions/adapters/image-prep.js';
import type { ImageInput } from '../../../functions/adapters/label-detector.js';
import { type FileRecord, objectKeys } from '../../../functions/core/file-record.js';
import { ExtensionFailure } from '../../../functions/core/provider-errors.js';
import { countingReads, startS3Bucket } from '../../support/s3-bucket.js';
import { fileRecord } from '../../support/sample-files.js';

let s3: Awaited<ReturnType<typeof startS3Bucket>>;
beforeAll(async () => {
  s3 = await startS3Bucket();
});
afterAll(() => s3?.stop());

const rekognitionOnAws = (): ImagePrepOptions => ({ provider: { name: 'rekognition', readsS3: true }, bucket: s3.bucket });
const vision: ImagePrepOptions = { provider: { name: 'vision' } };

let files = 0;
/** A real image stored as a file's original, and its record as the upload wrote it. */
async function storedImage(format: 'jpeg' | 'png' | 'webp', width: number, height: number, colour = { r: 200, g: 30, b: 30 }) {
  const bytes = await sharp({ create: { width, height, channels: 3, background: colour } })
    .toFormat(format)
    .toBuffer();
  files += 1;
  const record = fileRecord({
    fileId: `file${files}`,
    filePath: `/images/${files}.${format}`,
    mime: `image/${format}`,
    size: bytes.length,
    width,
    height,
  });
  await s3.store.put(objectKeys(record).original, bytes, record.mime);
  return record;
}

/** transcodeWithSharp, counted. */
function countingTranscode() {
  const counted = { transcodes: 0 };
  const transcode: Transcode = (bytes, size) => {
    counted.transcodes += 1;
    return transcodeWithSharp(bytes, size);
  };
  return { transcode, counted };
}

function bytesOf(image: ImageInput): Buffer {
  if (image.kind !== 'bytes') throw new Error(`expected bytes, got ${JSON.stringify(image)}`);
  return Buffer.from(image.bytes);
}

async function sentImage(image: ImageInput) {
  if (image.kind !== 'bytes') throw new Error(`expected bytes, got ${JSON.stringify(image)}`);
  const { format, width, height } = await sharp(image.bytes).metadata();
  return { format, width, height };
}

async function refusal(promise: Promise<unknown>): Promise<ExtensionFailure> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof ExtensionFailure)) throw new Error(`expected an ExtensionFailure, got ${String(error)}`);
  return error;
}

describe('prepareImage with Rekognition reading from S3', () => {
  it('hands Rekognition the S3 object of a JPEG within 80–10,000 px a side, reading nothing', async () => {
    const record = await storedImage('jpeg', 640, 480);
    const { store, counted } = countingReads(s3.store, objectKeys(record).original);

    expect(await prepareImage(store, record, rekognitionOnAws())).toEqual({ kind: 's3', bucket: s3.bucket, key: `public/images/${files}.jpeg` });
    expect(counted.reads).toBe(0);
  });

  it('sends a 12,000 × 500 JPEG as a 1920 × 80 JPEG instead of the S3 object Rekognition would refuse', async () => {
    const record = await storedImage('jpeg', 12_000, 500);

    expect(await sentImage(await prepareImage(s3.store, record, rekognitionOnAws()))).toEqual({ format: 'jpeg', width: 1920, height: 80 });
  });

  it('sends a 50 × 50 JPEG enlarged to 80 × 80', async () => {
    const record = await storedImage('jpeg', 50, 50);

    expect(await sentImage(await prepareImage(s3.store, record, rekognitionOnAws()))).toEqual({ format: 'jpeg', width: 80, height: 80 });
  });

  it('refuses a 100,000 × 50 PNG as UNSUPPORTED_IMAGE without reading it, and sends it to Vision at 10,000 × 5', async () => {
    const record = await storedImage('png', 100_000, 50);
    const { store, counted } = countingReads(s3.store, objectKeys(record).original);

    const refused = await refusal(prepareImage(store, record, rekognitionOnAws()));
    expect([refused.reason, counted.reads]).toEqual(['UNSUPPORTED_IMAGE', 0]);
    expect(refused.message).toMatch(/^The image is 100000 × 50 px, its sides more than 125:1 apart/);
    expect(await sentImage(await prepareImage(store, record, vision))).toEqual({ format: 'jpeg', width: 10_000, height: 5 });
  });
});

describe('prepared images, kept per file version', () => {
  it('reads and transcodes the original once: every later attempt, by either provider, reads the prepared image', async () => {
    const record = await storedImage('jpeg', 12_000, 500);
    const { store, counted } = countingReads(s3.store, objectKeys(record).original);
    const { transcode, counted: transcoded } = countingTranscode();

    // Rekognition's attempt, its retry (a new invocation: nothing carried over in memory), then Vision.
    const sent = [
      await prepareImage(store, record, { ...rekognitionOnAws(), transcode }),
      await prepareImage(store, record, { ...rekognitionOnAws(), transcode }),
      await prepareImage(store, record, { ...vision, transcode }),
    ];

    expect([counted.reads, transcoded.transcodes]).toEqual([1, 1]);
    const [first, ...later] = sent.map(bytesOf);
    expect(later).toEqual([first, first]);
    expect(await sentImage(sent[0] as ImageInput)).toEqual({ format: 'jpeg', width: 1920, height: 80 });
    const eTag = (await s3.store.head(objectKeys(record).original))?.eTag;
    const kept = await s3.store.find(`prepared/${record.fileId}/${eTag}/1920x80.jpg`);
    expect(kept && Buffer.from(kept.bytes)).toEqual(first);
  });

  it('prepares new bytes again after an overwrite, never sending the old image', async () => {
    const record = await storedImage('png', 3000, 2000);
    const { transcode, counted } = countingTranscode();
    await prepareImage(s3.store, record, { ...vision, transcode });

    const blue = await sharp({ create: { width: 3000, height: 2000, channels: 3, background: { r: 20, g: 40, b: 220 } } })
      .png()
      .toBuffer();
    await s3.store.put(objectKeys(record).original, blue, 'image/png');
    const after = await prepareImage(s3.store, { ...record, size: blue.length } satisfies FileRecord, { ...vision, transcode });

    expect(counted.transcodes).toBe(2);
    const { dominant } = await sharp(bytesOf(after)).stats();
    expect(dominant.b).toBeGreaterThan(dominant.r);
  });

  it('lets two extensions starting together both prepare: one key, the same bytes, and their retries read it', async () => {
    const record = await storedImage('webp', 3000, 2000);
    const { store, counted } = countingReads(s3.store, objectKeys(record).original);
    const { transcode, counted: transcoded } = countingTranscode();

    const together = await Promise.all([
      prepareImage(store, record, { ...rekognitionOnAws(), transcode }),
      prepareImage(store, record, { ...vision, transcode }),
    ]);
    const readsTogether = counted.reads;
    const retried = await prepareImage(store, record, { ...rekognitionOnAws(), transcode });

    expect(readsTogether).toBeLessThanOrEqual(2);
    expect([counted.reads, transcoded.transcodes]).toEqual([readsTogether, readsTogether]);
    const [rekognition, withVision] = together.map(bytesOf);
    expect(withVision).toEqual(rekognition);
    expect(bytesOf(retried)).toEqual(rekognition);
  });

  it('sends a JPEG within 1600 px and 4 MB to Vision as it is, reading the original each time and keeping nothing', async () => {
    const record = await storedImage('jpeg', 640, 480);
    const { transcode, counted } = countingTranscode();

    const sent = await prepareImage(s3.store, record, { ...vision, transcode });

    expect(bytesOf(sent)).toEqual(Buffer.from(await s3.store.get(objectKeys(record).original)));
    expect(counted.transcodes).toBe(0);
  });
});
