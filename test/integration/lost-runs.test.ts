import type { Context } from 'aws-lambda';
import { DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invoke } from '../../local/lambda-context.js';
import type { ExtensionName } from '../../functions/core/extension-names.js';
import { webhookEventId } from '../../functions/core/webhook-events.js';
import { jpeg } from '../support/images.js';
import { type Providers, startProviders } from '../support/providers.js';
import { blob, getDetails, upload } from '../support/requests.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';
import { startWebhookReceiver, verifiedEvent } from '../support/webhook-receiver.js';

/**
 * The reconciler against the local stack: a run whose workflow is lost twice ends failed, WORKFLOW_LOST, its
 * webhook sent; a webhook whose execution was lost while it waited for a retry is resumed, or given up.
 */
let stack: TestStack;
let providers: Providers;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
let reconcile: (event: unknown) => Promise<unknown>;
let dynamo: DynamoDBClient;

beforeAll(async () => {
  providers = await startProviders({ rekognition: [{ name: 'Harbour', confidence: 95 }] });
  receiver = await startWebhookReceiver();
  // A call that hangs stays hung until the fakes stop: the run stays under way for the whole test.
  stack = await startTestStack({
    ...providers.env,
    AITAGS_SYNC_WINDOW_MS: '200',
    AITAGS_LOCAL_WAIT_SCALE: '0.01',
    AITAGS_PROVIDER_TIMEOUT_MS: '600000',
  });
  dynamo = new DynamoDBClient({
    endpoint: stack.dynamoEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const module = (await import('../../functions/reconcile-runs.js')) as { handler: (event: unknown, context: Context) => Promise<unknown> };
  reconcile = (event) => invoke(module.handler, event, 'reconcile-runs', 60_000);
});
afterAll(async () => {
  // The fakes first: stopping them ends the hung call.
  await providers?.stop();
  dynamo?.destroy();
  await stack?.close();
  await receiver?.stop();
});

describe('a tagging run lost twice', () => {
  it('is recorded failed with reason WORKFLOW_LOST, and its webhook owed is sent with the same id, once', async () => {
    // The provider hangs: the run stays pending, as if its workflow had died.
    providers.rekognition.behave({ failures: ['hang'] });
    const { body } = await upload<{ fileId: string; extensionStatus: Record<string, string> }>(stack, {
      file: blob(await jpeg(30, 20)),
      fileName: 'lost.jpg',
      webhookUrl: receiver.url,
      extensions: JSON.stringify([{ name: 'aws-auto-tagging', minConfidence: 50, maxTags: 5 }]),
    });
    expect(body.extensionStatus).toEqual({ 'aws-auto-tagging': 'pending' });
    const record = unmarshall(
      (await dynamo.send(new GetItemCommand({ TableName: stack.table, Key: { pk: { S: `file#${body.fileId}` } }, ConsistentRead: true }))).Item ?? {},
    );
    const runId = String(record.extensionRuns['aws-auto-tagging']);
    // Its watch says it was started once more already, and that this one is past its deadline too.
    const watchKey = { pk: { S: `run-watch#${runId}` } };
    const watch = unmarshall((await dynamo.send(new GetItemCommand({ TableName: stack.table, Key: watchKey, ConsistentRead: true }))).Item ?? {});
    expect(watch).toMatchObject({ runId, fileId: body.fileId, attempt: 1 });
    const past = '2026-01-01T00:00:00.000Z';
    await dynamo.send(
      new PutItemCommand({ TableName: stack.table, Item: marshall({ ...watch, attempt: 2, deadline: past, isk: `${past}#${runId}` }) }),
    );

    // Twice at once, as a schedule may fire: one execution, one event.
    await Promise.all([reconcile({}), reconcile({})]);
    await receiver.waitFor(1);

    const file = (await getDetails<{ extensionStatus: unknown; extensionErrors: unknown }>(stack, body.fileId)).body;
    expect(file.extensionStatus).toEqual({ 'aws-auto-tagging': 'failed' });
    expect(file.extensionErrors).toEqual({
      'aws-auto-tagging': { reason: 'WORKFLOW_LOST', message: expect.stringMatching(/^The tagging workflow was lost/) },
    });
    const [delivery] = receiver.received;
    const event = verifiedEvent<{ status: string; error: { reason: string } }>(delivery, stack.webhookSecret);
    expect(event).toMatchObject({ status: 'FAILURE', error: { reason: 'WORKFLOW_LOST' } });
    // The id the run promised when it reported the extension pending.
    const promised = Object.keys(record.pendingWebhooks ?? {});
    expect(promised).toHaveLength(1);
    expect(delivery?.headers['webhook-id']).toBe(promised[0]);
    expect(receiver.received).toHaveLength(1);
  }, 60_000);
});

describe('a webhook whose execution was lost while it waited for a retry', () => {
  const past = '2026-01-01T00:00:00.000Z';
  const read = async (pk: string) =>
    unmarshall((await dynamo.send(new GetItemCommand({ TableName: stack.table, Key: { pk: { S: pk } }, ConsistentRead: true }))).Item ?? {});

  /** A file tagged by a run that settled; its run id and its watch, past its deadline as a lost execution's would be. */
  async function settledRun(): Promise<{ fileId: string; runId: string }> {
    const { body } = await upload<{ fileId: string }>(stack, {
      file: blob(await jpeg(30, 20)),
      fileName: 'settled.jpg',
      extensions: JSON.stringify([{ name: 'aws-auto-tagging', minConfidence: 50, maxTags: 5 }]),
    });
    await expect
      .poll(async () => (await getDetails<{ extensionStatus: unknown }>(stack, body.fileId)).body.extensionStatus, { timeout: 20_000 })
      .toEqual({ 'aws-auto-tagging': 'success' });
    const runId = String((await read(`file#${body.fileId}`)).extensionRuns['aws-auto-tagging']);
    const watch = await read(`run-watch#${runId}`);
    await dynamo.send(new PutItemCommand({ TableName: stack.table, Item: marshall({ ...watch, deadline: past, isk: `${past}#${runId}` }) }));
    return { fileId: body.fileId, runId };
  }

  /** What a run leaves when its execution is lost after attempt 1 failed: the event still owed, and that attempt, a day ago. */
  async function owedAfterAttemptOne(fileId: string, runId: string, name: ExtensionName): Promise<string> {
    const eventId = webhookEventId(runId, name);
    await dynamo.send(
      new UpdateItemCommand({
        TableName: stack.table,
        Key: { pk: { S: `file#${fileId}` } },
        UpdateExpression: 'SET pendingWebhooks.#event = :owed',
        ExpressionAttributeNames: { '#event': eventId },
        ExpressionAttributeValues: marshall({ ':owed': { runId, url: receiver.url, eventId } }),
      }),
    );
    const attempt = { at: new Date(Date.now() - 86_400_000).toISOString(), status: 500, durationMs: 12 };
    await dynamo.send(
      new PutItemCommand({
        TableName: stack.table,
        Item: marshall({
          pk: `webhook#${eventId}`,
          attempts: [attempt],
          state: 'pending',
          fileId,
          service: name,
          url: receiver.url,
          createdAt: attempt.at,
        }),
      }),
    );
    return eventId;
  }

  it('is resumed at its next attempt with its original webhook-id, once however often the schedule fires, and its watch then ends', async () => {
    receiver.reset();
    const { fileId, runId } = await settledRun();
    const eventId = await owedAfterAttemptOne(fileId, runId, 'aws-auto-tagging');

    await Promise.all([reconcile({}), reconcile({})]);
    await receiver.waitFor(1);

    const [delivery] = receiver.received;
    expect(delivery?.headers['webhook-id']).toBe(eventId);
    expect(verifiedEvent(delivery, stack.webhookSecret)).toMatchObject({ service: 'aws-auto-tagging', status: 'SUCCESS', fileObject: { fileId } });
    await expect.poll(async () => (await read(`webhook#${eventId}`)).state, { timeout: 10_000 }).toBe('delivered');
    expect((await read(`webhook#${eventId}`)).attempts).toHaveLength(2);
    expect((await read(`file#${fileId}`)).pendingWebhooks).toEqual({});
    expect(await read(`run-watch#${runId}`)).toMatchObject({ resumedWebhooks: { [eventId]: 1 } });

    // Looked at again once it could be lost: nothing is owed any more, the watch ends.
    const watch = await read(`run-watch#${runId}`);
    await dynamo.send(new PutItemCommand({ TableName: stack.table, Item: marshall({ ...watch, deadline: past, isk: `${past}#${runId}` }) }));
    await reconcile({});
    expect(await read(`run-watch#${runId}`)).toEqual({});
    expect(receiver.received).toHaveLength(1);
  }, 60_000);

  it('is given up, recorded failed and no longer owed, when it is lost again at the attempt it was resumed at', async () => {
    receiver.reset();
    const { fileId, runId } = await settledRun();
    const eventId = await owedAfterAttemptOne(fileId, runId, 'aws-auto-tagging');
    const watch = await read(`run-watch#${runId}`);
    await dynamo.send(new PutItemCommand({ TableName: stack.table, Item: marshall({ ...watch, resumedWebhooks: { [eventId]: 1 } }) }));

    expect(await reconcile({})).toMatchObject({ webhooksGivenUp: 1, webhooksResumed: 0 });

    expect(await read(`webhook#${eventId}`)).toMatchObject({ state: 'failed', givenUp: { reason: 'WORKFLOW_LOST' }, attempts: [{ status: 500 }] });
    expect((await read(`file#${fileId}`)).pendingWebhooks).toEqual({});
    expect(await read(`run-watch#${runId}`)).toEqual({});
    expect(receiver.received).toHaveLength(0);
  }, 60_000);
});
