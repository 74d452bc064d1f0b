import { randomUUID } from 'node:crypto';
import { channel } from 'node:diagnostics_channel';
import { performance } from 'node:perf_hooks';
import { InvokeStore, InvokeStoreBase } from '@aws/lambda-invoke-store';
import type { Context } from 'aws-lambda';

/**
 * The local runtime runs many invocations at once in one process, as the Lambda runtime does on Managed
 * Instances: each in its own InvokeStore context, to which Powertools (Logger's Lambda context, appended
 * keys and log level; Metrics) scopes its per-invocation state once AWS_LAMBDA_MAX_CONCURRENCY is set.
 * Without it, one invocation's function name and keys show in another's logs. The store comes first:
 * Powertools throws when the variable is set and no store exists, and an AWS SDK call made before would
 * have created the single-invocation kind.
 */
const invokeStore = await InvokeStore.getInstanceAsync(true);
if (invokeStore.run({}, () => invokeStore.hasContext()) && invokeStore.hasContext())
  throw new Error(
    'The InvokeStore was created for one invocation at a time before the local runtime loaded: invocations would share their logging context',
  );
process.env.AWS_LAMBDA_MAX_CONCURRENCY ||= '1000';

/** The context Lambda hands a handler, for one local invocation of the handler module `entry`. */
export function lambdaContext(entry: string, timeoutMs: number): Context {
  const functionName = `aitags-${entry}`;
  const deadline = Date.now() + timeoutMs;
  const unsupported = () => {
    throw new Error('callback-style completion is not supported');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}

/**
 * Each invocation's handler module and wall time, `{ entry, ms, ok }`, once it has ended: what a bench bills as
 * Lambda duration (bench/cost.ts). Nothing is timed or published while nobody subscribes.
 */
export const INVOCATION_CHANNEL = 'aitags:local:invocation';
const invocations = channel(INVOCATION_CHANNEL);

/** Invocations under way: stopping waits for them, so that the stores never close under a handler's request. */
const underWay = new Set<Promise<unknown>>();

/** One invocation of a handler module's handler, in a context of its own (see above), as the Lambda runtime makes it. */
export function invoke<Event, Result>(
  handler: (event: Event, context: Context) => Promise<Result>,
  event: Event,
  entry: string,
  timeoutMs: number,
): Promise<Result> {
  const startedAt = performance.now();
  const context = lambdaContext(entry, timeoutMs);
  const invocation = invokeStore.run({ [InvokeStoreBase.PROTECTED_KEYS.REQUEST_ID]: context.awsRequestId }, () => handler(event, context));
  underWay.add(invocation);
  if (invocations.hasSubscribers) {
    const ended = (ok: boolean) => () => invocations.publish({ entry, ms: performance.now() - startedAt, ok });
    invocation.then(ended(true), ended(false));
  }
  invocation.then(
    () => underWay.delete(invocation),
    () => underWay.delete(invocation),
  );
  return invocation;
}

/**
 * Resolves once every invocation under way has ended, or after `timeoutMs`. An execution stopped mid-task
 * leaves its Lambda running, as on AWS; locally its next request would reach a store being closed
 * (dynalite then throws "Database is closed" out of its callback, and the process exits 1).
 */
export async function invocationsEnded(timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
  });
  await Promise.race([Promise.allSettled([...underWay]), timedOut]);
  clearTimeout(timer);
}
