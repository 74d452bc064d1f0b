import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FakeProvider, RekognitionRequestSeen, VisionRequestSeen } from '../../local/fakes/providers.js';
import { LOCAL_STATE_MACHINES } from '../../local/stack.js';
import { jpeg } from '../support/images.js';
import { blob, getDetails, patchDetails, upload } from '../support/requests.js';
import { type Providers, startProviders } from '../support/providers.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';
import { startWebhookReceiver } from '../support/webhook-receiver.js';

// Each tagging run is an execution of the Express machine; the Standard one gets only what needs time
// (docs/architecture.md, "Standard or Express"). Executions are counted at the local Step Functions endpoint.

const SYNC_WINDOW_MS = 2000;
let stack: TestStack;
let rekognition: FakeProvider<RekognitionRequestSeen>;
let vision: FakeProvider<VisionRequestSeen>;
let providers: Providers;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
/** Executions per machine when the test began. */
let before: Record<string, string[]>;

const aws = { name: 'aws-auto-tagging', minConfidence: 50, maxTags: 2 };
const google = { name: 'google-auto-tagging', minConfidence: 50, maxTags: 2 };
const both = JSON.stringify([aws, google]);

/** Executions started on each machine since the test began. */
const startedSince = () =>
  Object.fromEntries(Object.entries(stack.executionsStarted()).map(([machine, names]) => [machine, names.slice(before[machine]?.length ?? 0)]));

const runIdOf = async (fileId: string, extension: string) =>
  String(((await stack.item(fileId))?.extensionRuns as Record<string, string> | undefined)?.[extension]);

beforeAll(async () => {
  providers = await startProviders({
    rekognition: [{ name: 'Cat', confidence: 97 }],
    vision: [{ name: 'Kitten', confidence: 88 }],
  });
  ({ rekognition, vision } = providers);
  receiver = await startWebhookReceiver();
  stack = await startTestStack({
    ...providers.env,
    AITAGS_SYNC_WINDOW_MS: String(SYNC_WINDOW_MS),
    // The webhook schedule's 5 s → 0.1 ms. The Express limit keeps its floor: Lambda work takes real time.
    AITAGS_LOCAL_WAIT_SCALE: '0.00002',
    AITAGS_WEBHOOK_TIMEOUT_MS: '300',
  });
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

describe('tagging runs on the Express machine', () => {
  it('starts no Standard execution for uploads and PATCHes that owe no webhook, or deliver it at the first attempt', async () => {
    await stack.idle();
    before = stack.executionsStarted();
    const image = blob(await jpeg());
    // No webhook asked for.
    const plain = await upload<{ fileId: string; extensionStatus: unknown }>(stack, { file: image, fileName: 'plain.jpg', extensions: both });
    expect(plain.body.extensionStatus).toEqual({ 'aws-auto-tagging': 'success', 'google-auto-tagging': 'success' });
    // A webhook asked for, but every extension final inside the window: none owed.
    const final = await upload<{ extensionStatus: unknown }>(stack, {
      file: image,
      fileName: 'final.jpg',
      extensions: both,
      webhookUrl: receiver.url,
    });
    expect(final.body.extensionStatus).toEqual({ 'aws-auto-tagging': 'success', 'google-auto-tagging': 'success' });
    // Owed, and delivered at the first attempt.
    vision.behave({ latencyMs: SYNC_WINDOW_MS + 600, labels: [{ name: 'Kitten', confidence: 88 }] });
    const owed = await upload<{ fileId: string; extensionStatus: unknown }>(stack, {
      file: image,
      fileName: 'owed.jpg',
      extensions: both,
      webhookUrl: receiver.url,
    });
    expect(owed.body.extensionStatus).toEqual({ 'aws-auto-tagging': 'success', 'google-auto-tagging': 'pending' });
    await stack.idle();
    vision.reset();
    // A re-tag by PATCH.
    const patched = await patchDetails<{ extensionStatus: unknown }>(stack, plain.body.fileId, { extensions: [aws] });
    expect(patched.body.extensionStatus).toEqual({ 'aws-auto-tagging': 'success' });
    await stack.idle();

    expect(receiver.received.map((delivery) => delivery.answered)).toEqual([200]);
    expect(startedSince()).toEqual({
      [LOCAL_STATE_MACHINES.runs]: [expect.any(String), expect.any(String), expect.any(String), expect.any(String)],
      [LOCAL_STATE_MACHINES.standard]: [],
      [LOCAL_STATE_MACHINES.jobs]: [],
    });
    expect((await getDetails<{ extensionStatus: unknown }>(stack, owed.body.fileId)).body.extensionStatus).toEqual({
      'aws-auto-tagging': 'success',
      'google-auto-tagging': 'success',
    });
  });

  it('continues a webhook whose first attempt failed on the Standard machine, named by its webhook-id, which it keeps', async () => {
    await stack.idle();
    before = stack.executionsStarted();
    receiver.script([500]);
    vision.behave({ latencyMs: SYNC_WINDOW_MS + 600, labels: [{ name: 'Kitten', confidence: 88 }] });
    const { body } = await upload<{ fileId: string; extensionStatus: unknown }>(stack, {
      file: blob(await jpeg()),
      fileName: 'retried.jpg',
      extensions: JSON.stringify([google]),
      webhookUrl: receiver.url,
    });
    expect(body.extensionStatus).toEqual({ 'google-auto-tagging': 'pending' });
    await stack.idle();

    expect(receiver.received.map((delivery) => delivery.answered)).toEqual([500, 200]);
    const webhookIds = receiver.received.map((delivery) => delivery.headers['webhook-id']);
    expect(webhookIds[1]).toBe(webhookIds[0]);
    expect(startedSince()).toEqual({
      [LOCAL_STATE_MACHINES.runs]: [await runIdOf(body.fileId, 'google-auto-tagging')],
      [LOCAL_STATE_MACHINES.standard]: [webhookIds[0]],
      [LOCAL_STATE_MACHINES.jobs]: [],
    });
    const [delivery] = (await stack.deliveries(body.fileId)) as Array<{ state: string; attempts: Array<{ status?: number }> }>;
    expect(delivery?.state).toBe('delivered');
    expect(delivery?.attempts.map((attempt) => attempt.status)).toEqual([500, 200]);
  });

  it('continues an extension the provider still throttles on the Standard machine, as <runId>-<extension>, where it ends success', async () => {
    await stack.idle();
    before = stack.executionsStarted();
    // More throttles than the Express run retries (three Lambda attempts, each with the SDK's own retries).
    rekognition.behave({ labels: [{ name: 'Cat', confidence: 97 }], failures: Array(12).fill('throttle') });
    const { body } = await upload<{ fileId: string; extensionStatus: unknown }>(stack, {
      file: blob(await jpeg()),
      fileName: 'throttled.jpg',
      extensions: both,
    });
    await stack.idle();

    const runId = await runIdOf(body.fileId, 'aws-auto-tagging');
    expect(startedSince()).toEqual({
      [LOCAL_STATE_MACHINES.runs]: [runId],
      [LOCAL_STATE_MACHINES.standard]: [`${runId}-aws-auto-tagging`],
      [LOCAL_STATE_MACHINES.jobs]: [],
    });
    expect((await getDetails<{ extensionStatus: unknown }>(stack, body.fileId)).body.extensionStatus).toEqual({
      'aws-auto-tagging': 'success',
      'google-auto-tagging': 'success',
    });
    expect(rekognition.requests.length).toBeGreaterThan(12);
  });
});
