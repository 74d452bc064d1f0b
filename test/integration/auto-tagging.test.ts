import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FakeProvider, RekognitionRequestSeen, VisionRequestSeen } from '../../local/fakes/providers.js';
import { jpeg, pdf, webp } from '../support/images.js';
import { blob, getDetails, patchDetails, upload } from '../support/requests.js';
import { type Providers, startProviders } from '../support/providers.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

const SYNC_WINDOW_MS = 2500;
let stack: TestStack;
let rekognition: FakeProvider<RekognitionRequestSeen>;
let vision: FakeProvider<VisionRequestSeen>;
let providers: Providers;

const aws = (minConfidence = 50, maxTags = 3) => ({ name: 'aws-auto-tagging', minConfidence, maxTags });
const google = (minConfidence = 50, maxTags = 3) => ({ name: 'google-auto-tagging', minConfidence, maxTags });
const CAT = [
  { name: 'Cat', confidence: 97.436 },
  { name: 'Animal', confidence: 99.1 },
  { name: 'cat', confidence: 60 },
  { name: 'Pet', confidence: 95.2 },
  { name: 'Blurry', confidence: 40 },
];

interface Tagged {
  fileId: string;
  AITags: Array<{ name: string; confidence: number; source: string }> | null;
  extensionStatus?: Record<string, string>;
  extensionErrors?: Record<string, { message: string; reason: string }>;
  tags?: string[] | null;
}

beforeAll(async () => {
  providers = await startProviders({
    rekognition: CAT,
    vision: [
      { name: 'Kitten', confidence: 88.888 },
      { name: 'Whiskers', confidence: 70 },
    ],
  });
  ({ rekognition, vision } = providers);
  stack = await startTestStack({
    ...providers.env,
    AITAGS_SYNC_WINDOW_MS: String(SYNC_WINDOW_MS),
    AITAGS_PROVIDER_TIMEOUT_MS: '5000',
    AITAGS_LOCAL_WAIT_SCALE: '0.01',
  });
});
afterEach(async () => {
  await stack.idle();
  rekognition.reset();
  vision.reset();
});
afterAll(async () => {
  await stack?.close();
  await providers?.stop();
});

const uploadTagged = async (extensions: unknown[], file?: Buffer) =>
  (await upload<Tagged>(stack, { file: blob(file ?? (await jpeg(640, 480))), fileName: 'tagged.jpg', extensions: JSON.stringify(extensions) })).body;

describe('GET /v1/status with the provider fakes configured', () => {
  it('says both extensions can run, without calling either provider', async () => {
    const response = await fetch(`${stack.apiUrl}/v1/status`, { headers: { authorization: stack.auth } });
    const body = (await response.json()) as { extensions: Record<string, unknown> };
    expect(response.status).toBe(200);
    expect(body.extensions['aws-auto-tagging']).toMatchObject({ available: true });
    expect(body.extensions['google-auto-tagging']).toMatchObject({ available: true });
    expect(body.extensions['aws-auto-tagging']).not.toHaveProperty('reason');
    expect(rekognition.requests).toEqual([]);
    expect(vision.requests).toEqual([]);
  });
});

