import { describe, expect, it } from 'vitest';
import { HANDLER_ENTRY_METADATA } from '../../infra/handler-metadata.js';
import { INGEST_HORIZON_SECONDS } from '../../functions/core/pacer.js';
import { THROTTLED_PROVIDER_ERROR, TRANSIENT_PROVIDER_ERROR } from '../../functions/core/provider-errors.js';
import { type AslMachine, type AslState, worstCaseSeconds } from '../../infra/state-machine-bounds.js';
import { JOB_STATES } from '../../infra/tagging-jobs.js';
import { EXPRESS_RUN_MAX_SECONDS, TAGGERS, TAGGING_STATES } from '../../infra/tagging-workflow.js';
import { allStates, type GetAtt, type State, StackTemplate } from './stack-template.js';

const synthesized = new StackTemplate();
const runMachineId = synthesized.logicalId(synthesized.stack.taggingWorkflow.runStateMachine);
const standardId = synthesized.logicalId(synthesized.stack.taggingWorkflow.stateMachine);
const run = synthesized.definitionOf(runMachineId);
const runStates = allStates(run);

/** One attempt of a Lambda task without TimeoutSeconds may take its function's whole timeout. */
const limits = {
  taskSeconds: (name: string, state: AslState) => {
    const functionId = (state.Parameters as { FunctionName?: GetAtt } | undefined)?.FunctionName?.['Fn::GetAtt']?.[0];
    const timeout = functionId && synthesized.resources[functionId]?.Properties?.Timeout;
    if (typeof timeout !== 'number') throw new Error(`'${name}' invokes no Lambda of this stack`);
    return timeout;
  },
  waitSeconds: (name: string) => {
    // take-turn answers a turn only within the pacer's horizon; further back, the run continues on Standard.
    if (name !== TAGGING_STATES.waitForTurn) throw new Error(`unbounded wait '${name}'`);
    return INGEST_HORIZON_SECONDS;
  },
};

const typeOf = (logicalId: string) => synthesized.resources[logicalId]?.Properties?.StateMachineType;
/** The state machine an environment variable of `entry` names (its Ref). */
const machineNamedBy = (entry: string, variable: string) => {
  const variables = (synthesized.functionProperties(entry).Environment as { Variables: Record<string, { Ref?: string }> }).Variables;
  return String(variables[variable]?.Ref);
};

