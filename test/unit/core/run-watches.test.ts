import { describe, expect, it } from 'vitest';
import { pendingOfRun, watchStep } from '../../../functions/core/run-watches.js';

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