describe('auto-tagging on upload', () => {
  it('returns both providers’ tags inside the sync window, selected and grouped by source', async () => {
    const body = await uploadTagged([google(80, 5), aws(90, 2)]);
    expect(body.extensionStatus).toEqual({ 'google-auto-tagging': 'success', 'aws-auto-tagging': 'success' });
    expect(body.AITags).toEqual([
      { name: 'Animal', confidence: 99.1, source: 'aws-auto-tagging' },
      { name: 'Cat', confidence: 97.44, source: 'aws-auto-tagging' },
      { name: 'Kitten', confidence: 88.89, source: 'google-auto-tagging' },
    ]);
    expect(body.extensionErrors).toBeUndefined();
    expect((await getDetails<Tagged>(stack, body.fileId)).body).toMatchObject({ AITags: body.AITags, extensionStatus: body.extensionStatus });
  });

  it('sends providers a downscaled JPEG, also for a WebP upload', async () => {
    await uploadTagged([aws(), google()], await webp(2400, 1200));
    const sent = [rekognition.requests[0]?.image, vision.requests[0]?.images[0]?.image];
    expect(sent).toEqual([
      expect.objectContaining({ format: 'jpeg', width: 1600, height: 800 }),
      expect.objectContaining({ format: 'jpeg', width: 1600, height: 800 }),
    ]);
  });

  it('sends a JPEG already within 1600 px as it is, without transcoding it', async () => {
    const original = await jpeg(640, 480);
    await uploadTagged([aws(), google()], original);
    const sent = [rekognition.requests[0]?.image, vision.requests[0]?.images[0]?.image];
    expect(sent).toEqual([
      expect.objectContaining({ format: 'jpeg', width: 640, height: 480, byteLength: original.length }),
      expect.objectContaining({ format: 'jpeg', width: 640, height: 480, byteLength: original.length }),
    ]);
  });

  it('reports a slow extension pending, and its result lands on the record later', async () => {
    vision.behave({ latencyMs: SYNC_WINDOW_MS + 500, labels: [{ name: 'Slow', confidence: 90 }] });
    const started = Date.now();
    const body = await uploadTagged([aws(), google()]);
    expect(Date.now() - started).toBeLessThan(SYNC_WINDOW_MS + 1000);
    expect(body.extensionStatus).toEqual({ 'aws-auto-tagging': 'success', 'google-auto-tagging': 'pending' });
    expect(body.AITags?.map((tag) => tag.source)).toEqual(['aws-auto-tagging', 'aws-auto-tagging', 'aws-auto-tagging']);
    await stack.idle();
    const later = (await getDetails<Tagged>(stack, body.fileId)).body;
    expect(later.extensionStatus).toEqual({ 'aws-auto-tagging': 'success', 'google-auto-tagging': 'success' });
    expect(later.AITags).toContainEqual({ name: 'Slow', confidence: 90, source: 'google-auto-tagging' });
  });

  it('retries a throttled provider and succeeds', async () => {
    rekognition.behave({ labels: CAT, failures: ['throttle', 'throttle', 'throttle'] });
    const body = await uploadTagged([aws()]);
    await stack.idle(); // the state machine's throttling retries may outlast the window
    expect((await getDetails<Tagged>(stack, body.fileId)).body.extensionStatus).toEqual({ 'aws-auto-tagging': 'success' });
    expect(rekognition.requests.map((request) => request.status)).toEqual([400, 400, 400, 200]);
  });

  it('ends one extension failed after its retries while the other succeeds', async () => {
    rekognition.behave({ labels: CAT, failures: Array(20).fill('server-error') });
    const uploaded = await uploadTagged([aws(), google()]);
    await stack.idle();
    const body = (await getDetails<Tagged>(stack, uploaded.fileId)).body;
    expect(body.extensionStatus).toEqual({ 'aws-auto-tagging': 'failed', 'google-auto-tagging': 'success' });
    expect(body.extensionErrors?.['aws-auto-tagging']).toEqual({
      message: expect.stringMatching(/^The provider kept failing after retries: Amazon Rekognition: InternalServerError/),
      reason: 'PROVIDER_UNAVAILABLE',
    });
    // Two SDK attempts per Lambda attempt: two Lambda attempts on the Express run (one retry), then five on
    // its Standard continuation (one try and four retries).
    expect(rekognition.requests).toHaveLength(14);
    expect(body.AITags?.every((tag) => tag.source === 'google-auto-tagging')).toBe(true);
  });

  it('treats a provider that does not answer in time like a fault: retried, then succeeds', async () => {
    vision.behave({ failures: ['hang'], labels: [{ name: 'Patient', confidence: 80 }] });
    const body = await uploadTagged([google()]);
    await stack.idle();
    const later = (await getDetails<Tagged>(stack, body.fileId)).body;
    expect(later.extensionStatus).toEqual({ 'google-auto-tagging': 'success' });
    expect(later.AITags).toEqual([{ name: 'Patient', confidence: 80, source: 'google-auto-tagging' }]);
    expect(vision.requests).toHaveLength(2);
  });

  it('fails an image the provider refuses without retrying', async () => {
    rekognition.behave({ failures: ['bad-image'] });
    const body = await uploadTagged([aws()]);
    expect(body.extensionStatus).toEqual({ 'aws-auto-tagging': 'failed' });
    expect(body.extensionErrors?.['aws-auto-tagging']?.reason).toBe('UNSUPPORTED_IMAGE');
    expect(rekognition.requests).toHaveLength(1);
  });

  it('succeeds with no tags and no provider call when maxTags is 0', async () => {
    const body = await uploadTagged([aws(0, 0), google(0, 0)]);
    expect(body.extensionStatus).toEqual({ 'aws-auto-tagging': 'success', 'google-auto-tagging': 'success' });
    expect(body.AITags).toBeNull();
    expect([rekognition.requests.length, vision.requests.length]).toEqual([0, 0]);
  });

  it('keeps only labels at 100 when minConfidence is 100', async () => {
    rekognition.behave({
      labels: [
        { name: 'Certain', confidence: 99.996 },
        { name: 'Almost', confidence: 99.99 },
      ],
    });
    const body = await uploadTagged([aws(100, 30)]);
    expect(body.AITags).toEqual([{ name: 'Certain', confidence: 100, source: 'aws-auto-tagging' }]);
  });

  it('fails extensions on a non-image without calling a provider, and keeps the file', async () => {
    const body = await uploadTagged([aws(), google()], pdf());
    expect(body.extensionStatus).toEqual({ 'aws-auto-tagging': 'failed', 'google-auto-tagging': 'failed' });
    expect(body.extensionErrors?.['google-auto-tagging']).toEqual({
      message: 'Only images can be auto-tagged; this file is application/pdf',
      reason: 'NOT_AN_IMAGE',
    });
    expect([rekognition.requests.length, vision.requests.length]).toEqual([0, 0]);
    expect((await getDetails(stack, body.fileId)).status).toBe(200);
  });
});

