import { subscribe } from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { StateMachine } from 'aws-local-stepfunctions';
import { INVOCATION_CHANNEL } from '../local/lambda-context.js';

/**
 * What the cost bench counts while the local stack runs in this process, all from outside the handlers:
 * - requests each loopback server receives (Node's `http.server.request.start` channel), with the JSON body
 *   of those whose port is tapped (DynamoDB's and Step Functions' endpoints: small JSON bodies read at once);
 * - each Lambda invocation's handler module and wall time (the local runtime's `aitags:local:invocation` channel);
 * - each execution the local Step Functions runtime runs, with its event log (aws-local-stepfunctions' own,
 *   read through `StateMachine.prototype.run`);
 * - the bytes the process writes to stdout and stderr (the handlers' Powertools logs and EMF metrics).
 * Only what happens between start() and stop() is kept.
 */
export interface ServerRequest {
  port: number;
  method: string;
  url: string;
  /** X-Amz-Target's operation, when there is one. */
  operation?: string;
  contentLength?: number;
  /** The JSON body, on tapped ports only. */
  body?: Record<string, unknown>;
}

export interface Invocation {
  entry: string;
  ms: number;
  ok: boolean;
}

export interface ExecutionRecord {
  executionArn: string;
  stateMachineArn: string;
  /** Top-level state names of the definition it ran (matched against the template's machines). */
  stateNames: string[];
  ms: number;
  /** StateEntered (nested Map iterations included), StateRetried, Task and Map states entered, all events. */
  entered: number;
  retried: number;
  taskEntered: number;
  mapEntered: number;
  events: number;
}

type Writer = typeof process.stdout.write;

export class CostMeter {
  readonly requests: ServerRequest[] = [];
  readonly invocations: Invocation[] = [];
  readonly executions: ExecutionRecord[] = [];
  readonly written = { stdout: 0, stderr: 0 };
  private counting = false;
  private readonly tapped = new Set<number>();
  private readonly pending = new Set<Promise<unknown>>();
  private restore: Array<() => void> = [];

  constructor() {
    subscribe('http.server.request.start', (message) => {
      if (!this.counting) return;
      const { request, socket } = message as { request: IncomingMessage; socket: Socket };
      const port = socket.localPort ?? 0;
      const target = request.headers['x-amz-target'];
      const length = Number(request.headers['content-length']);
      const record: ServerRequest = {
        port,
        method: request.method ?? '?',
        url: request.url ?? '',
        ...(typeof target === 'string' && { operation: target.split('.').at(-1) ?? target }),
        ...(Number.isFinite(length) && { contentLength: length }),
      };
      this.requests.push(record);
      if (!this.tapped.has(port)) return;
      // The servers on tapped ports read their body at once, in the same tick: a second listener loses them nothing.
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        try {
          record.body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
        } catch {
          // Not JSON: counted without a body.
        }
      });
    });
    subscribe(INVOCATION_CHANNEL, (message) => {
      if (this.counting) this.invocations.push(message as Invocation);
    });
    this.watchExecutions();
  }

  /** Keep the JSON bodies of requests to this port. */
  tap(port: number): void {
    this.tapped.add(port);
  }

  /**
   * From now on the process's stdout is counted while counting and not shown (the handlers' logs would
   * bury the bench's output); stderr is counted and still shown. release() gives both back.
   */
  capture(): void {
    const count = (stream: NodeJS.WriteStream, key: 'stdout' | 'stderr', passOn: boolean) => {
      const original = stream.write.bind(stream) as Writer;
      stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
        if (this.counting) this.written[key] += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
        return passOn ? (original as (...args: unknown[]) => boolean)(chunk, ...rest) : true;
      }) as Writer;
      this.restore.push(() => {
        stream.write = original;
      });
    };
    count(process.stdout, 'stdout', false);
    count(process.stderr, 'stderr', true);
  }

  release(): void {
    for (const undo of this.restore.splice(0)) undo();
  }

  start(): void {
    this.counting = true;
  }

  /** Stops counting once every execution seen has ended and its events are read. */
  async stop(): Promise<void> {
    await Promise.all([...this.pending]);
    this.counting = false;
  }

  requestsTo(port: number): ServerRequest[] {
    return this.requests.filter((request) => request.port === port);
  }

  /** Each top-level execution (one the endpoint starts, with an Execution id in its context): timed, its events counted. */
  private watchExecutions(): void {
    const meter = this;
    const run = StateMachine.prototype.run;
    StateMachine.prototype.run = function (this: StateMachine, input, options) {
      const execution = run.call(this, input, options);
      const context = options?.context as { Execution?: { Id?: string }; StateMachine?: { Id?: string } } | undefined;
      const nested = options !== undefined && '_rootAbortSignal' in options;
      const executionArn = context?.Execution?.Id;
      if (!meter.counting || nested || !executionArn) return execution;
      const startedAt = performance.now();
      const definition = (this as unknown as { definition: { States: Record<string, unknown> } }).definition;
      const record: ExecutionRecord = {
        executionArn,
        stateMachineArn: context?.StateMachine?.Id ?? '?',
        stateNames: Object.keys(definition.States).sort(),
        ms: 0,
        entered: 0,
        retried: 0,
        taskEntered: 0,
        mapEntered: 0,
        events: 0,
      };
      const read = (async () => {
        for await (const event of execution.eventLogs) {
          record.events++;
          if (event.type === 'StateEntered') {
            record.entered++;
            if (event.state.type === 'Task') record.taskEntered++;
            if (event.state.type === 'Map') record.mapEntered++;
          }
          if (event.type === 'StateRetried') record.retried++;
        }
      })();
      const ended = execution.result.then(
        () => undefined,
        () => undefined,
      );
      const done = Promise.all([read, ended]).then(() => {
        record.ms = performance.now() - startedAt;
        meter.executions.push(record);
      });
      meter.pending.add(done);
      done.finally(() => meter.pending.delete(done));
      return execution;
    };
  }
}
