import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeliveryUrlBuilder } from '../../../functions/adapters/delivery-urls.js';
import { ExtensionClaims } from '../../../functions/adapters/extension-claims.js';
import type { LabelDetector } from '../../../functions/adapters/label-detector.js';
import { WebhookDeliveries } from '../../../functions/adapters/webhook-deliveries.js';
import type { WebhookSender } from '../../../functions/adapters/webhook-sender.js';
import { EXTENSION_CLAIM_SECONDS } from '../../../functions/core/claims.js';
import type { ExtensionName } from '../../../functions/core/extension-names.js';
import { withRunStarted } from '../../../functions/core/file-record.js';
import { ProviderTransientError } from '../../../functions/core/provider-errors.js';
import { EMPTY_TAG_POLICY } from '../../../functions/core/tag-policy.js';
import type { ExtensionTask, WebhookTask } from '../../../functions/core/tagging-run.js';
import { LIST_PRICES } from '../../../functions/core/tagging-job.js';
import { webhookEventId } from '../../../functions/core/webhook-events.js';
import { recordExtensionFailure, type TaggerDeps, tagExtension } from '../../../functions/services/tag-extension.js';
import { deliverWebhookAttempt, type WebhookDeliveryDeps } from '../../../functions/services/webhook-delivery.js';
import { fileRecord } from '../../support/sample-files.js';
import { startSearchTable } from '../../support/search-table.js';
import { scriptedProvider } from '../../support/scripted-provider.js';

/**
 * One run executed more than once (Express runs at least once), against the real file table, claims and
 * delivery items on dynalite: each extension is tagged by one execution, recorded once, and its webhook
 * sent once.
 */

let db: Awaited<ReturnType<typeof startSearchTable>>;
let claims: ExtensionClaims;
let deliveries: WebhookDeliveries;
beforeAll(async () => {
  db = await startSearchTable();
  claims = new ExtensionClaims(db.tableName, db.client);
  deliveries = new WebhookDeliveries(db.tableName, db.client);
});
afterAll(async () => {
  await db?.stop();
});

const WEBHOOK_URL = 'https://hooks.example.com/aitags';
let files = 0;
/** A stored image with a run of `name` started; with `webhook`, its caller told pending (so a webhook is owed). */
async function startedRun(name: ExtensionName, webhook = false) {
  const fileId = `dup${String(++files).padStart(21, '0')}`;
  const runId = `run-${fileId}`;
  await db.table.create(withRunStarted(fileRecord({ fileId, filePath: `/dup-${files}.jpg`, aiTags: {} }), { runId, names: [name] }));
  if (webhook) await db.table.reportPending(fileId, name, { runId, url: WEBHOOK_URL, eventId: webhookEventId(runId, name) });
  const task = (execution?: string): ExtensionTask => ({
    fileId,
    runId,
    extension: { name, minConfidence: 50, maxTags: 5 },
    policyVersion: '',
    ...(execution && { execution }),
  });
  return { fileId, runId, task };
}

const taggerDeps = (detector: LabelDetector): TaggerDeps => ({
  table: db.table,
  failures: { record: async () => undefined, latest: async () => ({}) },
  detector,
  policies: { version: async () => EMPTY_TAG_POLICY },
  prepareImage: async () => ({ kind: 'bytes', bytes: new Uint8Array([1]) }),
  budget: {
    ledger: { reserve: async () => ({ reserved: false, spentMicroUsd: 0, month: '' }), release: async () => false },
    budgets: {},
    prices: LIST_PRICES,
  },
  claims,
});