describe("images outside Rekognition's 80–10,000 px a side", () => {
  const png = (width: number, height: number) =>
    sharp({ create: { width, height, channels: 3, background: { r: 30, g: 90, b: 200 } } })
      .png()
      .toBuffer();
  const uploadBoth = async (file: Buffer) => {
    const { fileId } = await uploadTagged([aws(), google()], file);
    await stack.idle();
    return (await getDetails<Tagged>(stack, fileId)).body;
  };
  const sent = () => [rekognition.requests.map((request) => request.image), vision.requests.map((request) => request.images[0]?.image)];

  it('tags a 12,000 × 500 panorama, sent as 1920 × 80 to both providers', async () => {
    const body = await uploadBoth(await jpeg(12_000, 500));

    expect(body.extensionStatus).toEqual({ 'aws-auto-tagging': 'success', 'google-auto-tagging': 'success' });
    const panorama = expect.objectContaining({ format: 'jpeg', width: 1920, height: 80 });
    expect(sent()).toEqual([[panorama], [panorama]]);
  });

  it('tags a 50 × 50 image: Rekognition gets it enlarged to 80 × 80, Vision as it is', async () => {
    const original = await jpeg(50, 50);
    const body = await uploadBoth(original);

    expect(body.extensionStatus).toEqual({ 'aws-auto-tagging': 'success', 'google-auto-tagging': 'success' });
    expect(sent()).toEqual([
      [expect.objectContaining({ format: 'jpeg', width: 80, height: 80 })],
      [expect.objectContaining({ format: 'jpeg', width: 50, height: 50, byteLength: original.length })],
    ]);
  });

  it('tags a 20,000 × 500 image, sent as 3200 × 80', async () => {
    const body = await uploadBoth(await png(20_000, 500));

    expect(body.extensionStatus).toEqual({ 'aws-auto-tagging': 'success', 'google-auto-tagging': 'success' });
    const strip = expect.objectContaining({ format: 'jpeg', width: 3200, height: 80 });
    expect(sent()).toEqual([[strip], [strip]]);
  });

  it('fails Rekognition on a 100,000 × 50 image, whose sides no scaling fits, without calling it; Vision tags it', async () => {
    const body = await uploadBoth(await png(100_000, 50));

    expect(body.extensionStatus).toEqual({ 'aws-auto-tagging': 'failed', 'google-auto-tagging': 'success' });
    expect(body.extensionErrors?.['aws-auto-tagging']).toEqual({
      message:
        "The image is 100000 × 50 px, its sides more than 125:1 apart: no scaling fits Amazon Rekognition's 80 to 10,000 px a side, so it was not sent",
      reason: 'UNSUPPORTED_IMAGE',
    });
    expect(sent()).toEqual([[], [expect.objectContaining({ format: 'jpeg', width: 10_000, height: 5 })]]);
  });

  it('keeps one prepared image for the file version, which a retry sends again', async () => {
    rekognition.behave({ labels: CAT, failures: ['server-error', 'server-error'] });
    const body = await uploadBoth(await webp(2400, 1200));

    expect(body.extensionStatus).toEqual({ 'aws-auto-tagging': 'success', 'google-auto-tagging': 'success' });
    // The SDK's own two attempts, then the state machine's retry: the same image each time.
    expect(rekognition.calls.map((call) => call.image)).toEqual(Array(3).fill(vision.calls[0]?.image));
    const prepared = (await stack.snapshot()).objects.filter((object) => object.startsWith(`prepared/${body.fileId}/`));
    expect(prepared).toEqual([expect.stringMatching(new RegExp(`^prepared/${body.fileId}/\\w+/1600x800\\.jpg `))]);
  });
});

