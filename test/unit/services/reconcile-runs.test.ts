import { describe, expect, it, vi } from 'vitest';
import type { DeliverySoFar, RunWatch } from '../../../functions/core/run-watches.js';
import { webhookEventId } from '../../../functions/core/webhook-events.js';
import { reconcileRuns } from '../../../functions/services/reconcile-runs.js';

const input = {
  fileId: 'f1',
  runId: 'r1',
  extensions: [{ name: 'aws-auto-tagging' as const, minConfidence: 50, maxTags: 5 }],
  syncDeadline: 0,
  policyVersion: '',
  lost: false,
};
const watch = (attempt: RunWatch['attempt']): RunWatch => ({ runId: 'r1', fileId: 'f1', input, attempt, deadline: '2026-01-01T00:00:00.000Z' });
const pending = { extensionStatus: { 'aws-auto-tagging': 'pending' }, extensionRuns: { 'aws-auto-tagging': 'r1' } };

function deps(watches: RunWatch[], record: unknown, advanced = true, delivery?: DeliverySoFar) {
  return {
    watches: {
      due: vi.fn(async () => watches),
      advance: vi.fn(async () => advanced),
      postpone: vi.fn(async () => advanced),
      forget: vi.fn(async () => undefined),
    },
    files: { get: vi.fn(async () => record), recordOutcome: vi.fn(async () => undefined), settleWebhook: vi.fn(async () => undefined) },
    deliveries: { get: vi.fn(async () => delivery), giveUp: vi.fn(async () => true), lapseClaim: vi.fn(async () => undefined) },
    workflow: { start: vi.fn(async () => undefined) },
    standard: { start: vi.fn(async () => undefined) },
    claims: { lapse: vi.fn(async () => undefined) },
    now: () => new Date('2026-06-01T00:00:00.000Z'),
  };
}

const eventId = webhookEventId('r1', 'aws-auto-tagging');
const url = 'https://hooks.example.com/aitags';
/** The run settled; the caller, told pending, is still owed its webhook. */
const owing = {
  fileId: 'f1',
  extensionStatus: { 'aws-auto-tagging': 'success' },
  extensionRuns: { 'aws-auto-tagging': 'r1' },
  extensionErrors: {},
  pendingWebhooks: { [eventId]: { runId: 'r1', url, eventId } },
};
/** Attempt 1 failed a day ago: attempt 2 was due 5 s after it. */
const failedOnce: DeliverySoFar = { state: 'pending', attempts: [{ at: '2026-05-31T00:00:00.000Z', durationMs: 120 }] };

