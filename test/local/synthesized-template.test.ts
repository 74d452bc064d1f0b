import { App, type CfnResource, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { DefinitionBody, IntegrationPattern, JsonPath, Pass, StateMachine, StateMachineType, TaskInput } from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke, SqsSendMessage, StepFunctionsStartExecution } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { HANDLER_ENTRY_METADATA } from '../../infra/handler-metadata.js';
import { type LocalStepFunctions, startLocalStepFunctions, type TaskHandler } from '../../local/step-functions-endpoint.js';
import { type CfnTemplate, localStateMachineArn, synthesizedWorkflow } from '../../local/synthesized-template.js';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';

/** A function as the stack's own carry it: the handler module it deploys, in the template's metadata. */
function handlerFunction(stack: Stack, id: string, entry: string): LambdaFunction {
  const fn = new LambdaFunction(stack, id, {
    runtime: Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: Code.fromInline('export const handler = async () => {}'),
  });
  (fn.node.defaultChild as CfnResource).addMetadata(HANDLER_ENTRY_METADATA, entry);
  return fn;
}

/**
 * Issue 24's shape, in a stack of its own: an Express run that tags, then starts the Standard continuation
 * named after the run; a name the continuation already used is caught as the run having started it before.
 */
function runAndContinuation(startPattern: IntegrationPattern = IntegrationPattern.REQUEST_RESPONSE) {
  const stack = new Stack(new App(), 'Tiny');
  const continuation = new StateMachine(stack, 'Continuation', {
    definitionBody: DefinitionBody.fromChainable(
      new LambdaInvoke(stack, 'ContinueTask', { stateName: 'Continue', lambdaFunction: handlerFunction(stack, 'ContinueFunction', 'continue-run') }),
    ),
  });
  const tag = new LambdaInvoke(stack, 'TagTask', {
    stateName: 'Tag',
    lambdaFunction: handlerFunction(stack, 'TagFunction', 'tag-run'),
    resultPath: JsonPath.DISCARD,
  });
  const alreadyStarted = new LambdaInvoke(stack, 'AlreadyStartedTask', {
    stateName: 'Already started',
    lambdaFunction: handlerFunction(stack, 'AlreadyStartedFunction', 'already-started'),
  });
  const startContinuation = new StepFunctionsStartExecution(stack, 'StartContinuationTask', {
    stateName: 'Start continuation',
    stateMachine: continuation,
    integrationPattern: startPattern,
    input: TaskInput.fromObject({ fileId: JsonPath.stringAt('$.fileId') }),
    name: JsonPath.stringAt('$.runId'),
    resultPath: '$.started',
  }).addCatch(alreadyStarted, { errors: ['StepFunctions.ExecutionAlreadyExistsException'], resultPath: '$.refused' });
  const run = new StateMachine(stack, 'Run', {
    stateMachineType: StateMachineType.EXPRESS,
    definitionBody: DefinitionBody.fromChainable(tag.next(startContinuation)),
  });
  const template = Template.fromStack(stack).toJSON() as CfnTemplate;
  return {
    template,
    runId: stack.getLogicalId(run.node.defaultChild as CfnResource),
    continuationId: stack.getLogicalId(continuation.node.defaultChild as CfnResource),
  };
}

describe('a state machine of a CDK-synthesized template', () => {
  it('knows its type from StateMachineType, Standard when the template leaves it out, and lists its tasks by what they call', () => {
    const { template, runId, continuationId } = runAndContinuation();

    const run = synthesizedWorkflow(template, runId);
    const continuation = synthesizedWorkflow(template, continuationId);

    expect(template.Resources[continuationId]?.Properties?.StateMachineType).toBeUndefined();
    expect({ type: run.type, taskEntries: run.taskEntries, startExecutionTasks: run.startExecutionTasks }).toEqual({
      type: 'EXPRESS',
      taskEntries: { Tag: 'tag-run', 'Already started': 'already-started' },
      startExecutionTasks: ['Start continuation'],
    });
    expect({ type: continuation.type, taskEntries: continuation.taskEntries, startExecutionTasks: continuation.startExecutionTasks }).toEqual({
      type: 'STANDARD',
      taskEntries: { Continue: 'continue-run' },
      startExecutionTasks: [],
    });
    // The continuation's Ref, resolved to the ARN that names its logical id.
    expect(run.definition.States['Start continuation']?.Parameters).toMatchObject({ StateMachineArn: localStateMachineArn(continuationId) });
  });

  it('refuses a states:startExecution task that waits for the child (.sync:2), naming the state', () => {
    const { template, runId } = runAndContinuation(IntegrationPattern.RUN_JOB);

    expect(() => synthesizedWorkflow(template, runId)).toThrow(
      `Task "Start continuation" of ${runId} uses arn:aws:states:::states:startExecution.sync:2: the local runtime runs states:startExecution in its request-response form only`,
    );
  });

  it('refuses any other integration, naming the state and its resource', () => {
    const stack = new Stack(new App(), 'Tiny');
    const send = new SqsSendMessage(stack, 'SendTask', {
      stateName: 'Send',
      queue: new Queue(stack, 'Queue'),
      messageBody: TaskInput.fromText('hi'),
    });
    const machine = new StateMachine(stack, 'Sender', { definitionBody: DefinitionBody.fromChainable(new Pass(stack, 'First').next(send)) });
    const logicalId = stack.getLogicalId(machine.node.defaultChild as CfnResource);

    expect(() => synthesizedWorkflow(Template.fromStack(stack).toJSON() as CfnTemplate, logicalId)).toThrow(
      `Task "Send" of ${logicalId} calls arn:aws:states:::sqs:sendMessage: the local runtime runs Lambda tasks`,
    );
  });
});

describe('the synthesized run and continuation on the local endpoint', () => {
  let endpoint: LocalStepFunctions | undefined;
  afterEach(async () => {
    await endpoint?.stop();
  });

  it('runs a run delivered twice under one name twice, and its continuation once, the second start caught as already started', async () => {
    const { template, runId, continuationId } = runAndContinuation();
    const invocations: Record<string, unknown[]> = {};
    const recorded =
      (entry: string): TaskHandler =>
      async (event) => {
        invocations[entry] = [...(invocations[entry] ?? []), event];
        return {};
      };
    const failures: unknown[] = [];
    endpoint = await startLocalStepFunctions({
      workflows: [
        { name: 'run', workflow: synthesizedWorkflow(template, runId) },
        { name: 'continuation', workflow: synthesizedWorkflow(template, continuationId) },
      ],
      handlers: Object.fromEntries(['tag-run', 'continue-run', 'already-started'].map((entry) => [entry, recorded(entry)])),
      waitScale: 1,
      onExecutionError: (_executionArn, error) => failures.push(error),
    });
    const client = new SFNClient({
      endpoint: endpoint.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const input = JSON.stringify({ fileId: 'f1', runId: 'r1' });

    for (let delivery = 0; delivery < 2; delivery++)
      await client.send(new StartExecutionCommand({ stateMachineArn: endpoint.stateMachineArns.run, name: 'upload-f1', input }));
    await endpoint.idle();

    expect(invocations['tag-run']).toHaveLength(2);
    expect(invocations['continue-run']).toEqual([{ fileId: 'f1' }]);
    expect(invocations['already-started']).toEqual([
      { fileId: 'f1', runId: 'r1', refused: { Error: 'StepFunctions.ExecutionAlreadyExistsException', Cause: expect.any(String) } },
    ]);
    expect(failures).toEqual([]);
  });
});
