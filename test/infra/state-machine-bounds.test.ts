import { describe, expect, it } from 'vitest';
import { JOB_TURN_MAX_WAIT_SECONDS } from '../../functions/core/pacer.js';
import { type AslMachine, type AslState, retryBound, worstCaseSeconds } from '../../infra/state-machine-bounds.js';
import { JOB_FILE_PATH_MAX_SECONDS, JOB_STATES } from '../../infra/tagging-jobs.js';
import { TAGGERS, TAGGING_STATES } from '../../infra/tagging-workflow.js';
import { RUN_DEADLINE_SECONDS } from '../../functions/core/run-watches.js';
import { allStates, type GetAtt, StackTemplate } from './stack-template.js';

const FLAT = { taskSeconds: () => 10, waitSeconds: () => 0 };

describe('retryBound', () => {
  it('reads ASL’s defaults where a retrier leaves them out (1 s, 3 attempts, ×2)', () => {
    expect(retryBound([{ ErrorEquals: ['States.ALL'] }])).toEqual({ retries: 3, waitSeconds: 1 + 2 + 4 });
  });

  it('adds up CDK’s hidden LambdaInvoke retrier: 6 attempts from 2 s doubling, ≈ 126 s of waits', () => {
    const cdk = { ErrorEquals: ['Lambda.ServiceException'], IntervalSeconds: 2, MaxAttempts: 6, BackoffRate: 2 };
    expect(retryBound([cdk])).toEqual({ retries: 6, waitSeconds: 2 + 4 + 8 + 16 + 32 + 64 });
  });

  it('caps each wait at MaxDelaySeconds, and counts every retrier’s attempts', () => {
    const capped = { ErrorEquals: ['A'], IntervalSeconds: 1, MaxAttempts: 6, BackoffRate: 2, MaxDelaySeconds: 4 };
    expect(retryBound([capped, { ErrorEquals: ['B'], MaxAttempts: 1 }])).toEqual({ retries: 7, waitSeconds: 1 + 2 + 4 + 4 + 4 + 4 + 1 });
  });
});

describe('worstCaseSeconds', () => {
  const task = (fields: Partial<AslState>): AslState => ({ Type: 'Task', ...fields });

  it('takes the longest branch of a Choice and of a Catch, each attempt its TimeoutSeconds or its task’s own limit', () => {
    const machine: AslMachine = {
      StartAt: 'start',
      States: {
        start: task({ TimeoutSeconds: 3, Retry: [{ ErrorEquals: ['States.ALL'], MaxAttempts: 1, IntervalSeconds: 2 }], Next: 'choose' }),
        choose: { Type: 'Choice', Choices: [{ Next: 'short' }], Default: 'long' },
        short: { Type: 'Succeed' },
        long: task({ Catch: [{ Next: 'recover' }], End: true }),
        recover: task({ TimeoutSeconds: 1, End: true }),
      },
    };
    // start: 2 attempts × 3 s + 2 s; long: 10 s (its own limit); recover: 1 s.
    expect(worstCaseSeconds(machine, FLAT)).toBe(2 * 3 + 2 + 10 + 1);
  });

  it('counts a Map by its slowest item, and a timestamp Wait by the limit it is given', () => {
    const machine: AslMachine = {
      StartAt: 'wait',
      States: {
        wait: { Type: 'Wait', TimestampPath: '$.notBefore', Next: 'each' },
        each: { Type: 'Map', ItemProcessor: { StartAt: 'one', States: { one: task({ End: true }) } }, End: true },
      },
    };
    expect(worstCaseSeconds(machine, { taskSeconds: () => 10, waitSeconds: () => 30 })).toBe(40);
  });

  it('refuses a path that loops', () => {
    const machine: AslMachine = { StartAt: 'a', States: { a: task({ Next: 'b' }), b: { Type: 'Choice', Default: 'a' } } };
    expect(() => worstCaseSeconds(machine, FLAT)).toThrow("The path loops through 'a'");
  });
});