describe('reconcileRuns', () => {
  it('forgets a run that settled, and starts a lost one again once, with the same run id under another execution name', async () => {
    const settled = deps([watch(1)], { extensionStatus: { 'aws-auto-tagging': 'success' }, extensionRuns: { 'aws-auto-tagging': 'r1' } });
    expect(await reconcileRuns(settled as never)).toMatchObject({ forgotten: 1, rerun: 0 });
    expect(settled.watches.forget).toHaveBeenCalledWith('r1');

    const lost = deps([watch(1)], pending);
    expect(await reconcileRuns(lost as never)).toMatchObject({ rerun: 1 });
    // Its input was stored before runs carried `paced`: started again unpaced, as it was first.
    expect(lost.workflow.start).toHaveBeenCalledWith({ ...input, paced: false, lost: false }, 'r1-again');
    // An Express execution lives 5 minutes: the rerun is looked at again 15 minutes on.
    expect(lost.watches.advance).toHaveBeenCalledWith(watch(1), 2, '2026-06-01T00:15:00.000Z');
    // The lost executions' claims lapse first, so the new execution may tag the extension at once.
    expect(lost.claims.lapse).toHaveBeenCalledWith('r1', 'aws-auto-tagging');
    expect(lost.claims.lapse.mock.invocationCallOrder[0]).toBeLessThan(lost.workflow.start.mock.invocationCallOrder[0] ?? 0);
    expect(settled.claims.lapse).not.toHaveBeenCalled();
  });

  it('starts nothing when another reconciler moved the watch on first', async () => {
    const raced = deps([watch(2)], pending, false);
    expect(await reconcileRuns(raced as never)).toMatchObject({ lost: 0 });
    expect(raced.workflow.start).not.toHaveBeenCalled();
  });

  it('records the extension failed itself, WORKFLOW_LOST, when even the lost execution was lost', async () => {
    const twice = deps([watch(3)], pending);
    expect(await reconcileRuns(twice as never)).toMatchObject({ failed: 1 });
    expect(twice.files.recordOutcome).toHaveBeenCalledWith('f1', 'r1', 'aws-auto-tagging', {
      status: 'failed',
      error: { message: expect.stringMatching(/^The tagging workflow was lost/), reason: 'WORKFLOW_LOST' },
    });
    expect(twice.watches.forget).toHaveBeenCalledWith('r1');
    expect(twice.workflow.start).not.toHaveBeenCalled();
  });

  it('resumes a webhook whose execution was lost between attempts: on the Standard machine with its next attempt, under a name of its own', async () => {
    const lost = deps([watch(1)], owing, true, failedOnce);

    expect(await reconcileRuns(lost as never)).toMatchObject({ webhooksResumed: 1, forgotten: 0 });

    expect(lost.deliveries.get).toHaveBeenCalledWith(eventId);
    expect(lost.watches.postpone).toHaveBeenCalledWith(watch(1), '2026-06-01T00:15:00.000Z', { [eventId]: 1 });
    expect(lost.standard.start).toHaveBeenCalledWith(
      {
        ...input,
        extensions: [
          {
            ...input.extensions[0],
            resume: {
              fileId: 'f1',
              runId: 'r1',
              name: 'aws-auto-tagging',
              status: 'success',
              webhook: { url, eventId, attempt: 2, delivered: false, gaveUp: false, waitSeconds: 0 },
            },
          },
        ],
        lost: false,
      },
      expect.stringMatching(/^r1-webhooks-[0-9a-f]{16}$/),
    );
    expect(lost.workflow.start).not.toHaveBeenCalled();
    expect(lost.watches.forget).not.toHaveBeenCalled();
    // A claim the lost execution left on its next attempt lapses first: the resume makes that attempt at once.
    expect(lost.deliveries.lapseClaim).toHaveBeenCalledWith(eventId);
    expect(lost.deliveries.lapseClaim.mock.invocationCallOrder[0]).toBeLessThan(lost.standard.start.mock.invocationCallOrder[0] ?? 0);
  });

  it('resumes nothing when another reconciler moved the watch on first', async () => {
    const raced = deps([watch(1)], owing, false, failedOnce);

    expect(await reconcileRuns(raced as never)).toMatchObject({ webhooksResumed: 0 });
    expect(raced.standard.start).not.toHaveBeenCalled();
  });

  it('keeps watching a webhook waiting for its retry in an execution that may still be alive', async () => {
    const waiting = deps([watch(1)], owing, true, { state: 'pending', attempts: [{ at: '2026-05-31T23:59:00.000Z', durationMs: 120 }] });

    expect(await reconcileRuns(waiting as never)).toMatchObject({ webhooksResumed: 0, forgotten: 0 });
    // Attempt 2 was due by 23:59:06.120 at the longest jitter; the grace follows.
    expect(waiting.watches.postpone).toHaveBeenCalledWith(watch(1), '2026-06-01T00:14:06.120Z', {});
    expect(waiting.standard.start).not.toHaveBeenCalled();
  });

  it('gives a webhook up, settles it and forgets the run, when it is lost again at the attempt it was resumed at', async () => {
    const again = deps([{ ...watch(1), resumedWebhooks: { [eventId]: 1 } }], owing, true, failedOnce);

    expect(await reconcileRuns(again as never)).toMatchObject({ webhooksGivenUp: 1, webhooksResumed: 0, forgotten: 1 });

    expect(again.deliveries.giveUp).toHaveBeenCalledWith(
      eventId,
      { fileId: 'f1', service: 'aws-auto-tagging', url },
      'WORKFLOW_LOST',
      new Date('2026-06-01T00:00:00.000Z'),
    );
    expect(again.files.settleWebhook).toHaveBeenCalledWith('f1', eventId);
    expect(again.watches.forget).toHaveBeenCalledWith('r1');
    expect(again.standard.start).not.toHaveBeenCalled();
  });

  it('sends the webhooks of the extensions it records failed itself, at their first attempt', async () => {
    const twice = deps([watch(3)], pending);
    const failed = {
      ...owing,
      extensionStatus: { 'aws-auto-tagging': 'failed' },
      extensionErrors: { 'aws-auto-tagging': { message: 'lost', reason: 'WORKFLOW_LOST' } },
    };
    twice.files.get.mockResolvedValueOnce(pending).mockResolvedValueOnce(failed);

    expect(await reconcileRuns(twice as never)).toMatchObject({ failed: 1, webhooksResumed: 1 });

    const [resumed, name] = twice.standard.start.mock.calls[0] as unknown as [{ extensions: Array<{ resume: unknown }> }, string];
    expect(resumed.extensions.map((extension) => extension.resume)).toEqual([
      {
        fileId: 'f1',
        runId: 'r1',
        name: 'aws-auto-tagging',
        status: 'failed',
        error: { message: 'lost', reason: 'WORKFLOW_LOST' },
        webhook: { url, eventId, attempt: 1, delivered: false, gaveUp: false, waitSeconds: 0 },
      },
    ]);
    expect(name).toMatch(/^r1-webhooks-/);
    expect(twice.watches.forget).not.toHaveBeenCalled();
  });
});
