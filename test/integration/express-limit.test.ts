import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeProvider, VisionRequestSeen } from '../../local/fakes/providers.js';
import { LOCAL_STATE_MACHINES } from '../../local/stack.js';
import { jpeg } from '../support/images.js';
import { blob, upload } from '../support/requests.js';
import { type Providers, startProviders } from '../support/providers.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';
import { startWebhookReceiver } from '../support/webhook-receiver.js';

// The local Express limit is set outright here (AITAGS_LOCAL_EXPRESS_LIMIT_MS), below what the tagger takes:
// the run is stopped before its webhook step, as AWS stops an Express execution at 5 minutes.

let stack: TestStack;
let vision: FakeProvider<VisionRequestSeen>;
let providers: Providers;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;

beforeAll(async () => {
  providers = await startProviders({ vision: [{ name: 'Kitten', confidence: 88 }] });
  ({ vision } = providers);
  receiver = await startWebhookReceiver();
  stack = await startTestStack({
    ...providers.env,
    AITAGS_SYNC_WINDOW_MS: '0',
    AITAGS_LOCAL_WAIT_SCALE: '0.00002',
    AITAGS_LOCAL_EXPRESS_LIMIT_MS: '400',
  });
});
afterAll(async () => {
  await stack?.close();
  await Promise.all([providers?.stop(), receiver?.stop()]);
});

describe('the local Express limit, set below a run’s length', () => {
  it('stops the run’s execution at the limit, before its webhook step: no webhook goes out', async () => {
    vision.behave({ latencyMs: 1500, labels: [{ name: 'Kitten', confidence: 88 }] });
    const { body } = await upload<{ fileId: string; extensionStatus: unknown }>(stack, {
      file: blob(await jpeg()),
      fileName: 'stopped.jpg',
      extensions: JSON.stringify([{ name: 'google-auto-tagging', minConfidence: 50, maxTags: 2 }]),
      webhookUrl: receiver.url,
    });
    expect(body.extensionStatus).toEqual({ 'google-auto-tagging': 'pending' });
    await stack.idle();
    // As on AWS, the tagger's invocation may outlive the execution that made it; the execution's next state never runs.
    expect(stack.executionsStarted()[LOCAL_STATE_MACHINES.runs]).toHaveLength(1);
    expect(receiver.received).toEqual([]);
  });
});
