import './promise-with-resolvers.js';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Context } from 'aws-lambda';
import { invoke } from './lambda-context.js';
import { StateMachine } from 'aws-local-stepfunctions';
import { localStateMachineArn, type MachineDefinition, type StateDefinition, type SynthesizedWorkflow } from './synthesized-template.js';

type JsonValue = Parameters<StateMachine['run']>[0];
export type TaskHandler = (event: unknown, context: Context) => Promise<unknown>;

export interface LocalStepFunctions {
  endpoint: string;
  /** Each workflow's state machine ARN, by the name it was given. */
  stateMachineArns: Record<string, string>;
  /** Resolves once no execution is running (tests wait on it before asserting final state). */
  idle(): Promise<void>;
  /** Executions started so far, by state machine name, with the names they were started under (tests count them). */
  executionsStarted(): Record<string, string[]>;
  stop(): Promise<void>;
}

export interface LocalWorkflow {
  /**
   * Names the state machine: `arn:aws:states:us-east-1:000000000000:stateMachine:<name>`; the ARN that names
   * its logical id (workflow.logicalId) reaches it too, as another definition of the template names it.
   */
  name: string;
  workflow: SynthesizedWorkflow;
  /**
   * Wait states whose duration comes from the input (SecondsPath): their nominal seconds, so that the
   * time-lapse can scale them too (without their jitter).
   */
  nominalWaitSeconds?: Record<string, number>;
}

/** The bucket as a Distributed Map reads its items and writes its results (s3rver locally). */
export interface LocalObjects {
  read(bucket: string, key: string): Promise<string>;
  write(bucket: string, key: string, body: string): Promise<void>;
}

interface Options {
  workflows: LocalWorkflow[];
  /** Task handler per handler module (entry), filled in by the caller once configuration is in place. */
  handlers: Record<string, TaskHandler>;
  /** Multiplies every Wait and Retry interval: 0.01 turns 5 minutes into 3 s (AITAGS_LOCAL_WAIT_SCALE). */
  waitScale: number;
  objects?: LocalObjects;
  /** An execution that failed, or an Express one stopped at its limit (an error named States.Timeout). */
  onExecutionError?: (executionArn: string, error: unknown) => void;
  /** How long an Express execution may run before it is stopped: EXPRESS_LIMIT_SECONDS × waitScale unless set. */
  expressLimitMs?: number;
}

/** Express executions run for at most 5 minutes on AWS; one still running then ends with States.Timeout. */
const EXPRESS_LIMIT_SECONDS = 300;

const arnOf = localStateMachineArn;

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
      return { Payload: JSON.parse(JSON.stringify((await invoke(handler, Payload, entry, 60_000)) ?? null)) as JsonValue };
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

/** A Distributed Map of the definition, as the local runner stands in for it (see distributedMapTask). */
interface DistributedMapState {
  itemReader: { Parameters?: Record<string, string> };
  itemSelector?: Record<string, unknown>;
  processor: MachineDefinition;
  /** MaxConcurrency, or the input path MaxConcurrencyPath names. */
  maxConcurrency: number | string;
  toleratedFailurePercentage: number;
  resultWriter?: { Parameters?: Record<string, string> };
}

/**
 * The one difference from AWS for tagging jobs (docs/architecture.md, "Tagging jobs"): no emulator runs a
 * Distributed Map's ItemReader, so each DISTRIBUTED Map state becomes a Task that this runner serves —
 * it reads the manifest from the bucket, runs the synthesized ItemProcessor once per item (its
 * ItemSelector first, with the item's `$$.Map.Item`) under aws-local-stepfunctions, at most
 * MaxConcurrency at a time, applies ToleratedFailurePercentage, and writes the results where
 * ResultWriter says.
 */
