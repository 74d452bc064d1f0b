import { ExecutionAlreadyExists, InvalidArn, SFNClient, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { afterEach, describe, expect, it } from 'vitest';
import { type LocalStepFunctions, type LocalWorkflow, startLocalStepFunctions, type TaskHandler } from '../../local/step-functions-endpoint.js';
import { localStateMachineArn, type MachineDefinition, type StateMachineType } from '../../local/synthesized-template.js';

/** A Lambda task as CDK's LambdaInvoke writes it: the state's input as the payload, the handler's result as the state's output. */
const lambdaTask = (next?: string) => ({
  Type: 'Task',
  Resource: 'arn:aws:states:::lambda:invoke',
  Parameters: { FunctionName: 'arn:aws:lambda:us-east-1:000000000000:function:local', 'Payload.$': '$' },
  OutputPath: '$.Payload',
  ...(next ? { Next: next } : { End: true }),
});

/** One local workflow of hand-written states; each name in `lambdas` is a Lambda task run by the handler module of the same name. */
function workflow(
  name: string,
  type: StateMachineType,
  definition: MachineDefinition,
  tasks: { lambdas?: string[]; startExecutions?: string[] } = {},
): LocalWorkflow {
  const taskEntries = Object.fromEntries((tasks.lambdas ?? []).map((stateName) => [stateName, stateName]));
  return { name, workflow: { definition, type, taskEntries, startExecutionTasks: tasks.startExecutions ?? [] } };
}

/** Every invocation's event, by handler module. */
type Invocations = Record<string, unknown[]>;

const started: LocalStepFunctions[] = [];
afterEach(async () => {
  for (const endpoint of started.splice(0)) await endpoint.stop();
});

async function start(workflows: LocalWorkflow[], handlers: Record<string, TaskHandler> = {}, waitScale = 1) {
  const invocations: Invocations = {};
  const failures: Array<{ executionArn: string; error: unknown }> = [];
  const counted = Object.fromEntries(
    workflows.flatMap(({ workflow: { taskEntries } }) =>
      Object.values(taskEntries).map((entry) => [
        entry,
        async (event: unknown, context: Parameters<TaskHandler>[1]) => {
          invocations[entry] = [...(invocations[entry] ?? []), event];
          return handlers[entry] ? handlers[entry](event, context) : event;
        },
      ]),
    ),
  );
  const endpoint = await startLocalStepFunctions({
    workflows,
    handlers: counted,
    waitScale,
    onExecutionError: (executionArn, error) => failures.push({ executionArn, error }),
  });
  started.push(endpoint);
  const client = new SFNClient({ endpoint: endpoint.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const startExecution = (machine: string, name: string, input: unknown = {}) =>
    client.send(new StartExecutionCommand({ stateMachineArn: endpoint.stateMachineArns[machine], name, input: JSON.stringify(input) }));
  return { endpoint, client, invocations, failures, startExecution };
}

const oneTask: MachineDefinition = { StartAt: 'Run', States: { Run: lambdaTask() } };

describe('StartExecution with a name already used', () => {
  it('on an Express state machine starts a second execution, which runs alongside the first', async () => {
    // Each run holds until two are under way at once: were the second start refused or queued, neither would end.
    let release: () => void = () => {};
    const bothRunning = new Promise<void>((resolve) => {
      release = resolve;
    });
    let underWay = 0;
    const { endpoint, invocations, startExecution } = await start([workflow('run', 'EXPRESS', oneTask, { lambdas: ['Run'] })], {
      Run: async (event) => {
        if (++underWay === 2) release();
        await bothRunning;
        return event;
      },
    });

    const first = await startExecution('run', 'upload-1', { attempt: 1 });
    const second = await startExecution('run', 'upload-1', { attempt: 2 });
    await endpoint.idle();

    expect(invocations.Run).toEqual([{ attempt: 1 }, { attempt: 2 }]);
    for (const { executionArn } of [first, second])
      expect(executionArn).toMatch(/^arn:aws:states:us-east-1:000000000000:express:run:upload-1:[0-9a-f-]{36}$/);
    expect(first.executionArn).not.toBe(second.executionArn);
  });

  it('on a Standard state machine is refused with ExecutionAlreadyExists, and the execution runs once', async () => {
    const { endpoint, invocations, startExecution } = await start([workflow('run', 'STANDARD', oneTask, { lambdas: ['Run'] })]);

    const first = await startExecution('run', 'upload-1', { attempt: 1 });
    const second = startExecution('run', 'upload-1', { attempt: 2 });

    await expect(second).rejects.toBeInstanceOf(ExecutionAlreadyExists);
    await endpoint.idle();
    expect(first.executionArn).toBe('arn:aws:states:us-east-1:000000000000:execution:run:upload-1');
    expect(invocations.Run).toEqual([{ attempt: 1 }]);
  });
});

describe('StopExecution', () => {
  const waitThenRun: MachineDefinition = { StartAt: 'Wait', States: { Wait: { Type: 'Wait', Seconds: 3600, Next: 'Run' }, Run: lambdaTask() } };

  it('refuses an Express execution with InvalidArn, as AWS does not serve it', async () => {
    const { client, startExecution } = await start([workflow('run', 'EXPRESS', waitThenRun, { lambdas: ['Run'] })]);
    const { executionArn } = await startExecution('run', 'upload-1');

    const stop = client.send(new StopExecutionCommand({ executionArn }));

    await expect(stop).rejects.toBeInstanceOf(InvalidArn);
    await expect(stop).rejects.toThrow("Invalid Arn: 'Resource type not valid in this context: express'");
  });

  it('stops a Standard execution before its next task', async () => {
    const { endpoint, client, invocations, startExecution, failures } = await start([workflow('run', 'STANDARD', waitThenRun, { lambdas: ['Run'] })]);
    const { executionArn } = await startExecution('run', 'upload-1');

    await client.send(new StopExecutionCommand({ executionArn }));
    await endpoint.idle();

    expect(invocations.Run).toBeUndefined();
    expect(failures).toEqual([]);
  });
});

describe('the Express limit', () => {
  it('stops an Express execution still running after 300 s × the wait scale, reported as States.Timeout', async () => {
    // At scale 0.001 the limit is 300 ms and the Wait a day's 86.4 s: the execution can end only by the limit.
    const definition: MachineDefinition = {
      StartAt: 'Wait a day',
      States: { 'Wait a day': { Type: 'Wait', Seconds: 86_400, Next: 'Run' }, Run: lambdaTask() },
    };
    const { endpoint, invocations, failures, startExecution } = await start(
      [workflow('run', 'EXPRESS', definition, { lambdas: ['Run'] })],
      {},
      0.001,
    );

    const { executionArn } = await startExecution('run', 'upload-1');
    await endpoint.idle();

    expect(invocations.Run).toBeUndefined();
    expect(failures).toHaveLength(1);
    expect(failures[0]?.executionArn).toBe(executionArn);
    expect(failures[0]?.error).toMatchObject({ name: 'States.Timeout' });
  });
});

describe('a states:startExecution task', () => {
  /** Starts the continuation named after the run, then hands what the task answered to Report; a name already used goes to Already started. */
  const runThenContinue: MachineDefinition = {
    StartAt: 'Start continuation',
    States: {
      'Start continuation': {
        Type: 'Task',
        Resource: 'arn:aws:states:::states:startExecution',
        Parameters: { StateMachineArn: localStateMachineArn('continuation'), Input: { 'fileId.$': '$.fileId' }, 'Name.$': '$.runId' },
        ResultPath: '$.started',
        Catch: [{ ErrorEquals: ['StepFunctions.ExecutionAlreadyExistsException'], ResultPath: '$.refused', Next: 'Already started' }],
        Next: 'Report',
      },
      Report: lambdaTask(),
      'Already started': lambdaTask(),
    },
  };
  const machines = (continuation: StateMachineType) => [
    workflow('run', 'EXPRESS', runThenContinue, { lambdas: ['Report', 'Already started'], startExecutions: ['Start continuation'] }),
    workflow('continuation', continuation, { StartAt: 'Continue', States: { Continue: lambdaTask() } }, { lambdas: ['Continue'] }),
  ];

  it('starts the target execution, which runs its task, and answers its ARN and start date', async () => {
    const { endpoint, invocations, failures, startExecution } = await start(machines('STANDARD'));

    await startExecution('run', 'upload-1', { fileId: 'f1', runId: 'r1' });
    await endpoint.idle();

    expect(invocations.Continue).toEqual([{ fileId: 'f1' }]);
    expect(invocations.Report).toEqual([
      {
        fileId: 'f1',
        runId: 'r1',
        started: { ExecutionArn: 'arn:aws:states:us-east-1:000000000000:execution:continuation:r1', StartDate: expect.any(Number) },
      },
    ]);
    expect(failures).toEqual([]);
  });

  it('fails with StepFunctions.ExecutionAlreadyExistsException, which a Catch matches, when a Standard target already used the name', async () => {
    const { endpoint, invocations, failures, startExecution } = await start(machines('STANDARD'));

    // At least once: the same run delivered twice.
    await startExecution('run', 'upload-1', { fileId: 'f1', runId: 'r1' });
    await startExecution('run', 'upload-1', { fileId: 'f1', runId: 'r1' });
    await endpoint.idle();

    expect(invocations.Continue).toHaveLength(1);
    expect(invocations.Report).toHaveLength(1);
    expect(invocations['Already started']).toEqual([
      {
        fileId: 'f1',
        runId: 'r1',
        refused: {
          Error: 'StepFunctions.ExecutionAlreadyExistsException',
          Cause: expect.stringMatching(
            /^Execution Already Exists: 'arn:aws:states:us-east-1:000000000000:execution:continuation:r1' \(Service: AWSStepFunctions; Status Code: 400; Error Code: ExecutionAlreadyExists;/,
          ),
        },
      },
    ]);
    expect(failures).toEqual([]);
  });

  it('starts an Express target once per task, whatever the name', async () => {
    const { endpoint, invocations, startExecution } = await start(machines('EXPRESS'));

    await startExecution('run', 'upload-1', { fileId: 'f1', runId: 'r1' });
    await startExecution('run', 'upload-1', { fileId: 'f1', runId: 'r1' });
    await endpoint.idle();

    expect(invocations.Continue).toHaveLength(2);
    expect(invocations.Report).toHaveLength(2);
    expect(invocations['Already started']).toBeUndefined();
  });

  it('fails with StepFunctions.StateMachineDoesNotExistException for a machine the endpoint does not run', async () => {
    const { endpoint, invocations, failures, startExecution } = await start([
      workflow(
        'run',
        'STANDARD',
        {
          StartAt: 'Start',
          States: {
            Start: {
              Type: 'Task',
              Resource: 'arn:aws:states:::states:startExecution',
              Parameters: { StateMachineArn: localStateMachineArn('gone') },
              End: true,
            },
          },
        },
        { startExecutions: ['Start'] },
      ),
    ]);

    const { executionArn } = await startExecution('run', 'upload-1');
    await endpoint.idle();

    expect(invocations).toEqual({});
    expect(failures).toHaveLength(1);
    expect(failures[0]?.executionArn).toBe(executionArn);
    expect(failures[0]?.error).toMatchObject({ cause: { name: 'StepFunctions.StateMachineDoesNotExistException' } });
  });
});