describe('two or more executions of one run', () => {
  it('call the provider once among 20 executions tagging one extension at once, and record it once', async () => {
    const { fileId, task } = await startedRun('aws-auto-tagging', true);
    const before = await db.table.get(fileId);
    const { detector, counter } = scriptedProvider();
    const results = await Promise.all(Array.from({ length: 20 }, (_, index) => tagExtension(task(`execution-${index}`), taggerDeps(detector))));
    expect(counter.calls).toBe(1);
    expect(results.filter((result) => result.status === 'success')).toHaveLength(1);
    // The others end quietly: nothing recorded, no webhook to send.
    const duplicates = results.filter((result) => result.status === 'duplicate');
    expect(duplicates).toHaveLength(19);
    expect(duplicates.every((result) => result.webhook === undefined)).toBe(true);
    expect(results.filter((result) => result.webhook)).toHaveLength(1);
    // One write: the final one.
    expect((await db.table.get(fileId))?.version).toBe((before?.version ?? 0) + 1);
  });

  it('let the claimant retry a failed call under its own claim, and keep the duplicate out meanwhile', async () => {
    const { fileId, task } = await startedRun('google-auto-tagging');
    const { detector, counter } = scriptedProvider(new ProviderTransientError('503'));
    await expect(tagExtension(task('execution-a'), taggerDeps(detector))).rejects.toBeInstanceOf(ProviderTransientError);
    expect((await tagExtension(task('execution-b'), taggerDeps(detector))).status).toBe('duplicate');
    // The duplicate's own Catch does not record a failure over the claimant's run.
    const failure = await recordExtensionFailure({ ...task('execution-b'), error: { Error: 'States.TaskFailed' } }, taggerDeps(detector));
    expect(failure.status).toBe('duplicate');
    expect((await db.table.get(fileId))?.extensionStatus['google-auto-tagging']).toBe('pending');
    expect((await tagExtension(task('execution-a'), taggerDeps(detector))).status).toBe('success');
    expect(counter.calls).toBe(2);
  });

  it('take over a lapsed claim (its holder died mid-call) and call the provider once more, once', async () => {
    const { fileId, runId, task } = await startedRun('aws-auto-tagging', true);
    await claims.claim(runId, 'aws-auto-tagging', 'execution-dead', new Date(Date.now() - (EXTENSION_CLAIM_SECONDS + 1) * 1000));
    const { detector, counter } = scriptedProvider();
    const results = await Promise.all(['late-1', 'late-2', 'late-3'].map((execution) => tagExtension(task(execution), taggerDeps(detector))));
    expect(counter.calls).toBe(1);
    expect(results.map((result) => result.status).sort()).toEqual(['duplicate', 'duplicate', 'success']);
    expect((await db.table.get(fileId))?.extensionStatus['aws-auto-tagging']).toBe('success');
  });

  it('call nothing once the run recorded the extension: the claimant’s retry hands the result on with its webhook, a late duplicate ends', async () => {
    const { fileId, runId, task } = await startedRun('aws-auto-tagging', true);
    const { detector, counter } = scriptedProvider();
    const first = await tagExtension(task('execution-a'), taggerDeps(detector));
    const version = (await db.table.get(fileId))?.version;
    // Its answer was lost (the Lambda timed out after the write): the retry of the same execution.
    const retried = await tagExtension(task('execution-a'), taggerDeps(detector));
    expect(retried).toEqual(first);
    expect(retried.webhook).toMatchObject({ eventId: webhookEventId(runId, 'aws-auto-tagging'), attempt: 1 });
    // A duplicate long after the claim lapsed: no provider call, no write.
    await claims.claim(runId, 'aws-auto-tagging', 'execution-a', new Date(Date.now() - (EXTENSION_CLAIM_SECONDS + 1) * 1000));
    await claims.lapse(runId, 'aws-auto-tagging');
    const late = await tagExtension(task('execution-late'), taggerDeps(detector));
    expect(late).toMatchObject({ status: 'success', tagCount: 1 });
    expect(counter.calls).toBe(1);
    expect((await db.table.get(fileId))?.version).toBe(version);
  });
});

