import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type DeliverySoFar,
  type OwedWebhook,
  pendingOfRun,
  WEBHOOK_RESUME_GRACE_SECONDS,
  watchStep,
  webhookResumeName,
  webhookSteps,
} from '../../../functions/core/run-watches.js';
import { MAX_WEBHOOK_ATTEMPTS, SUPERSEDED_ERROR, webhookEventId } from '../../../functions/core/webhook-events.js';

const record = {
  extensionStatus: { 'aws-auto-tagging': 'pending', 'google-auto-tagging': 'success' } as const,
  extensionRuns: { 'aws-auto-tagging': 'run-1', 'google-auto-tagging': 'run-1' },
};

describe('watchStep', () => {
  it('forgets a run with nothing pending, a run another run took over, and a deleted file', () => {
    expect(watchStep({ ...record, extensionStatus: { 'aws-auto-tagging': 'success' } }, { runId: 'run-1', attempt: 1 })).toEqual({
      action: 'forget',
    });
    expect(watchStep(record, { runId: 'run-0', attempt: 1 })).toEqual({ action: 'forget' });
    expect(watchStep(undefined, { runId: 'run-1', attempt: 2 })).toEqual({ action: 'forget' });
  });

  it('starts a lost run again once, then as lost, then records it failed', () => {
    expect([1, 2, 3].map((attempt) => watchStep(record, { runId: 'run-1', attempt: attempt as 1 | 2 | 3 }))).toEqual([
      { action: 'rerun', names: ['aws-auto-tagging'] },
      { action: 'lose', names: ['aws-auto-tagging'] },
      { action: 'fail', names: ['aws-auto-tagging'] },
    ]);
  });

  it('counts only the extensions still pending for this run', () => {
    expect(pendingOfRun({ ...record, extensionRuns: { 'aws-auto-tagging': 'run-2', 'google-auto-tagging': 'run-1' } }, 'run-1')).toEqual([]);
  });
});

const AWS_EVENT = webhookEventId('run-1', 'aws-auto-tagging');
const GOOGLE_EVENT = webhookEventId('run-1', 'google-auto-tagging');
const url = 'https://hooks.example.com/aitags';
const owedAws: OwedWebhook = { runId: 'run-1', url, eventId: AWS_EVENT, name: 'aws-auto-tagging' };
const owedGoogle: OwedWebhook = { runId: 'run-1', url, eventId: GOOGLE_EVENT, name: 'google-auto-tagging' };
const settled = {
  fileId: 'f1',
  extensionStatus: { 'aws-auto-tagging': 'success', 'google-auto-tagging': 'failed' } as const,
  extensionRuns: { 'aws-auto-tagging': 'run-1', 'google-auto-tagging': 'run-1' },
  extensionErrors: { 'google-auto-tagging': { message: 'The provider kept failing after retries: 503', reason: 'PROVIDER_UNAVAILABLE' } },
  pendingWebhooks: { [AWS_EVENT]: { runId: 'run-1', url, eventId: AWS_EVENT } },
};
const watch = { runId: 'run-1' };
const T = Date.parse('2026-06-01T12:00:00.000Z');
const at = (ms: number) => new Date(T + ms);
/** A delivery whose attempts started at `starts` (ms after T) and took 200 ms each. */
const delivery = (...starts: number[]): DeliverySoFar => ({
  state: 'pending',
  attempts: starts.map((start) => ({ at: at(start).toISOString(), durationMs: 200 })),
});
const GRACE_MS = WEBHOOK_RESUME_GRACE_SECONDS * 1000;

describe('watchStep of a run with nothing pending', () => {
  it('keeps watching while the record still owes a webhook of this run', () => {
    expect(watchStep(settled, { runId: 'run-1', attempt: 1 })).toEqual({ action: 'webhooks', owed: [owedAws] });
  });

  it("forgets it when the webhooks owed are another run's", () => {
    expect(watchStep(settled, { runId: 'run-0', attempt: 1 })).toEqual({ action: 'forget' });
    expect(watchStep({ ...settled, pendingWebhooks: {} }, { runId: 'run-1', attempt: 3 })).toEqual({ action: 'forget' });
  });
});

