import { describe, expect, it, vi } from 'vitest';
import type { RunWatch } from '../../../functions/core/run-watches.js';
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

function deps(watches: RunWatch[], record: unknown, advanced = true) {
  return {
    watches: { due: vi.fn(async () => watches), advance: vi.fn(async () => advanced), forget: vi.fn(async () => undefined) },
    files: { get: vi.fn(async () => record), recordOutcome: vi.fn(async () => undefined) },
    workflow: { start: vi.fn(async () => undefined) },
    now: () => new Date('2026-06-01T00:00:00.000Z'),
  };
}

describe('reconcileRuns', () => {
  it('forgets a run that settled, and starts a lost one again once, with the same run id under another execution name', async () => {
    const settled = deps([watch(1)], { extensionStatus: { 'aws-auto-tagging': 'success' }, extensionRuns: { 'aws-auto-tagging': 'r1' } });
    expect(await reconcileRuns(settled as never)).toMatchObject({ forgotten: 1, rerun: 0 });
    expect(settled.watches.forget).toHaveBeenCalledWith('r1');

    const lost = deps([watch(1)], pending);
    expect(await reconcileRuns(lost as never)).toMatchObject({ rerun: 1 });
    // Its input was stored before runs carried `paced`: started again unpaced, as it was first.
    expect(lost.workflow.start).toHaveBeenCalledWith({ ...input, paced: false, lost: false }, 'r1-again');
    expect(lost.watches.advance).toHaveBeenCalledWith(watch(1), 2, '2026-06-01T03:00:00.000Z');
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
});