describe('the round trips before the provider call', () => {
  it('read the image while the claim is being taken; an execution that loses the claim drops it and calls nothing', async () => {
    const { task } = await startedRun('google-auto-tagging');
    const order: string[] = [];
    let releaseClaim: (() => void) | undefined;
    const claimGate = new Promise<void>((resolve) => {
      releaseClaim = resolve;
    });
    // A tagger that reads the image only after the claim would wait here for ever: it is let go, and fails the order below.
    const fallback = setTimeout(() => releaseClaim?.(), 2_000);
    const slowClaims: TaggerDeps['claims'] = {
      claim: async (...args) => {
        order.push('claim asked');
        await claimGate;
        const answer = await claims.claim(...args);
        order.push('claim answered');
        return answer;
      },
    };
    const imageRead =
      (execution: string): TaggerDeps['prepareImage'] =>
      async () => {
        order.push(`image read by ${execution}`);
        if (execution === 'first') releaseClaim?.();
        return { kind: 'bytes', bytes: new Uint8Array([1]) };
      };
    const first = scriptedProvider();
    const firstResult = await tagExtension(task('first'), { ...taggerDeps(first.detector), claims: slowClaims, prepareImage: imageRead('first') });
    // The image was read before the claim answered: the claim only resolves once the image read began.
    clearTimeout(fallback);
    expect(order.indexOf('image read by first')).toBeLessThan(order.indexOf('claim answered'));
    expect(firstResult.status).toBe('success');
    expect(first.counter.calls).toBe(1);

    const second = scriptedProvider();
    const secondResult = await tagExtension(task('second'), { ...taggerDeps(second.detector), prepareImage: imageRead('second') });
    expect(secondResult.status).toBe('duplicate');
    expect(second.counter.calls).toBe(0);
  });
});

describe('the final write', () => {
  it('lands only while the extension is pending for its run: a second write of the same run is dropped, the record unchanged', async () => {
    const { fileId, runId } = await startedRun('aws-auto-tagging');
    const tags = (name: string) => [{ name, confidence: 90, source: 'aws-auto-tagging' as const }];
    const first = await db.table.recordOutcome(fileId, runId, 'aws-auto-tagging', { status: 'success', tags: tags('Harbour') });
    expect(first?.extensionStatus['aws-auto-tagging']).toBe('success');
    const second = await db.table.recordOutcome(fileId, runId, 'aws-auto-tagging', { status: 'success', tags: tags('Boat') });
    const failed = await db.table.recordOutcome(fileId, runId, 'aws-auto-tagging', { status: 'failed', error: { message: 'x', reason: 'TIMEOUT' } });
    expect({ second, failed }).toEqual({ second: undefined, failed: undefined });
    const record = await db.table.get(fileId);
    expect({ version: record?.version, tags: record?.aiTags['aws-auto-tagging']?.map((tag) => tag.name) }).toEqual({
      version: first?.version,
      tags: ['Harbour'],
    });
    // A newer run's result is still never overwritten by an older run's.
    await db.table.startRun(fileId, 'run-newer', ['aws-auto-tagging']);
    expect(await db.table.recordOutcome(fileId, runId, 'aws-auto-tagging', { status: 'success', tags: tags('Old') })).toBeUndefined();
  });
});

