import ImageKit from '@imagekit/nodejs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FakeProvider, RekognitionRequestSeen, VisionRequestSeen } from '../../local/fakes/providers.js';
import { jpeg } from '../support/images.js';
import { blob, getDetails, upload } from '../support/requests.js';
import { type Providers, startProviders } from '../support/providers.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';
import { startWebhookReceiver } from '../support/webhook-receiver.js';

const SYNC_WINDOW_MS = 2000;
let stack: TestStack;
let rekognition: FakeProvider<RekognitionRequestSeen>;
let vision: FakeProvider<VisionRequestSeen>;
let providers: Providers;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
let verifier: ImageKit;

const both = JSON.stringify([
  { name: 'aws-auto-tagging', minConfidence: 50, maxTags: 2 },
  { name: 'google-auto-tagging', minConfidence: 50, maxTags: 2 },
]);

beforeAll(async () => {
  providers = await startProviders({
    rekognition: [
      { name: 'Cat', confidence: 97 },
      { name: 'Pet', confidence: 90 },
    ],
    vision: [{ name: 'Kitten', confidence: 88 }],
  });
  ({ rekognition, vision } = providers);
  receiver = await startWebhookReceiver();
  stack = await startTestStack({
    ...providers.env,
    AITAGS_SYNC_WINDOW_MS: String(SYNC_WINDOW_MS),
    // 5 min → 6 ms, 10 h → 0.72 s: the whole 27.6 h schedule in about 1.4 s.
    AITAGS_LOCAL_WAIT_SCALE: '0.00002',
    AITAGS_WEBHOOK_TIMEOUT_MS: '300',
  });
  // The official SDK verifies what aitags signs, with the deployment's secret.
  verifier = new ImageKit({ privateKey: 'unused', webhookSecret: stack.webhookSecret });
});
afterEach(async () => {
  await stack.idle();
  rekognition.reset();
  vision.reset();
  receiver.reset();
});
afterAll(async () => {
  await stack?.close();
  await Promise.all([providers?.stop(), receiver?.stop()]);
});

const headersOf = (index: number) => {
  const headers = receiver.received[index]?.headers ?? {};
  return {
    'webhook-id': String(headers['webhook-id']),
    'webhook-timestamp': String(headers['webhook-timestamp']),
    'webhook-signature': String(headers['webhook-signature']),
  };
};
const verified = (index: number) => verifier.webhooks.unwrap(receiver.received[index]?.body ?? '', { headers: headersOf(index) });

describe('webhooks for extensions reported pending', () => {
  it('delivers SUCCESS with the File object after the merge, signed so the official SDK verifies it', async () => {
    vision.behave({ latencyMs: SYNC_WINDOW_MS + 600, labels: [{ name: 'Kitten', confidence: 88 }] });
    const { body } = await upload<{ fileId: string; extensionStatus: unknown }>(stack, {
      file: blob(await jpeg()),
      fileName: 'hook.jpg',
      extensions: both,
      webhookUrl: receiver.url,
    });
    expect(body.extensionStatus).toEqual({ 'aws-auto-tagging': 'success', 'google-auto-tagging': 'pending' });
    await stack.idle();
    expect(receiver.received).toHaveLength(1);
    const file = (await getDetails(stack, body.fileId)).body;
    expect(verified(0)).toEqual({ service: 'google-auto-tagging', status: 'SUCCESS', fileObject: file });
    expect(file).toMatchObject({
      AITags: [
        { name: 'Cat', confidence: 97, source: 'aws-auto-tagging' },
        { name: 'Pet', confidence: 90, source: 'aws-auto-tagging' },
        { name: 'Kitten', confidence: 88, source: 'google-auto-tagging' },
      ],
    });
  });

  it('delivers FAILURE with the reason when a pending extension fails', async () => {
    rekognition.behave({ latencyMs: SYNC_WINDOW_MS + 600, failures: ['bad-image'] });
    const { body } = await upload<{ fileId: string; extensionStatus: unknown }>(stack, {
      file: blob(await jpeg()),
      fileName: 'hook-fail.jpg',
      extensions: JSON.stringify([{ name: 'aws-auto-tagging', minConfidence: 50, maxTags: 2 }]),
      webhookUrl: receiver.url,
    });
    expect(body.extensionStatus).toEqual({ 'aws-auto-tagging': 'pending' });
    await stack.idle();
    expect(verified(0)).toEqual({
      service: 'aws-auto-tagging',
      status: 'FAILURE',
      fileId: body.fileId,
      error: { message: expect.stringMatching(/^Amazon Rekognition could not read the image/), reason: 'UNSUPPORTED_IMAGE' },
    });
  });

  it('sends nothing for extensions that were final inside the window', async () => {
    const { body } = await upload<{ extensionStatus: unknown }>(stack, {
      file: blob(await jpeg()),
      fileName: 'no-hook.jpg',
      extensions: both,
      webhookUrl: receiver.url,
    });
    expect(body.extensionStatus).toEqual({ 'aws-auto-tagging': 'success', 'google-auto-tagging': 'success' });
    await stack.idle();
    expect(receiver.received).toHaveLength(0);
  });

  it('sends an event for every pending extension of a PATCH too', async () => {
    const { body: file } = await upload<{ fileId: string }>(stack, { file: blob(await jpeg()), fileName: 'patch-hook.jpg' });
    rekognition.behave({ latencyMs: SYNC_WINDOW_MS + 600, labels: [{ name: 'Late', confidence: 80 }] });
    vision.behave({ latencyMs: SYNC_WINDOW_MS + 600, labels: [{ name: 'Later', confidence: 70 }] });
    const response = await fetch(`${stack.apiUrl}/v1/files/${file.fileId}/details`, {
      method: 'PATCH',
      headers: { authorization: stack.auth, 'content-type': 'application/json' },
      body: JSON.stringify({ extensions: JSON.parse(both), webhookUrl: receiver.url }),
    });
    expect(((await response.json()) as { extensionStatus: unknown }).extensionStatus).toEqual({
      'aws-auto-tagging': 'pending',
      'google-auto-tagging': 'pending',
    });
    await stack.idle();
    const events = receiver.received.map((_, index) => verified(index) as unknown as { service: string; status: string });
    expect(events.map((event) => `${event.service}:${event.status}`).sort()).toEqual(['aws-auto-tagging:SUCCESS', 'google-auto-tagging:SUCCESS']);
    expect(new Set(receiver.received.map((delivery) => delivery.headers['webhook-id'])).size).toBe(2);
  });
});

