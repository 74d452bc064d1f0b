import { beforeAll, describe, expect, it } from 'vitest';
import { THROTTLED_PROVIDER_ERROR, TRANSIENT_PROVIDER_ERROR } from '../../functions/core/provider-errors.js';
import { TAGGERS, THROTTLING_RETRY } from '../../infra/tagging-workflow.js';
import { allStates, type State, StackTemplate } from './stack-template.js';

interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: string;
}

const TAGGER_STATES = Object.values(TAGGERS).map((tagger) => tagger.stateName);
const MINUTE = 60;

let states: Record<string, State>;
let executionTimeoutSeconds: number;

beforeAll(() => {
  const synthesized = new StackTemplate();
  const definition = synthesized.definitionOf(synthesized.logicalId(synthesized.stack.taggingWorkflow.stateMachine));
  states = allStates(definition);
  executionTimeoutSeconds = definition.TimeoutSeconds as number;
});

function retriers(stateName: string): Retrier[] {
  const retry = states[stateName]?.Retry as Retrier[] | undefined;
  if (!retry) throw new Error(`no Retry on '${stateName}'`);
  return retry;
}

const retrierFor = (stateName: string, error: string) => retriers(stateName).find((retrier) => retrier.ErrorEquals.includes(error));

/** The delay cap before each retry: Interval × BackoffRate^n, capped at MaxDelaySeconds; full jitter waits 0 … cap. */
const delayCaps = ({ intervalSeconds, backoffRate, maxDelaySeconds, maxAttempts }: typeof THROTTLING_RETRY) =>
  Array.from({ length: maxAttempts }, (_, retry) => Math.min(maxDelaySeconds, intervalSeconds * backoffRate ** retry));

describe('tagger retries', () => {
  it.each(TAGGER_STATES)(
    "'%s' retries a throttled provider and a throttled Lambda with full-jitter backoff from 1 s, capped at 16 s, 100 times",
    (name) => {
      const throttling = { ErrorEquals: [THROTTLED_PROVIDER_ERROR, 'Lambda.TooManyRequestsException'] };
      expect(retriers(name)).toContainEqual({
        ...throttling,
        IntervalSeconds: 1,
        BackoffRate: 2,
        MaxDelaySeconds: 16,
        MaxAttempts: 100,
        JitterStrategy: 'FULL',
      });
      expect(THROTTLING_RETRY).toEqual({ intervalSeconds: 1, backoffRate: 2, maxDelaySeconds: 16, maxAttempts: 100 });
    },
  );

  it.each(TAGGER_STATES)("'%s' gives up on other provider faults sooner than on throttling, on a schedule of their own", (name) => {
    const faults = retrierFor(name, TRANSIENT_PROVIDER_ERROR);
    const throttling = retrierFor(name, THROTTLED_PROVIDER_ERROR);
    expect(faults).not.toBe(throttling);
    expect(faults?.ErrorEquals).not.toContain(THROTTLED_PROVIDER_ERROR);
    expect(faults?.MaxAttempts).toBeLessThan(throttling?.MaxAttempts ?? 0);
  });

  it('keeps a throttled call trying for over 10 minutes of waits on average, and at least 10 minutes in all but the unluckiest', () => {
    const caps = delayCaps(THROTTLING_RETRY);
    // Full jitter: each wait is uniform on 0 … cap, mean cap / 2, variance cap² / 12.
    const mean = caps.reduce((sum, cap) => sum + cap / 2, 0);
    const deviation = Math.sqrt(caps.reduce((sum, cap) => sum + cap ** 2 / 12, 0));
    expect(mean).toBeGreaterThan(12 * MINUTE);
    expect(mean - 3 * deviation).toBeGreaterThan(10 * MINUTE);
  });

  it('lets a run outlive the whole throttling schedule at its longest, every attempt running to its timeout', () => {
    const longestWaits = delayCaps(THROTTLING_RETRY).reduce((sum, cap) => sum + cap, 0);
    const attemptTimeouts = Math.max(...TAGGER_STATES.map((name) => states[name]?.TimeoutSeconds as number));
    expect(longestWaits + (THROTTLING_RETRY.maxAttempts + 1) * attemptTimeouts).toBeLessThan(executionTimeoutSeconds);
  });
});