function extractDistributedMaps(definition: MachineDefinition): { definition: MachineDefinition; maps: Record<string, DistributedMapState> } {
  const maps: Record<string, DistributedMapState> = {};
  const states: Record<string, StateDefinition> = {};
  for (const [name, state] of Object.entries(definition.States)) {
    const processor = state.ItemProcessor as (MachineDefinition & { ProcessorConfig?: { Mode?: string } }) | undefined;
    if (state.Type !== 'Map' || processor?.ProcessorConfig?.Mode !== 'DISTRIBUTED') {
      states[name] = state;
      continue;
    }
    const { ProcessorConfig: _config, ...runnable } = processor;
    maps[name] = {
      itemReader: state.ItemReader as DistributedMapState['itemReader'],
      itemSelector: state.ItemSelector as Record<string, unknown> | undefined,
      processor: runnable,
      maxConcurrency: typeof state.MaxConcurrencyPath === 'string' ? state.MaxConcurrencyPath : Number(state.MaxConcurrency ?? 0),
      toleratedFailurePercentage: Number(state.ToleratedFailurePercentage ?? 0),
      resultWriter: state.ResultWriter as DistributedMapState['resultWriter'],
    };
    const kept = Object.fromEntries(
      ['Next', 'End', 'ResultPath', 'ResultSelector', 'OutputPath', 'InputPath', 'Catch', 'Retry', 'Comment']
        .filter((field) => field in state)
        .map((field) => [field, state[field]]),
    );
    // A Map has no timeout of its own; the runner gives a Task 60 s unless told otherwise, so it gets the execution's.
    states[name] = { Type: 'Task', Resource: 'arn:aws:states:::local:distributed-map', TimeoutSeconds: executionTimeout(definition), ...kept };
  }
  return { definition: { ...definition, States: states }, maps };
}

/** The execution's TimeoutSeconds, within what a Node timer can wait (24.8 days). */
function executionTimeout(definition: MachineDefinition): number {
  const seconds = typeof definition.TimeoutSeconds === 'number' ? definition.TimeoutSeconds : 7 * 24 * 3600;
  return Math.min(seconds, Math.floor(2 ** 31 / 1000) - 1);
}

/** `$.a.b` of a value (what ItemReader and ResultWriter parameters use). */
function pathValue(input: unknown, path: string): unknown {
  return path
    .replace(/^\$\.?/, '')
    .split('.')
    .filter(Boolean)
    .reduce<unknown>((value, key) => (value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined), input);
}

function parameters(spec: Record<string, string> | undefined, input: unknown): Record<string, string> {
  return Object.fromEntries(
    Object.entries(spec ?? {}).map(([key, value]) => (key.endsWith('.$') ? [key.slice(0, -2), String(pathValue(input, value))] : [key, value])),
  );
}

/** What the endpoint answers an API call: a result, or an error as AWS JSON 1.0 carries it (`__type`, `message`). */
type Answer<Result> = { status: 200; body: Result } | { status: 400; body: { __type: string; message: string } };
const refusal = (type: string, message: string) => ({ status: 400, body: { __type: type, message } }) as const;

/** The error an Express execution ends with when it runs past its limit, as AWS ends it. */
const expressTimeout = () =>
  Object.assign(new Error('The execution ran past the 5-minute duration of an Express state machine'), { name: 'States.Timeout' });

/**
 * A loopback Step Functions endpoint (AWS JSON 1.0: StartExecution, StopExecution) that runs the
 * synthesized definitions with aws-local-stepfunctions: the handlers start executions through the real SFN
 * client, and a `states:startExecution` task starts one here too. Executions follow their machine's type:
 * a Standard name is used once (ExecutionAlreadyExists), an Express one may start any number of executions
 * (at least once, as on AWS), each stopped with States.Timeout past the Express limit.
 */
