import './promise-with-resolvers.js';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Context } from 'aws-lambda';
import { lambdaContext } from './lambda-context.js';
import { StateMachine } from 'aws-local-stepfunctions';
import type { MachineDefinition, StateDefinition, SynthesizedWorkflow } from './synthesized-template.js';

type JsonValue = Parameters<StateMachine['run']>[0];
export type TaskHandler = (event: unknown, context: Context) => Promise<unknown>;

export interface LocalStepFunctions {
  endpoint: string;
  stateMachineArn: string;
  /** Resolves once no execution is running (tests wait on it before asserting final state). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

interface Options {
  workflow: SynthesizedWorkflow;
  /** Task handler per handler module (entry), filled in by the caller once configuration is in place. */
  handlers: Record<string, TaskHandler>;
  /** Multiplies every Wait and Retry interval: 0.01 turns 5 minutes into 3 s (AITAGS_LOCAL_WAIT_SCALE). */
  waitScale: number;
  /**
   * Wait states whose duration comes from the input (SecondsPath): their nominal seconds, so that the
   * time-lapse can scale them too (without their jitter).
   */
  nominalWaitSeconds?: Record<string, number>;
  onExecutionError?: (executionArn: string, error: unknown) => void;
}

const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:aitags-tagging';

function* allStates(states: Record<string, StateDefinition>): Generator<[string, StateDefinition]> {
  for (const [name, state] of Object.entries(states)) {
    yield [name, state];
    const processor = (state.ItemProcessor ?? state.Iterator) as MachineDefinition | undefined;
    if (processor) yield* allStates(processor.States);
    for (const branch of (state.Branches as MachineDefinition[] | undefined) ?? []) yield* allStates(branch.States);
  }
}

/**
 * Time-lapse: Wait states through the runner's per-state overrides; Retry by scaling each retrier's
 * interval and cap in a copy of the definition, so that backoff and jitter keep their shape (the runner's
 * own retry override is one fixed interval per retrier). At scale 1 the definition runs as synthesized:
 * the runner honours IntervalSeconds, BackoffRate, MaxAttempts, MaxDelaySeconds and JitterStrategy FULL.
 */
function timeLapse(definition: MachineDefinition, scale: number, nominalWaitSeconds: Record<string, number>) {
  const waitTimeOverrides: Record<string, number> = {};
  if (scale === 1) return { definition, waitTimeOverrides };
  const scaled = structuredClone(definition);
  for (const [name, state] of allStates(scaled.States)) {
    const waitSeconds = typeof state.Seconds === 'number' ? state.Seconds : nominalWaitSeconds[name];
    if (state.Type === 'Wait' && waitSeconds !== undefined) waitTimeOverrides[name] = waitSeconds * 1000 * scale;
    for (const retrier of (state.Retry as Array<{ IntervalSeconds?: number; MaxDelaySeconds?: number }> | undefined) ?? []) {
      retrier.IntervalSeconds = (retrier.IntervalSeconds ?? 1) * scale;
      if (retrier.MaxDelaySeconds !== undefined) retrier.MaxDelaySeconds *= scale;
    }
  }
  return { definition: scaled, waitTimeOverrides };
}

/**
 * A Lambda invoke task as Step Functions sees it: the result under `Payload`, a thrown error named
 * after its type, with Lambda's JSON `{errorType, errorMessage}` as the cause.
 */
function lambdaInvoke(entry: string, handlers: Record<string, TaskHandler>) {
  return async (input: JsonValue): Promise<JsonValue> => {
    const { Payload } = input as { Payload: unknown };
    const handler = handlers[entry];
    if (!handler) throw new Error(`No handler loaded for ${entry}`);
    try {
      // Through JSON, as a Lambda's result travels.
      return { Payload: JSON.parse(JSON.stringify((await handler(Payload, lambdaContext(entry, 60_000))) ?? null)) as JsonValue };
    } catch (error) {
      const errorType = error instanceof Error ? error.name : 'Error';
      const errorMessage = error instanceof Error ? error.message : String(error);
      throw Object.assign(new Error(JSON.stringify({ errorType, errorMessage })), { name: errorType });
    }
  };
}

function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>);
      } catch (error) {
        reject(error);
      }
    });
    request.on('error', reject);
  });
}

/**
 * A loopback Step Functions endpoint (AWS JSON 1.0, StartExecution) that runs the synthesized
 * definition with aws-local-stepfunctions: the handlers start executions through the real SFN client.
 */
export async function startLocalStepFunctions(options: Options): Promise<LocalStepFunctions> {
  const { definition, waitTimeOverrides } = timeLapse(options.workflow.definition, options.waitScale, options.nominalWaitSeconds ?? {});
  const machine = new StateMachine(definition as unknown as ConstructorParameters<typeof StateMachine>[0]);
  const taskResourceLocalHandlers = Object.fromEntries(
    Object.entries(options.workflow.taskEntries).map(([stateName, entry]) => [stateName, lambdaInvoke(entry, options.handlers)]),
  );
  const overrides = { taskResourceLocalHandlers, waitTimeOverrides };
  const running = new Map<string, { abort: () => void; done: Promise<unknown> }>();
  const names = new Set<string>();

  const startExecution = (body: Record<string, unknown>) => {
    const name = typeof body.name === 'string' ? body.name : randomUUID();
    const executionArn = `arn:aws:states:us-east-1:000000000000:execution:aitags-tagging:${name}`;
    if (names.has(name)) return { status: 400, body: { __type: 'ExecutionAlreadyExists', message: `Execution Already Exists: '${executionArn}'` } };
    names.add(name);
    const input = JSON.parse(typeof body.input === 'string' ? body.input : '{}') as Parameters<StateMachine['run']>[0];
    const execution = machine.run(input, { overrides, noThrowOnAbort: true });
    const done = execution.result
      .catch((error: unknown) => options.onExecutionError?.(executionArn, error))
      .finally(() => running.delete(executionArn));
    running.set(executionArn, { abort: execution.abort, done });
    return { status: 200, body: { executionArn, startDate: Date.now() / 1000 } };
  };

  const server: Server = createServer((request, response) => {
    const target = String(request.headers['x-amz-target'] ?? '');
    readJson(request)
      .then((body) =>
        target === 'AWSStepFunctions.StartExecution'
          ? startExecution(body)
          : { status: 400, body: { __type: 'UnknownOperationException', message: `${target} is not emulated locally` } },
      )
      .then((result) => {
        response.writeHead(result.status, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify(result.body));
      })
      .catch((error: unknown) => {
        response
          .writeHead(400, { 'content-type': 'application/x-amz-json-1.0' })
          .end(JSON.stringify({ __type: 'SerializationException', message: String(error) }));
      });
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));

  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stateMachineArn: STATE_MACHINE_ARN,
    async idle() {
      while (running.size) await Promise.all([...running.values()].map((execution) => execution.done));
    },
    async stop() {
      for (const execution of running.values()) execution.abort();
      await Promise.all([...running.values()].map((execution) => execution.done));
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
