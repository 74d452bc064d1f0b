import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { EXTENSION_NAMES } from '../../functions/core/extension-names.js';
import { webhookEventId } from '../../functions/core/webhook-events.js';
import { jpeg } from '../support/images.js';
import { type Providers, startProviders } from '../support/providers.js';
import { blob, getDetails, upload } from '../support/requests.js';
import { LOCAL_STATE_MACHINES } from '../../local/stack.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';
import { startWebhookReceiver, verifiedEvent } from '../support/webhook-receiver.js';

/**
 * One tagging run executed twice (Express runs at least once): the upload's own execution and a second
 * one with the same input and the same name — which an Express machine runs again, as AWS does — through
 * the local Step Functions endpoint. Counted: provider calls, the record's writes (its version) and webhooks
 * received.
 */
let stack: TestStack;
let providers: Providers;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
let dynamo: DynamoDBClient;
let sfn: SFNClient;

const both = JSON.stringify([
  { name: 'aws-auto-tagging', minConfidence: 50, maxTags: 5 },
  { name: 'google-auto-tagging', minConfidence: 50, maxTags: 5 },
]);

beforeAll(async () => {
  providers = await startProviders({ rekognition: [{ name: 'Harbour', confidence: 95 }], vision: [{ name: 'Boat', confidence: 90 }] });
  receiver = await startWebhookReceiver();
  // The sync window closes long before the providers answer: each extension owes the caller a webhook.
  stack = await startTestStack({ ...providers.env, AITAGS_SYNC_WINDOW_MS: '100', AITAGS_LOCAL_WAIT_SCALE: '0.001' });
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  dynamo = new DynamoDBClient({ endpoint: stack.dynamoEndpoint, region: 'us-east-1', credentials });
  sfn = new SFNClient({ endpoint: process.env.AWS_ENDPOINT_URL_SFN, region: 'us-east-1', credentials });
  vi.spyOn(console, 'error');
});
/** The local runtime reports a failed execution on the console: both executions of a run must end well. */
const failedExecutions = () =>
  vi
    .mocked(console.error)
    .mock.calls.map((call) => String(call[0]))
    .filter((line) => line.startsWith('execution '));
afterEach(async () => {
  await stack.idle();
  expect(failedExecutions()).toEqual([]);
  vi.mocked(console.error).mockClear();
  providers.rekognition.reset();
  providers.vision.reset();
  receiver.reset();
});
afterAll(async () => {
  dynamo?.destroy();
  sfn?.destroy();
  await stack?.close();
  await Promise.all([providers?.stop(), receiver?.stop()]);
});

const read = async (pk: string) =>
  unmarshall((await dynamo.send(new GetItemCommand({ TableName: stack.table, Key: { pk: { S: pk } }, ConsistentRead: true }))).Item ?? {});

/** Uploads a file with both extensions and a webhook; answers its run id, the run's input and the record's version as the caller saw it. */
async function uploadWithRun(fileName: string) {
  const { body } = await upload<{ fileId: string; extensionStatus: Record<string, string> }>(stack, {
    file: blob(await jpeg(40, 30)),
    fileName,
    webhookUrl: receiver.url,
    extensions: both,
  });
  expect(body.extensionStatus).toEqual({ 'aws-auto-tagging': 'pending', 'google-auto-tagging': 'pending' });
  const record = await read(`file#${body.fileId}`);
  const runId = String(record.extensionRuns['aws-auto-tagging']);
  // Told pending: one event owed per extension.
  expect(Object.keys(record.pendingWebhooks ?? {}).sort()).toEqual(EXTENSION_NAMES.map((name) => webhookEventId(runId, name)).sort());
  // The input its execution was started with, as the run's watch keeps it.
  const input = JSON.parse(String((await read(`run-watch#${runId}`)).input)) as Record<string, unknown>;
  expect(input).toMatchObject({ fileId: body.fileId, runId, extensions: JSON.parse(both) });
  return { fileId: body.fileId, runId, input, version: Number(record.version) };
}