export async function startLocalStepFunctions(options: Options): Promise<LocalStepFunctions> {
  const expressLimitMs = options.expressLimitMs ?? EXPRESS_LIMIT_SECONDS * 1000 * options.waitScale;
  const machines = new Map(
    options.workflows.map(({ name, workflow, nominalWaitSeconds }) => {
      const lapsed = timeLapse(workflow.definition, options.waitScale, nominalWaitSeconds ?? {});
      const { definition, maps } = extractDistributedMaps(lapsed.definition);
      const machine = new StateMachine(definition as unknown as ConstructorParameters<typeof StateMachine>[0]);
      const processors = Object.fromEntries(
        Object.entries(maps).map(([stateName, map]) => [stateName, { map, firstState: map.processor.StartAt, states: map.processor.States }]),
      );
      return [arnOf(name), { name, workflow, machine, waitTimeOverrides: lapsed.waitTimeOverrides, processors }] as const;
    }),
  );
  // A definition of the template names another state machine by its logical id.
  const machineByArn = new Map(machines);
  for (const target of machines.values()) if (target.workflow.logicalId) machineByArn.set(arnOf(target.workflow.logicalId), target);
  const running = new Map<string, { abort: () => void; done: Promise<unknown> }>();
  const names = new Set<string>();
  const started: Record<string, string[]> = Object.fromEntries([...machines.values()].map(({ name }) => [name, []]));

  const startExecution = (body: Record<string, unknown>): Answer<{ executionArn: string; startDate: number }> => {
    const stateMachineArn = String(body.stateMachineArn ?? '');
    const target = machineByArn.get(stateMachineArn);
    if (!target) return refusal('StateMachineDoesNotExist', `State Machine Does Not Exist: '${stateMachineArn}'`);
    const name = typeof body.name === 'string' ? body.name : randomUUID();
    const express = target.workflow.type === 'EXPRESS';
    // StartExecution is idempotent for Standard only: on Express a reused name starts another execution, with an ARN of its own.
    const executionArn = express
      ? `arn:aws:states:us-east-1:000000000000:express:${target.name}:${name}:${randomUUID()}`
      : `arn:aws:states:us-east-1:000000000000:execution:${target.name}:${name}`;
    if (names.has(executionArn)) return refusal('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    let input: JsonValue;
    try {
      input = JSON.parse(typeof body.input === 'string' ? body.input : '{}') as JsonValue;
    } catch (error) {
      return refusal('InvalidExecutionInput', `Invalid State Machine Execution Input: '${error instanceof Error ? error.message : String(error)}'`);
    }
    if (!express) names.add(executionArn);
    started[target.name]?.push(name);
    const stopped: StopSignal = { value: false, children: new Map() };
    const taskResourceLocalHandlers: Record<string, (input: JsonValue) => Promise<JsonValue>> = Object.fromEntries(
      Object.entries(target.workflow.taskEntries).map(([stateName, entry]) => [stateName, lambdaInvoke(entry, options.handlers)]),
    );
    for (const stateName of target.workflow.startExecutionTasks) taskResourceLocalHandlers[stateName] = startExecutionTask;
    const overrides = { taskResourceLocalHandlers, waitTimeOverrides: target.waitTimeOverrides };
    for (const [stateName, processor] of Object.entries(target.processors)) {
      taskResourceLocalHandlers[stateName] = (mapInput) =>
        runDistributedMap(processor.map, mapInput, { overrides, stopped, objects: options.objects, executionName: name });
    }
    const execution = target.machine.run(input, {
      overrides,
      noThrowOnAbort: true,
      context: { Execution: { Id: executionArn, Name: name }, StateMachine: { Id: arnOf(target.name), Name: target.name } },
    });
    const abort = () => {
      // As on AWS: stopping the execution stops its Map Run's child executions with it.
      stopped.value = true;
      for (const abortChild of stopped.children.keys()) abortChild();
      execution.abort();
    };
    let timedOut = false;
    const limit = express
      ? setTimeout(() => {
          timedOut = true;
          abort();
        }, expressLimitMs)
      : undefined;
    const done = execution.result
      .then(
        () => {
          if (timedOut) options.onExecutionError?.(executionArn, expressTimeout());
        },
        (error: unknown) => options.onExecutionError?.(executionArn, error),
      )
      // A stopped parent returns at once; its Map's children (stopped too) are done only once they have unwound.
      .then(() => Promise.allSettled([...stopped.children.values()]))
      .finally(() => {
        clearTimeout(limit);
        running.delete(executionArn);
      });
    running.set(executionArn, { abort, done });
    return { status: 200, body: { executionArn, startDate: Date.now() / 1000 } };
  };

  /**
   * A `states:startExecution` task (request-response), as the service integration answers it: the
   * execution's ARN and start date, or the API's error named `StepFunctions.<error>Exception` (with
   * Step Functions' cause text), which the task's Retry and Catch match.
   */
  async function startExecutionTask(parameters: JsonValue): Promise<JsonValue> {
    const { StateMachineArn, Input, Name } = (parameters ?? {}) as { StateMachineArn?: unknown; Input?: unknown; Name?: unknown };
    // The integration sends an Input object as its JSON text, and a string as it is.
    const answer = startExecution({
      stateMachineArn: StateMachineArn,
      input: typeof Input === 'string' ? Input : JSON.stringify(Input ?? {}),
      name: Name,
    });
    if (answer.status !== 200) {
      const { __type: type, message } = answer.body;
      const cause = `${message} (Service: AWSStepFunctions; Status Code: 400; Error Code: ${type}; Request ID: ${randomUUID()}; Proxy: null)`;
      throw Object.assign(new Error(cause), { name: `StepFunctions.${type}Exception` });
    }
    return { ExecutionArn: answer.body.executionArn, StartDate: Math.round(answer.body.startDate * 1000) };
  }

  const stopExecution = (body: Record<string, unknown>): Answer<{ stopDate: number }> => {
    const executionArn = String(body.executionArn ?? '');
    // StopExecution does not serve Express executions.
    if (executionArn.split(':')[5] === 'express') return refusal('InvalidArn', "Invalid Arn: 'Resource type not valid in this context: express'");
    if (!names.has(executionArn)) return refusal('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
    running.get(executionArn)?.abort();
    return { status: 200, body: { stopDate: Date.now() / 1000 } };
  };

  const server: Server = createServer((request, response) => {
    const target = String(request.headers['x-amz-target'] ?? '');
    readJson(request)
      .then((body) =>
        target === 'AWSStepFunctions.StartExecution'
          ? startExecution(body)
          : target === 'AWSStepFunctions.StopExecution'
            ? stopExecution(body)
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
    stateMachineArns: Object.fromEntries([...machines.entries()].map(([arn, { name }]) => [name, arn])),
    async idle() {
      while (running.size) await Promise.all([...running.values()].map((execution) => execution.done));
    },
    executionsStarted: () => Object.fromEntries(Object.entries(started).map(([machine, executions]) => [machine, [...executions]])),
    async stop() {
      for (const execution of running.values()) execution.abort();
      await Promise.all([...running.values()].map((execution) => execution.done));
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** An execution's stop: set once it is stopped; the Map children in flight, by their abort. */
interface StopSignal {
  value: boolean;
  children: Map<() => void, Promise<unknown>>;
}

type Overrides = NonNullable<Parameters<StateMachine['run']>[1]>['overrides'];

/** One Distributed Map state's run: the stand-in described at extractDistributedMaps. */
async function runDistributedMap(
  map: DistributedMapState,
  mapInput: JsonValue,
  run: { overrides: Overrides; stopped: StopSignal; objects?: LocalObjects; executionName: string },
): Promise<JsonValue> {
  if (!run.objects) throw new Error('A Distributed Map needs the local bucket (objects) to read its items from');
  const reader = parameters(map.itemReader.Parameters, mapInput);
  const items = JSON.parse(await run.objects.read(reader.Bucket ?? '', reader.Key ?? '')) as JsonValue[];
  if (!Array.isArray(items)) throw Object.assign(new Error('The ItemReader did not find a JSON array'), { name: 'States.ItemReaderFailed' });
  const processor = new StateMachine({
    StartAt: 'Select the item',
    States: {
      'Select the item': { Type: 'Pass', ...(map.itemSelector && { Parameters: map.itemSelector }), Next: map.processor.StartAt },
      ...map.processor.States,
    },
  } as unknown as ConstructorParameters<typeof StateMachine>[0]);
  const failures: Array<{ index: number; error: string }> = [];
  let succeeded = 0;
  let next = 0;
  const worker = async () => {
    while (next < items.length && !run.stopped.value) {
      const index = next++;
      const execution = processor.run(mapInput, {
        overrides: run.overrides,
        context: { Map: { Item: { Index: index, Value: items[index] } } } as never,
        noThrowOnAbort: true,
      });
      const result = execution.result;
      run.stopped.children.set(execution.abort, result);
      try {
        await result;
        succeeded++;
      } catch (error) {
        failures.push({ index, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
      } finally {
        run.stopped.children.delete(execution.abort);
      }
    }
  };
  const limit = typeof map.maxConcurrency === 'string' ? pathValue(mapInput, map.maxConcurrency) : map.maxConcurrency;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 0) {
    // As Step Functions fails a Map whose MaxConcurrencyPath does not lead to a non-negative integer.
    throw Object.assign(new Error(`MaxConcurrency ${JSON.stringify(limit)} is not a non-negative integer`), { name: 'States.Runtime' });
  }
  const concurrency = limit || Number.POSITIVE_INFINITY;
  await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, items.length)) }, worker));
  const writer = parameters(map.resultWriter?.Parameters, mapInput);
  const key = `${writer.Prefix ?? 'results'}/${run.executionName}/manifest.json`;
  if (map.resultWriter && writer.Bucket) {
    await run.objects.write(writer.Bucket, key, JSON.stringify({ total: items.length, succeeded, failed: failures.length, failures }));
  }
  if (failures.length && (failures.length / items.length) * 100 > map.toleratedFailurePercentage) {
    throw Object.assign(new Error(`${failures.length} of ${items.length} items failed`), { name: 'States.ExceedToleratedFailureThreshold' });
  }
  return { MapRunArn: `local:${run.executionName}`, ResultWriterDetails: { Bucket: writer.Bucket ?? '', Key: key } };
}