describe('a webhook event', () => {
  /** A FAILURE event owed for a file; the sender counts what it sends, answering `status`. */
  function delivery(status: number) {
    const sent: string[] = [];
    const send: WebhookSender['send'] = async (_url, eventId) => {
      sent.push(eventId);
      return { delivered: status < 300, refused: false, status, durationMs: 3 };
    };
    const deps: WebhookDeliveryDeps = {
      table: db.table,
      deliveries,
      deliveryUrls: {} as DeliveryUrlBuilder,
      sender: { send } as WebhookSender,
    };
    return { sent, deps };
  }
  const owed = (eventId: string, execution: string, attempt = 1): WebhookTask => ({
    fileId: 'gone00000000000000000000',
    runId: 'run-webhook',
    name: 'aws-auto-tagging',
    status: 'failed',
    error: { message: 'The file was deleted', reason: 'FILE_DELETED' },
    webhook: { url: WEBHOOK_URL, eventId, attempt, delivered: false, gaveUp: false },
    execution,
  });

  it('is sent once by two executions reaching Deliver webhook at once, and never again once delivered', async () => {
    const { sent, deps } = delivery(200);
    const results = await Promise.all([deliverWebhookAttempt(owed('msg_twice', 'a'), deps), deliverWebhookAttempt(owed('msg_twice', 'b'), deps)]);
    expect(sent).toEqual(['msg_twice']);
    // The one that sent it is done; the other, finding the attempt in its hands or made, ends too.
    expect(results.map((result) => ({ delivered: result.webhook?.delivered, gaveUp: result.webhook?.gaveUp })).sort()).toEqual(
      expect.arrayContaining([
        { delivered: true, gaveUp: false },
        { delivered: expect.any(Boolean), gaveUp: expect.any(Boolean) },
      ]),
    );
    expect(results.filter((result) => result.webhook?.delivered === false && result.webhook.gaveUp === false)).toEqual([]);
    // A duplicate long after, and the owner's own retry: nothing sent.
    await deliverWebhookAttempt(owed('msg_twice', 'c'), deps);
    await deliverWebhookAttempt(owed('msg_twice', results[0]?.execution ?? ''), deps);
    expect(sent).toEqual(['msg_twice']);
    expect((await deliveries.get('msg_twice'))?.attempts).toHaveLength(1);
  });

  it('is not sent by a duplicate once given up, nor for an attempt another execution made; the owner goes on to its next attempt', async () => {
    const { sent, deps } = delivery(500);
    const first = await deliverWebhookAttempt(owed('msg_retry', 'a'), deps);
    expect(first.webhook).toMatchObject({ attempt: 2, delivered: false, gaveUp: false });
    // Attempt 1 was made (by a): b's attempt 1 ends quietly.
    expect((await deliverWebhookAttempt(owed('msg_retry', 'b'), deps)).webhook).toMatchObject({ attempt: 1, delivered: false, gaveUp: true });
    // a's answer lost after it recorded attempt 1: its retry goes on to attempt 2 without sending again.
    expect((await deliverWebhookAttempt(owed('msg_retry', 'a'), deps)).webhook).toMatchObject({ attempt: 2, delivered: false, gaveUp: false });
    expect(sent).toEqual(['msg_retry']);
    await deliverWebhookAttempt(owed('msg_retry', 'a', 2), deps);
    expect(sent).toHaveLength(2);
    await deliveries.giveUp(
      'msg_retry',
      { fileId: 'gone00000000000000000000', service: 'aws-auto-tagging', url: WEBHOOK_URL },
      'WORKFLOW_LOST',
      new Date(),
    );
    expect((await deliverWebhookAttempt(owed('msg_retry', 'b', 3), deps)).webhook).toMatchObject({ delivered: false, gaveUp: true });
    expect((await deliverWebhookAttempt(owed('msg_retry', 'a', 3), deps)).webhook).toMatchObject({ delivered: false, gaveUp: true });
    expect(sent).toHaveLength(2);
  });

  it('is sent by the reconciler’s resume when the execution that claimed its attempt was lost before recording it', async () => {
    const { sent, deps } = delivery(200);
    await deliveries.claimAttempt('msg_resumed', 1, 'execution-lost', new Date());
    // Its claim stands: another execution does not send.
    expect((await deliverWebhookAttempt(owed('msg_resumed', 'execution-b'), deps)).webhook).toMatchObject({ gaveUp: true });
    expect(sent).toEqual([]);
    await deliveries.lapseClaim('msg_resumed');
    const { execution: _none, ...resumed } = owed('msg_resumed', '');
    expect((await deliverWebhookAttempt(resumed, deps)).webhook).toMatchObject({ delivered: true });
    expect(sent).toEqual(['msg_resumed']);
    // Lapsing the claim of an event never claimed creates nothing.
    await deliveries.lapseClaim('msg_never');
    expect(await deliveries.get('msg_never')).toBeUndefined();
  });
});