/** Providers that answer well after the 100 ms sync window closes, so that every extension owes its webhook. */
function slowProviders() {
  providers.rekognition.behave({ latencyMs: 1500, labels: [{ name: 'Harbour', confidence: 95 }] });
  providers.vision.behave({ latencyMs: 1500, labels: [{ name: 'Boat', confidence: 90 }] });
}

/** Starts the run's workflow once more with the same input and name. */
const startAgain = (input: Record<string, unknown>, name: string) =>
  sfn.send(new StartExecutionCommand({ stateMachineArn: process.env.AITAGS_STATE_MACHINE_ARN, name, input: JSON.stringify(input) }));

describe('one run executed twice', () => {
  it('calls each provider once, records each extension once and sends each webhook once, when the executions run at once', async () => {
    // Slow providers: the second execution starts while the first is waiting for their answers.
    slowProviders();
    const { fileId, runId, input, version } = await uploadWithRun('twice.jpg');
    const before = stack.executionsStarted()[LOCAL_STATE_MACHINES.runs]?.length ?? 0;
    await startAgain(input, runId);
    await stack.idle();
    // Both ran: the same name starts a second Express execution.
    expect(stack.executionsStarted()[LOCAL_STATE_MACHINES.runs]?.slice(before)).toEqual([runId]);

    expect({ rekognition: providers.rekognition.requests.length, vision: providers.vision.requests.length }).toEqual({ rekognition: 1, vision: 1 });
    const file = (await getDetails<{ extensionStatus: unknown; AITags: Array<{ name: string }> | null }>(stack, fileId)).body;
    expect(file.extensionStatus).toEqual({ 'aws-auto-tagging': 'success', 'google-auto-tagging': 'success' });
    expect(file.AITags?.map((tag) => tag.name).sort()).toEqual(['Boat', 'Harbour']);
    // Writes after the caller's answer: one final write per extension, one webhook mark dropped per extension.
    expect(Number((await read(`file#${fileId}`)).version) - version).toBe(4);
    // Each extension taken once (neither execution's claim was taken over).
    for (const name of EXTENSION_NAMES) expect((await read(`extension-claim#${runId}#${name}`)).claims).toBe(1);
    // One webhook per extension, each with its own id, each delivery recorded with one attempt.
    expect(receiver.received).toHaveLength(2);
    const ids = receiver.received.map((delivery) => String(delivery.headers['webhook-id'])).sort();
    expect(ids).toEqual(EXTENSION_NAMES.map((name) => webhookEventId(runId, name)).sort());
    const events = receiver.received.map((delivery) => verifiedEvent<{ service: string; status: string }>(delivery, stack.webhookSecret));
    expect(events.map((event) => `${event.service} ${event.status}`).sort()).toEqual(['aws-auto-tagging SUCCESS', 'google-auto-tagging SUCCESS']);
    const deliveries = await stack.deliveries(fileId);
    expect(deliveries.map((delivery) => ({ state: delivery.state, attempts: (delivery.attempts as unknown[]).length }))).toEqual([
      { state: 'delivered', attempts: 1 },
      { state: 'delivered', attempts: 1 },
    ]);
  }, 60_000);

  it('does nothing more when the second execution comes after the first finished', async () => {
    slowProviders();
    const { fileId, runId, input } = await uploadWithRun('later.jpg');
    await stack.idle();
    expect({ rekognition: providers.rekognition.requests.length, vision: providers.vision.requests.length }).toEqual({ rekognition: 1, vision: 1 });
    await receiver.waitFor(2);
    const settled = await read(`file#${fileId}`);

    await startAgain(input, runId);
    await stack.idle();
    expect({ rekognition: providers.rekognition.requests.length, vision: providers.vision.requests.length }).toEqual({ rekognition: 1, vision: 1 });
    expect(receiver.received).toHaveLength(2);
    expect((await read(`file#${fileId}`)).version).toBe(settled.version);
  }, 60_000);
});