describe('webhookSteps', () => {
  it('waits for an attempt still within its longest jittered wait and the grace, and looks again once that has passed', () => {
    // Attempt 1 failed; attempt 2 is due 5 s later, 6 s at the longest jitter.
    const plan = webhookSteps(settled, watch, [owedAws], { [AWS_EVENT]: delivery(0) }, at(6_200 + GRACE_MS), false);

    expect(plan).toEqual({ resume: [], giveUp: [], settle: [], resumedWebhooks: {}, deadline: at(6_200 + GRACE_MS).toISOString() });
  });

  it('resumes an attempt overdue past the grace: the original event id, its next attempt at once, the outcome from the record', () => {
    const now = at(6_201 + GRACE_MS);

    const plan = webhookSteps(settled, watch, [owedAws], { [AWS_EVENT]: delivery(0) }, now, false);

    expect(plan).toEqual({
      resume: [
        {
          fileId: 'f1',
          runId: 'run-1',
          name: 'aws-auto-tagging',
          status: 'success',
          webhook: { url, eventId: AWS_EVENT, attempt: 2, delivered: false, gaveUp: false, waitSeconds: 0 },
        },
      ],
      giveUp: [],
      settle: [],
      resumedWebhooks: { [AWS_EVENT]: 1 },
      deadline: new Date(now.getTime() + GRACE_MS).toISOString(),
    });
  });

  it('on a local start resumes every owed event at once, its retry after what is left of the wait', () => {
    // Attempt 2 failed a minute ago: attempt 3 is due 5 minutes after it.
    const plan = webhookSteps(settled, watch, [owedAws], { [AWS_EVENT]: delivery(0, 6_000) }, at(66_200), true);

    expect(plan.resume.map((task) => task.webhook)).toEqual([
      { url, eventId: AWS_EVENT, attempt: 3, delivered: false, gaveUp: false, waitSeconds: 240 },
    ]);
    expect(plan.resumedWebhooks).toEqual({ [AWS_EVENT]: 2 });
    expect(plan.deadline).toBe(at(66_200 + 240_000 + GRACE_MS).toISOString());
  });

  it('resumes an event with no attempt recorded yet at its first attempt', () => {
    const plan = webhookSteps(settled, watch, [owedAws], {}, at(0), false);

    expect(plan.resume.map((task) => task.webhook)).toEqual([
      { url, eventId: AWS_EVENT, attempt: 1, delivered: false, gaveUp: false, waitSeconds: 0 },
    ]);
    expect(plan.resumedWebhooks).toEqual({ [AWS_EVENT]: 0 });
  });

  it('gives up an event lost again at the attempt it was resumed at, and then has nothing left to watch', () => {
    const plan = webhookSteps(
      settled,
      { runId: 'run-1', resumedWebhooks: { [AWS_EVENT]: 1 } },
      [owedAws],
      { [AWS_EVENT]: delivery(0) },
      at(86_400_000),
      false,
    );

    expect(plan).toEqual({ resume: [], giveUp: [{ ...owedAws, attempts: 1 }], settle: [], resumedWebhooks: { [AWS_EVENT]: 1 } });
  });

  it('resumes again an event that made its attempt after it was resumed, and failed it', () => {
    const plan = webhookSteps(
      settled,
      { runId: 'run-1', resumedWebhooks: { [AWS_EVENT]: 1 } },
      [owedAws],
      { [AWS_EVENT]: delivery(0, 6_000) },
      at(86_400_000),
      false,
    );

    expect(plan.resume.map((task) => task.webhook.attempt)).toEqual([3]);
    expect(plan.resumedWebhooks).toEqual({ [AWS_EVENT]: 2 });
  });

  it('gives up an event whose last attempt was made and never recorded final', () => {
    const starts = Array.from({ length: MAX_WEBHOOK_ATTEMPTS }, (_, index) => index * 1000);

    const plan = webhookSteps(settled, watch, [owedAws], { [AWS_EVENT]: delivery(...starts) }, at(10_000), true);

    expect(plan.giveUp).toEqual([{ ...owedAws, attempts: MAX_WEBHOOK_ATTEMPTS }]);
    expect(plan.resume).toEqual([]);
  });

  it('only drops the mark of an event whose delivery is final already', () => {
    const final: DeliverySoFar = { ...delivery(0), state: 'delivered' };

    const plan = webhookSteps(settled, watch, [owedAws], { [AWS_EVENT]: final }, at(86_400_000), true);

    expect(plan).toEqual({ resume: [], giveUp: [], settle: [owedAws], resumedWebhooks: {} });
  });

  it('reports a failed extension with its error, and one a newer run took over as SUPERSEDED', () => {
    const failed = webhookSteps(settled, watch, [owedGoogle], {}, at(0), false);
    const superseded = webhookSteps({ ...settled, extensionRuns: { 'aws-auto-tagging': 'run-2' } }, watch, [owedAws], {}, at(0), false);

    expect(failed.resume[0]).toMatchObject({ status: 'failed', error: settled.extensionErrors['google-auto-tagging'] });
    expect(superseded.resume[0]).toMatchObject({ status: 'failed', error: SUPERSEDED_ERROR });
  });

  it('looks again when the soonest of several events could be lost', () => {
    // Google's attempt 3 waits 5 minutes (6 at the longest); Amazon's attempt 2 is overdue.
    const deliveries = { [AWS_EVENT]: delivery(0), [GOOGLE_EVENT]: delivery(GRACE_MS, GRACE_MS + 6_000) };
    const now = at(GRACE_MS + 7_000);

    const plan = webhookSteps(settled, watch, [owedAws, owedGoogle], deliveries, now, false);

    expect(plan.resume.map((task) => task.name)).toEqual(['aws-auto-tagging']);
    expect(plan.deadline).toBe(new Date(now.getTime() + GRACE_MS).toISOString());
  });

  it('never resumes one event twice at the same attempt, whenever the reconciler looks', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_WEBHOOK_ATTEMPTS - 1 }), fc.nat(100 * 86_400_000), fc.boolean(), (attempts, later, everyWatch) => {
        const deliveries = { [AWS_EVENT]: delivery(...Array.from({ length: attempts }, (_, index) => index * 1000)) };
        const now = at(86_400_000);
        const first = webhookSteps(settled, watch, [owedAws], deliveries, now, everyWatch);
        const second = webhookSteps(
          settled,
          { runId: 'run-1', resumedWebhooks: first.resumedWebhooks },
          [owedAws],
          deliveries,
          at(86_400_000 + later),
          everyWatch,
        );
        expect(first.resume).toHaveLength(1);
        expect(second.resume).toEqual([]);
        expect(second.giveUp).toEqual([{ ...owedAws, attempts }]);
      }),
    );
  });
});

describe('webhookResumeName', () => {
  const task = (eventId: string, attempt: number) => ({
    fileId: 'f1',
    runId: 'run-1',
    name: 'aws-auto-tagging' as const,
    status: 'success' as const,
    webhook: { url, eventId, attempt, delivered: false, gaveUp: false },
  });

  it('names the same resume alike, and another event or attempt otherwise, within Step Functions’ 80 characters', () => {
    const runId = '0b7f3c52-5a8e-4f0e-9c1d-2e6a7b8c9d0e';
    const name = webhookResumeName(runId, [task(AWS_EVENT, 2), task(GOOGLE_EVENT, 3)]);

    expect(webhookResumeName(runId, [task(GOOGLE_EVENT, 3), task(AWS_EVENT, 2)])).toBe(name);
    expect(webhookResumeName(runId, [task(AWS_EVENT, 3), task(GOOGLE_EVENT, 3)])).not.toBe(name);
    expect(webhookResumeName(runId, [task(AWS_EVENT, 2)])).not.toBe(name);
    expect(name).toMatch(new RegExp(`^${runId}-webhooks-[0-9a-f]{16}$`));
    expect(name.length).toBeLessThanOrEqual(80);
  });
});