describe('the tagging run (Express) and the Standard machine kept for what needs time', () => {
  it.each([
    ['upload', 'upload'],
    ['PATCH', 'update-details'],
    ['the S3 trigger (uploads/ and ingest/)', 'on-object-created'],
    ["the reconciler's reruns", 'reconcile-runs'],
  ])('runs the tagging started by %s on an EXPRESS state machine', (_, entry) => {
    const machine = machineNamedBy(entry, 'AITAGS_STATE_MACHINE_ARN');
    expect(machine).toBe(runMachineId);
    expect(typeOf(machine)).toBe('EXPRESS');
  });

  it("runs a tagging job's files as EXPRESS children of its Distributed Map", () => {
    const jobs = synthesized.definitionOf(synthesized.logicalId(synthesized.stack.taggingJobs.stateMachine));
    expect(jobs.States[JOB_STATES.tagEachFile]?.ItemProcessor).toMatchObject({ ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' } });
  });

  it('keeps the first Standard state machine with its logical id, so a deployed stack keeps its executions in flight', () => {
    expect(standardId).toBe('TaggingWorkflowStateMachine1C22669D');
    expect(typeOf(standardId)).toBe('STANDARD');
    expect(synthesized.resources[standardId]?.Type).toBe('AWS::StepFunctions::StateMachine');
  });

  it(`ends a run within ${EXPRESS_RUN_MAX_SECONDS} s in the worst case, every retrier (CDK's included) and timeout counted (Express stops at 300 s)`, () => {
    const seconds = worstCaseSeconds(run as AslMachine, limits);
    if (process.env.AITAGS_TEST_VERBOSE) console.log(`Express run worst case: ${seconds} s`);
    expect(seconds).toBeLessThanOrEqual(EXPRESS_RUN_MAX_SECONDS);
    expect(synthesized.resources[runMachineId]?.Properties?.DefinitionString).toBeDefined();
  });

  it('counts a task’s hidden CDK retrier in that bound (the bound bites: a 6-attempt retrier pushes it past the limit)', () => {
    const tagger = runStates[TAGGERS['aws-auto-tagging'].stateName] as State & { Retry: unknown[] };
    const withCdkRetrier = structuredClone(run);
    const item = (withCdkRetrier.States[TAGGING_STATES.tagEachExtension]?.ItemProcessor ?? {}) as AslMachine;
    const state = item.States[TAGGERS['aws-auto-tagging'].stateName] as AslState;
    state.Retry = [
      ...tagger.Retry,
      { ErrorEquals: ['Lambda.ServiceException'], IntervalSeconds: 2, MaxAttempts: 6, BackoffRate: 2 },
    ] as AslState['Retry'];
    expect(worstCaseSeconds(withCdkRetrier as AslMachine, limits)).toBeGreaterThan(EXPRESS_RUN_MAX_SECONDS);
  });

  it('hands an extension still throttled or failing transiently, or sent to wait in line, to the Standard machine instead of looping', () => {
    for (const name of Object.values(TAGGERS).flatMap((tagger) => [tagger.stateName, `${tagger.stateName}, paced`])) {
      const catches = runStates[name]?.Catch as Array<{ ErrorEquals: string[]; Next: string }>;
      expect({ name, first: catches[0]?.ErrorEquals }).toEqual({
        name,
        first: expect.arrayContaining([THROTTLED_PROVIDER_ERROR, 'Lambda.TooManyRequestsException', TRANSIENT_PROVIDER_ERROR, 'States.Timeout']),
      });
      expect(catches[0]?.Next).toBe(name.endsWith(', paced') ? TAGGING_STATES.continuePacedTagging : TAGGING_STATES.continueTagging);
      expect(catches[1]).toMatchObject({ ErrorEquals: ['States.ALL'], Next: TAGGING_STATES.recordFailure });
      // A paced call the provider throttles is not retried here: that would crowd the turns of others.
      const retried = ((runStates[name]?.Retry ?? []) as Array<{ ErrorEquals: string[] }>).flatMap((retrier) => retrier.ErrorEquals);
      expect({ name, retriesThrottling: retried.includes(THROTTLED_PROVIDER_ERROR) }).toEqual({ name, retriesThrottling: !name.endsWith(', paced') });
    }
    expect(runStates[TAGGING_STATES.turnGiven]).toMatchObject({ Default: TAGGING_STATES.continuePacedTagging });
    expect(runStates[TAGGING_STATES.waitInLine]).toBeUndefined();
  });

  it('makes one webhook attempt, and continues an event not delivered (nor refused) on the Standard machine', () => {
    expect(runStates[TAGGING_STATES.afterWebhookAttempt]).toMatchObject({ Default: TAGGING_STATES.continueWebhook });
    expect(runStates[TAGGING_STATES.deliverWebhook]?.Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.webhookError', Next: TAGGING_STATES.continueWebhook },
    ]);
    expect(runStates[TAGGING_STATES.continueWebhook]?.Parameters).toMatchObject({ Payload: { 'webhook.$': '$' } });
    expect(Object.keys(runStates).filter((name) => name.startsWith('Wait before webhook attempt'))).toEqual([]);
  });

  it('starts continuations with continue-on-standard, which may start the Standard machine and move watches, and nothing else', () => {
    for (const name of [TAGGING_STATES.continueTagging, TAGGING_STATES.continuePacedTagging, TAGGING_STATES.continueWebhook]) {
      expect(runStates[name]?.Parameters).toMatchObject({ FunctionName: synthesized.functionArn('continue-on-standard') });
    }
    expect(synthesized.environmentOf('continue-on-standard')).toMatchObject({ AITAGS_CONTINUATION_STATE_MACHINE_ARN: 'stateMachine' });
    expect(synthesized.permissionsOf('continue-on-standard')).toEqual(['dynamodb:UpdateItem table', 'states:StartExecution stateMachine']);
  });

  it('lets no function describe or stop an execution of either tagging machine (Express executions cannot be)', () => {
    const functionIds = Object.entries(synthesized.resources)
      .filter(([, resource]) => resource.Type === 'AWS::Lambda::Function' && resource.Metadata?.[HANDLER_ENTRY_METADATA])
      .map(([, resource]) => String(resource.Metadata?.[HANDLER_ENTRY_METADATA]));
    for (const entry of functionIds) {
      const touching = synthesized
        .permissionsOf(entry)
        .filter((permission) => /^states:(Describe|Stop)Execution/.test(permission) && !permission.includes('jobsStateMachine'));
      expect({ entry, touching }).toEqual({ entry, touching: [] });
    }
  });
});

describe('Express run logs', () => {
  const loggingOf = (template: StackTemplate) =>
    template.resources[template.logicalId(template.stack.taggingWorkflow.runStateMachine)]?.Properties?.LoggingConfiguration;

  it('logs errors only by default, without execution data, to a log group of its own', () => {
    expect(loggingOf(synthesized)).toMatchObject({ Level: 'ERROR', IncludeExecutionData: false });
    const logging = loggingOf(synthesized) as { Destinations: Array<{ CloudWatchLogsLogGroup: { LogGroupArn: GetAtt } }> };
    const [logGroupId] = logging.Destinations[0]?.CloudWatchLogsLogGroup.LogGroupArn['Fn::GetAtt'] ?? [];
    expect(synthesized.resources[logGroupId ?? '']).toMatchObject({ Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 30 } });
  });

  it('logs every event with its data with expressLogLevel ALL', () => {
    expect(loggingOf(new StackTemplate({ expressLogLevel: 'ALL' }))).toMatchObject({ Level: 'ALL', IncludeExecutionData: true });
  });
});