describe('auto-tagging on update', () => {
  it('a re-run of one extension replaces that source’s tags only', async () => {
    const first = await uploadTagged([aws(), google()]);
    vision.behave({ labels: [{ name: 'Tabby', confidence: 91 }] });
    const { body } = await patchDetails<Tagged>(stack, first.fileId, { extensions: [google()] });
    expect(body.extensionStatus).toEqual({ 'google-auto-tagging': 'success' });
    expect(body.AITags).toEqual([
      ...(first.AITags ?? []).filter((tag) => tag.source === 'aws-auto-tagging'),
      { name: 'Tabby', confidence: 91, source: 'google-auto-tagging' },
    ]);
  });

  it('removes AI tags before running extensions', async () => {
    const first = await uploadTagged([aws(), google()]);
    const { body } = await patchDetails<Tagged>(stack, first.fileId, { removeAITags: ['Animal', 'kitten'], extensions: [aws(50, 1)] });
    expect(body.AITags).toEqual([
      { name: 'Animal', confidence: 99.1, source: 'aws-auto-tagging' },
      { name: 'Whiskers', confidence: 70, source: 'google-auto-tagging' },
    ]);
  });

  it('loses nothing when PATCHes with extensions and tags hit one file at once', async () => {
    const first = await uploadTagged([]);
    rekognition.behave({ labels: CAT, latencyMs: 50 });
    vision.behave({ labels: [{ name: 'Kitten', confidence: 88 }], latencyMs: 80 });
    const replies = await Promise.all([
      patchDetails<Tagged>(stack, first.fileId, { extensions: [aws()] }),
      patchDetails<Tagged>(stack, first.fileId, { extensions: [google()] }),
      patchDetails<Tagged>(stack, first.fileId, { tags: ['kept'] }),
      patchDetails<Tagged>(stack, first.fileId, { customMetadata: { also: 'kept' } }),
    ]);
    expect(replies.map((reply) => reply.status)).toEqual([200, 200, 200, 200]);
    await stack.idle();
    const final = (await getDetails<Tagged & { customMetadata: unknown }>(stack, first.fileId)).body;
    expect(final).toMatchObject({
      tags: ['kept'],
      customMetadata: { also: 'kept' },
      extensionStatus: { 'aws-auto-tagging': 'success', 'google-auto-tagging': 'success' },
    });
    expect(final.AITags?.map((tag) => `${tag.source}:${tag.name}`)).toEqual([
      'aws-auto-tagging:Animal',
      'aws-auto-tagging:Cat',
      'aws-auto-tagging:Pet',
      'google-auto-tagging:Kitten',
    ]);
  });
});

describe('re-upload to the same path', () => {
  it('keeps AI tags with overwriteAITags=false and clears them by default', async () => {
    const fields = { fileName: 'same-tags.jpg', useUniqueFileName: 'false' };
    const first = (await upload<Tagged>(stack, { ...fields, file: blob(await jpeg()), extensions: JSON.stringify([aws()]) })).body;
    expect(first.AITags).toHaveLength(3);
    const kept = (await upload<Tagged>(stack, { ...fields, file: blob(await jpeg(20, 20)), overwriteAITags: 'false' })).body;
    expect(kept.AITags).toEqual(first.AITags);
    const cleared = (await upload<Tagged>(stack, { ...fields, file: blob(await jpeg(21, 21)) })).body;
    expect(cleared.AITags).toBeNull();
    expect((await getDetails<Tagged>(stack, first.fileId)).body.extensionStatus).toBeUndefined();
  });
});