describe('webhooks for superseded runs', () => {
  it('still sends the promised event, as FAILURE SUPERSEDED, when a newer run replaced the pending one', async () => {
    const { body: file } = await upload<{ fileId: string }>(stack, { file: blob(await jpeg()), fileName: 'superseded.jpg' });
    const patch = (body: unknown) =>
      fetch(`${stack.apiUrl}/v1/files/${file.fileId}/details`, {
        method: 'PATCH',
        headers: { authorization: stack.auth, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then(async (response) => (await response.json()) as { extensionStatus: unknown; AITags: unknown });
    const google = [{ name: 'google-auto-tagging', minConfidence: 50, maxTags: 2 }];
    vision.behave({ latencyMs: SYNC_WINDOW_MS + 600, labels: [{ name: 'Older', confidence: 80 }] });
    expect((await patch({ extensions: google, webhookUrl: receiver.url })).extensionStatus).toEqual({ 'google-auto-tagging': 'pending' });
    vision.behave({ labels: [{ name: 'Newer', confidence: 90 }] });
    expect((await patch({ extensions: google })).AITags).toEqual([{ name: 'Newer', confidence: 90, source: 'google-auto-tagging' }]);
    await stack.idle();
    expect(receiver.received).toHaveLength(1);
    expect(verified(0)).toEqual({
      service: 'google-auto-tagging',
      status: 'FAILURE',
      fileId: file.fileId,
      error: { message: expect.stringMatching(/^A newer run of this extension/), reason: 'SUPERSEDED' },
    });
    expect((await getDetails(stack, file.fileId)).body).toMatchObject({ AITags: [{ name: 'Newer', confidence: 90, source: 'google-auto-tagging' }] });
  });
});

describe('webhook retries', () => {
  it('retries a failing receiver with the same webhook-id until it accepts, and records every attempt', async () => {
    receiver.script([500, 503, 'hang']);
    vision.behave({ latencyMs: SYNC_WINDOW_MS + 600, labels: [{ name: 'Kitten', confidence: 88 }] });
    const { body } = await upload<{ fileId: string }>(stack, {
      file: blob(await jpeg()),
      fileName: 'retry.jpg',
      extensions: JSON.stringify([{ name: 'google-auto-tagging', minConfidence: 50, maxTags: 2 }]),
      webhookUrl: receiver.url,
    });
    await stack.idle();
    expect(receiver.received.map((delivery) => delivery.answered)).toEqual([500, 503, 'no answer', 200]);
    expect(new Set(receiver.received.map((delivery) => delivery.headers['webhook-id'])).size).toBe(1);
    for (const index of [0, 1, 2, 3]) expect(verified(index)).toMatchObject({ service: 'google-auto-tagging', status: 'SUCCESS' });
    const [delivery, ...others] = (await stack.deliveries(body.fileId)) as Array<{
      state: string;
      ttl: number;
      attempts: Array<{ status?: number; error?: string }>;
    }>;
    expect(others).toEqual([]);
    expect(delivery?.state).toBe('delivered');
    expect(delivery?.attempts.map((attempt) => attempt.status ?? attempt.error)).toEqual([500, 503, 'no answer within 300 ms', 200]);
    // Final: it expires in about 30 days, and the file keeps nothing of it.
    expect((delivery?.ttl ?? 0) - Date.now() / 1000).toBeGreaterThan(29 * 86_400);
    const item = await stack.item(body.fileId);
    expect(item?.pendingWebhooks).toEqual({});
    expect(item).not.toHaveProperty('webhookDeliveries');
  });

  it('gives up after the last attempt of the schedule and records the final failure', async () => {
    receiver.script(Array(8).fill(500));
    vision.behave({ latencyMs: SYNC_WINDOW_MS + 600, labels: [{ name: 'Kitten', confidence: 88 }] });
    const { body } = await upload<{ fileId: string }>(stack, {
      file: blob(await jpeg()),
      fileName: 'given-up.jpg',
      extensions: JSON.stringify([{ name: 'google-auto-tagging', minConfidence: 50, maxTags: 2 }]),
      webhookUrl: receiver.url,
    });
    await stack.idle();
    expect(receiver.received).toHaveLength(8);
    const [delivery] = (await stack.deliveries(body.fileId)) as Array<{ state: string; attempts: unknown[] }>;
    expect(delivery).toMatchObject({ state: 'failed', url: receiver.url, service: 'google-auto-tagging' });
    expect(delivery?.attempts).toHaveLength(8);
  });
});
