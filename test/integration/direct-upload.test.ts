import { ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Context, S3Event } from 'aws-lambda';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakeProvider, type RekognitionRequestSeen, startFakeRekognition } from '../../local/fakes/providers.js';
import { jpeg } from '../support/images.js';
import { getDetails } from '../support/requests.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

let stack: TestStack;
let rekognition: FakeProvider<RekognitionRequestSeen>;
let s3: S3Client;
/** The trigger handler the stack runs, loaded after the stack set its configuration. */
let onObjectCreated: (event: S3Event, context: Context) => Promise<unknown>;

const DEFAULT_EXTENSIONS = [{ name: 'aws-auto-tagging', minConfidence: 80, maxTags: 2 }];

beforeAll(async () => {
  rekognition = await startFakeRekognition({
    labels: [
      { name: 'Photo', confidence: 95 },
      { name: 'Noise', confidence: 85 },
      { name: 'Faint', confidence: 10 },
    ],
  });
  process.env.AWS_ACCESS_KEY_ID = 'fake-key';
  process.env.AWS_SECRET_ACCESS_KEY = 'fake-secret';
  stack = await startTestStack({
    AWS_ENDPOINT_URL_REKOGNITION: rekognition.url,
    AITAGS_DEFAULT_EXTENSIONS: JSON.stringify(DEFAULT_EXTENSIONS),
    AITAGS_MAX_S3_UPLOAD_BYTES: String(40 * 1024 * 1024),
  });
  ({ handler: onObjectCreated } = (await import('../../functions/on-object-created.js')) as unknown as { handler: typeof onObjectCreated });
  s3 = new S3Client({
    endpoint: stack.s3Endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
});
afterEach(async () => {
  await stack.idle();
  rekognition.reset();
});
afterAll(async () => {
  s3?.destroy();
  await stack?.close();
  await rekognition?.stop();
});

interface UploadUrl {
  fileId: string;
  uploadUrl: string;
  method: string;
  headers: Record<string, string>;
  expiresAt: string;
  maxBytes: number;
}

const requestUploadUrl = async (body: unknown) => {
  const response = await fetch(`${stack.apiUrl}/api/v1/files/upload-url`, {
    method: 'POST',
    headers: { authorization: stack.auth, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as UploadUrl & { message?: string } };
};
const keysUnder = async (prefix: string) =>
  ((await s3.send(new ListObjectsV2Command({ Bucket: stack.bucket, Prefix: prefix }))).Contents ?? []).map((object) => object.Key);
const fileItems = async () => (await stack.snapshot()).items.filter((item) => item.includes('"file#'));

describe('direct-to-S3 upload', () => {
  it('stores and tags a 20 MB image PUT straight to S3, with its real dimensions', async () => {
    const bytes = await sharp({
      create: { width: 3000, height: 2400, channels: 3, background: { r: 0, g: 0, b: 0 }, noise: { type: 'gaussian', mean: 128, sigma: 60 } },
    })
      .png({ compressionLevel: 1 })
      .toBuffer();
    expect(bytes.length).toBeGreaterThan(20 * 1024 * 1024);
    const { status, body } = await requestUploadUrl({
      fileName: 'huge.png',
      size: bytes.length,
      contentType: 'image/png',
      folder: '/raw',
      tags: ['big'],
      extensions: [{ name: 'aws-auto-tagging', minConfidence: 50, maxTags: 5 }],
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({
      method: 'PUT',
      headers: { 'content-type': 'image/png', 'content-length': String(bytes.length) },
      maxBytes: 40 * 1024 * 1024,
    });
    expect(new URL(body.uploadUrl).searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;content-type;host');
    expect(Date.parse(body.expiresAt) - Date.now()).toBeGreaterThan(14 * 60 * 1000);
    expect((await getDetails(stack, body.fileId)).status).toBe(404); // nothing until the bytes arrive

    const put = await fetch(body.uploadUrl, { method: 'PUT', headers: body.headers, body: new Uint8Array(bytes) });
    expect(put.status).toBe(200);
    await stack.idle();

    const file = (await getDetails(stack, body.fileId)).body;
    expect(file).toMatchObject({
      fileId: body.fileId,
      filePath: expect.stringMatching(/^\/raw\/huge_[A-Za-z0-9]{9}\.png$/),
      width: 3000,
      height: 2400,
      size: bytes.length,
      mime: 'image/png',
      tags: ['big'],
      AITags: [
        { name: 'Photo', confidence: 95, source: 'aws-auto-tagging' },
        { name: 'Noise', confidence: 85, source: 'aws-auto-tagging' },
      ],
      extensionStatus: { 'aws-auto-tagging': 'success' },
    });
    expect(rekognition.requests[0]?.image).toMatchObject({ format: 'jpeg', width: 1600, height: 1280 });
    expect(await keysUnder('uploads/')).toEqual([]); // moved out of the inbox
  });

  it('refuses an upload whose size differs from the declared one, and stores nothing', async () => {
    const { body } = await requestUploadUrl({ fileName: 'liar.jpg', size: 100, contentType: 'image/jpeg' });
    const bytes = await jpeg(50, 50);
    // s3rver checks no signatures, so it takes a body the signed Content-Length would make S3 refuse.
    const put = await fetch(body.uploadUrl, { method: 'PUT', headers: { 'content-type': 'image/jpeg' }, body: new Uint8Array(bytes) });
    expect(put.status).toBe(200);
    await stack.idle();
    expect((await getDetails(stack, body.fileId)).status).toBe(404);
    expect(await keysUnder('uploads/')).toEqual([]);
    expect(rekognition.requests).toHaveLength(0);
  });

  it('refuses a second PUT to an upload URL already used: one file, one tagging run', async () => {
    const bytes = await jpeg(40, 30);
    const { body } = await requestUploadUrl({
      fileName: 'once.jpg',
      size: bytes.length,
      contentType: 'image/jpeg',
      extensions: [{ name: 'aws-auto-tagging', minConfidence: 50, maxTags: 5 }],
    });
    expect((await fetch(body.uploadUrl, { method: 'PUT', headers: body.headers, body: new Uint8Array(bytes) })).status).toBe(200);
    await stack.idle();
    const first = (await getDetails(stack, body.fileId)).body as { updatedAt: string; version?: number };
    expect((await fetch(body.uploadUrl, { method: 'PUT', headers: body.headers, body: new Uint8Array(bytes) })).status).toBe(200);
    await stack.idle();
    expect(rekognition.requests).toHaveLength(1);
    expect((await getDetails(stack, body.fileId)).body).toMatchObject({ updatedAt: first.updatedAt });
    expect(await keysUnder('uploads/')).toEqual([]);
  });

  it('gives two upload-url requests for one path their own upload, each stored with its own settings', async () => {
    const bytes = await jpeg(20, 20);
    const request = { fileName: 'shared.jpg', useUniqueFileName: false, folder: '/twice', size: bytes.length, contentType: 'image/jpeg' };
    const existing = await requestUploadUrl(request);
    await fetch(existing.body.uploadUrl, { method: 'PUT', headers: existing.body.headers, body: new Uint8Array(bytes) });
    await stack.idle();
    const [a, b] = await Promise.all([requestUploadUrl({ ...request, tags: ['a'] }), requestUploadUrl({ ...request, tags: ['b'] })]);
    expect(a.body.fileId).toBe(existing.body.fileId);
    expect(b.body.fileId).toBe(existing.body.fileId);
    expect(new URL(a.body.uploadUrl).pathname).not.toBe(new URL(b.body.uploadUrl).pathname);
    await fetch(a.body.uploadUrl, { method: 'PUT', headers: a.body.headers, body: new Uint8Array(bytes) });
    await stack.idle();
    expect((await getDetails(stack, existing.body.fileId)).body).toMatchObject({ tags: ['a'] });
    await fetch(b.body.uploadUrl, { method: 'PUT', headers: b.body.headers, body: new Uint8Array(bytes) });
    await stack.idle();
    expect((await getDetails(stack, existing.body.fileId)).body).toMatchObject({ tags: ['b'] });
  });

  it('refuses an expired presigned URL', async () => {
    const bytes = await jpeg(10, 10);
    const { body } = await requestUploadUrl({ fileName: 'late.jpg', size: bytes.length, contentType: 'image/jpeg' });
    const late = new URL(body.uploadUrl);
    late.searchParams.set('X-Amz-Date', '20200101T000000Z'); // signed long ago: expired 15 minutes later
    const put = await fetch(late, { method: 'PUT', headers: body.headers, body: new Uint8Array(bytes) });
    expect(put.status).toBe(403);
    await stack.idle();
    expect((await getDetails(stack, body.fileId)).status).toBe(404);
  });

  it.each([
    [{ fileName: 'x.jpg' }, 400, 'size is required (the exact number of bytes you will PUT)'],
    [{ fileName: 'x.jpg', size: 2.5 }, 400, 'size must be a whole number of bytes'],
    [{ fileName: 'x.jpg', size: 40 * 1024 * 1024 + 1 }, 413, 'size 41943041 is over the 41943040-byte limit for direct uploads'],
    [
      { fileName: 'x.jpg', size: 10, extensions: [{ name: 'aws-auto-tagging', minConfidence: 50, maxTags: 31 }] },
      400,
      'extensions[0].maxTags must be an integer between 0 and 30',
    ],
    [{ fileName: 'a/b.jpg', size: 10 }, 400, 'fileName must not contain "/"'],
    [{ fileName: 'x.jpg', size: 10, colour: 'red' }, 400, 'Unsupported field(s) "colour"'],
  ])('refuses a bad request %j with %i and stores nothing', async (request, status, message) => {
    const before = await stack.snapshot();
    const reply = await requestUploadUrl(request);
    expect([reply.status, reply.body.message]).toEqual([status, message]);
    expect(await stack.snapshot()).toEqual(before);
  });
});

describe('objects written to the ingest prefix by other tools', () => {
  const putIngest = async (key: string, body: Buffer) =>
    s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: key, Body: body, ContentType: 'image/jpeg' }));

  it('become files at their path, tagged with the default extensions', async () => {
    await putIngest('ingest/holiday photos/day 1+2.jpg', await jpeg(120, 80));
    await stack.idle();
    const items = (await fileItems()).filter((item) => item.includes('/holiday_photos/day_1_2.jpg'));
    expect(items).toHaveLength(1);
    const fileId = /"fileId":\{"S":"([0-9a-f]{24})"\}/.exec(items[0] ?? '')?.[1] ?? '';
    const file = (await getDetails(stack, fileId)).body;
    expect(file).toMatchObject({
      filePath: '/holiday_photos/day_1_2.jpg',
      width: 120,
      height: 80,
      AITags: [
        { name: 'Photo', confidence: 95, source: 'aws-auto-tagging' },
        { name: 'Noise', confidence: 85, source: 'aws-auto-tagging' },
      ],
    });
    expect(await keysUnder('ingest/')).toEqual([]);
  });

  it('tags a duplicated or replayed event once', async () => {
    const context = { getRemainingTimeInMillis: () => 60_000, awsRequestId: 'replay' } as unknown as Context;
    const replays: Promise<string>[] = [];
    const delivered: S3Event[] = [];
    // The very event S3 (here s3rver) delivered, delivered twice more at the same moment: three at once.
    stack.onS3Event((event) => {
      if (event.Records[0]?.s3.object.key !== 'ingest/dup/once.jpg') return;
      delivered.push(event);
      // Outcomes are taken at once: a copy may fail while the others are still running.
      const settle = (delivery: Promise<unknown>) =>
        delivery.then(
          () => 'handled',
          (error: unknown) => String(error),
        );
      replays.push(settle(onObjectCreated(event, context)), settle(onObjectCreated(event, context)));
    });
    await putIngest('ingest/dup/once.jpg', await jpeg(30, 30));
    await stack.idle();
    const outcomes = await Promise.all(replays);
    expect(replays).toHaveLength(2);
    // A copy that meets the claim while the work is under way fails, so that Lambda would retry it…
    for (const outcome of outcomes) if (outcome !== 'handled') expect(outcome).toMatch(/is being handled by another invocation/);
    // …and the retry finds the work done.
    await Promise.all(delivered.map((event) => onObjectCreated(event, context)));
    expect((await fileItems()).filter((item) => item.includes('/dup/once.jpg'))).toHaveLength(1);
    expect(rekognition.requests).toHaveLength(1);
  });

  it('re-tags an object overwritten at the same key as a new version of the same file', async () => {
    await putIngest('ingest/again/pic.jpg', await jpeg(40, 40));
    await stack.idle();
    rekognition.behave({ labels: [{ name: 'Second', confidence: 99 }] });
    await putIngest('ingest/again/pic.jpg', await jpeg(60, 50));
    await stack.idle();
    const items = (await fileItems()).filter((item) => item.includes('/again/pic.jpg'));
    expect(items).toHaveLength(1);
    const fileId = /"fileId":\{"S":"([0-9a-f]{24})"\}/.exec(items[0] ?? '')?.[1] ?? '';
    expect((await getDetails(stack, fileId)).body).toMatchObject({
      width: 60,
      height: 50,
      AITags: [{ name: 'Second', confidence: 99, source: 'aws-auto-tagging' }],
    });
    expect(rekognition.requests).toHaveLength(2);
  });
});
