import { describe, expect, it, vi } from 'vitest';
import { INGEST_HORIZON_SECONDS, PACED_THROTTLES_MAX } from '../../../functions/core/pacer.js';
import { DEFAULT_PROVIDER_QUOTAS } from '../../../functions/core/provider-quotas.js';
import { RUN_DEADLINE_SECONDS } from '../../../functions/core/run-watches.js';
import type { TurnTask } from '../../../functions/core/tagging-run.js';
import { takeTurn } from '../../../functions/services/paced-turns.js';

const NOW = Date.parse('2026-12-07T12:00:00.000Z');
const task: TurnTask = { fileId: 'f1', runId: 'r1', extension: { name: 'aws-auto-tagging', minConfidence: 50, maxTags: 5 }, policyVersion: '' };

function deps(turn: Awaited<ReturnType<Parameters<typeof takeTurn>[1]['pacer']['take']>>) {
  return {
    pacer: { take: vi.fn(async () => turn) },
    watches: { extend: vi.fn(async () => undefined) },
    quotas: DEFAULT_PROVIDER_QUOTAS,
    now: () => new Date(NOW),
  };
}

describe('takeTurn', () => {
  it('asks the provider’s pacer at 80 % of its quota, within the ingest horizon, with its ticket, and answers ISO times for the Wait states', async () => {
    const given = deps({ at: NOW + 500 });
    expect(await takeTurn({ ...task, turn: { ticket: 3 } }, given)).toEqual({
      ...task,
      turn: { at: '2026-12-07T12:00:00.500Z', throttles: 0 },
    });
    expect(given.pacer.take).toHaveBeenCalledWith('aws-auto-tagging', 4, NOW, {
      horizonMs: INGEST_HORIZON_SECONDS * 1000,
      ticket: 3,
      inLine: undefined,
    });
    expect(given.watches.extend).not.toHaveBeenCalled();
  });

  it('answers an Express run beyond the horizon with no turn, takes it out of no line and moves no deadline (its continuation will)', async () => {
    const given = deps({ beyondHorizon: true });
    expect((await takeTurn({ ...task, turn: { inLine: false } }, given)).turn).toEqual({ beyondHorizon: true, throttles: 0 });
    expect(given.pacer.take).toHaveBeenCalledWith('aws-auto-tagging', 4, NOW, { horizonMs: INGEST_HORIZON_SECONDS * 1000, inLine: false });
    expect(given.watches.extend).not.toHaveBeenCalled();
  });

  it('moves the run’s deadline past a long wait in line, so that the reconciler does not take a waiting run for lost', async () => {
    const askAgainAt = NOW + 10 * 60_000;
    const given = deps({ askAgainAt, ticket: 9 });
    expect((await takeTurn(task, given)).turn).toEqual({ askAgainAt: new Date(askAgainAt).toISOString(), ticket: 9, throttles: 0 });
    expect(given.watches.extend).toHaveBeenCalledWith('r1', new Date(askAgainAt + RUN_DEADLINE_SECONDS * 1000).toISOString());
  });

  it('counts each throttling once, and past PACED_THROTTLES_MAX sends the extension on unpaced', async () => {
    const throttled = { Error: 'ProviderThrottledError' };
    expect((await takeTurn({ ...task, turn: { throttles: 2, throttled } }, deps({ at: NOW }))).turn).toMatchObject({ throttles: 3 });
    // Asking again from the line carries no new throttling.
    expect((await takeTurn({ ...task, turn: { throttles: 3, ticket: 1 } }, deps({ at: NOW }))).turn).toMatchObject({ throttles: 3 });
    const spent = deps({ at: NOW });
    await expect(takeTurn({ ...task, turn: { throttles: PACED_THROTTLES_MAX, throttled } }, spent)).rejects.toMatchObject({
      name: 'PacedThrottlesExceeded',
    });
    expect(spent.pacer.take).not.toHaveBeenCalled();
  });
});