describe('the synthesized per-file path of a tagging job', () => {
  const synthesized = new StackTemplate();
  /** One attempt of a Lambda task without TimeoutSeconds may take its function's whole timeout. */
  const limits = {
    taskSeconds: (name: string, state: AslState) => {
      const parameters = state.Parameters as { FunctionName?: GetAtt } | undefined;
      const functionId = parameters?.FunctionName?.['Fn::GetAtt']?.[0];
      const timeout = functionId && synthesized.resources[functionId]?.Properties?.Timeout;
      if (typeof timeout !== 'number') throw new Error(`'${name}' invokes no Lambda of this stack`);
      return timeout;
    },
    waitSeconds: (name: string) => {
      if (name !== JOB_STATES.waitForTurn) throw new Error(`unbounded wait '${name}'`);
      return JOB_TURN_MAX_WAIT_SECONDS;
    },
  };
  const jobs = synthesized.definitionOf(synthesized.logicalId(synthesized.stack.taggingJobs.stateMachine));
  const perFile = jobs.States[JOB_STATES.tagEachFile]?.ItemProcessor as AslMachine;

  it(`ends within ${JOB_FILE_PATH_MAX_SECONDS} s in the worst case, every retrier and timeout counted (Express stops a child at 300 s)`, () => {
    const seconds = worstCaseSeconds(perFile, limits);
    if (process.env.AITAGS_TEST_VERBOSE) console.log(`per-file worst case: ${seconds} s`);
    expect(seconds).toBeLessThanOrEqual(JOB_FILE_PATH_MAX_SECONDS);
    expect(seconds).toBeGreaterThan(JOB_TURN_MAX_WAIT_SECONDS);
  });

  it('has no task with CDK’s hidden Lambda service retrier (6 attempts from 2 s)', () => {
    for (const [name, state] of Object.entries(allStates(perFile))) {
      const retriers = (state.Retry ?? []) as Array<{ ErrorEquals: string[]; MaxAttempts?: number }>;
      const hidden = retriers.filter((retrier) => retrier.ErrorEquals.includes('Lambda.ServiceException') && retrier.MaxAttempts === 6);
      expect({ name, hidden }).toEqual({ name, hidden: [] });
    }
  });

  it('keeps an upload run’s taggers, every retry spent, inside the deadline the reconciler waits for (RUN_DEADLINE_SECONDS)', () => {
    const workflow = synthesized.definitionOf(synthesized.logicalId(synthesized.stack.taggingWorkflow.stateMachine));
    const states = allStates(workflow) as Record<string, AslState>;
    // From Pick the tagger through a tagger and Record extension failure, up to where the extension is final
    // (a webhook the reconciler resumes tags nothing; a paced run's turn moves the watch's deadline with its
    // wait, services/paced-turns.ts: their rules are left out).
    const leftOut: string[] = [TAGGING_STATES.resumeWebhook, TAGGING_STATES.resumeWebhookRetry, TAGGING_STATES.takeTurn];
    const path: AslMachine = {
      StartAt: TAGGING_STATES.pickTagger,
      States: Object.fromEntries(
        Object.entries(states)
          .filter(([name]) =>
            [
              TAGGING_STATES.workflowLost,
              TAGGING_STATES.pickTagger,
              TAGGING_STATES.recordFailure,
              TAGGING_STATES.unknownExtension,
              ...Object.values(TAGGERS).map((tagger) => tagger.stateName),
            ].includes(name),
          )
          .map(([name, state]) => [
            name,
            {
              ...state,
              Next: ([TAGGING_STATES.webhookOwed, TAGGING_STATES.failureNotRecorded] as string[]).includes(state.Next ?? '') ? undefined : state.Next,
              Catch: (state.Catch ?? []).filter((c) => c.Next !== TAGGING_STATES.failureNotRecorded),
              ...(state.Choices && { Choices: state.Choices.filter((choice) => !leftOut.includes(choice.Next)) }),
              End: true,
            },
          ]),
      ),
    };
    const seconds = worstCaseSeconds(path, limits);
    if (process.env.AITAGS_TEST_VERBOSE) console.log(`upload run's tagging worst case: ${seconds} s`);
    expect(seconds).toBeLessThanOrEqual(RUN_DEADLINE_SECONDS);
    expect(seconds).toBeGreaterThan(RUN_DEADLINE_SECONDS / 2);
  });

  it('would not fit with an upload run’s retries: the bound bites', () => {
    const workflow = synthesized.definitionOf(synthesized.logicalId(synthesized.stack.taggingWorkflow.stateMachine));
    const tagger = allStates(workflow)[TAGGERS['aws-auto-tagging'].stateName] as AslState;
    // The upload run's tagger alone, its retries spent and nothing after it.
    const alone: AslMachine = { StartAt: 'tagger', States: { tagger: { ...tagger, Next: undefined, Catch: undefined, End: true } } };
    expect(worstCaseSeconds(alone, limits)).toBeGreaterThan(JOB_FILE_PATH_MAX_SECONDS);
  });
});
