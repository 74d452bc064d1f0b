import type { ExtensionClaims } from '../adapters/extension-claims.js';
import type { RunWatchTable } from '../adapters/run-watches.js';
import type { TaggingWorkflow } from '../adapters/tagging-workflow.js';
import { type Continuation, continuedRun, standardExecutionArn } from '../core/run-continuations.js';
import { RUN_DEADLINE_SECONDS } from '../core/run-watches.js';
import { logger } from '../runtime/logger.js';

export interface ContinuationDeps {
  /** The Standard state machine: time for throttled providers, the pacer's line and the webhook schedule. */
  standard: TaggingWorkflow;
  /** The Standard machine's ARN: its execution's id is known from it and the name. */
  standardArn: string;
  watches: Pick<RunWatchTable, 'extend'>;
  claims: Pick<ExtensionClaims, 'handOver'>;
  now?: () => Date;
}

/**
 * Hands one extension's remaining work from the run's Express execution to the Standard machine. A tagging
 * continuation first moves the run's watch to the Standard run's deadline, so that the reconciler does not
 * take a run as lost while its continuation is under way; a webhook needs no move (the reconciler reads its
 * delivery's attempts), and hands the extension's claim to the Standard execution. Started by name: a duplicate Express execution continues nothing twice.
 */
export async function continueOnStandard(continuation: Continuation, deps: ContinuationDeps): Promise<{ continuedAs: string }> {
  const run = continuedRun(continuation);
  const now = (deps.now ?? (() => new Date()))();
  if ('tagging' in continuation) {
    await deps.watches.extend(run.runId, new Date(now.getTime() + RUN_DEADLINE_SECONDS * 1000).toISOString());
    // The Express execution holds the extension's claim (for 5 minutes after its last attempt): without
    // the hand-over, the continuation's tagger would find it held and end as a duplicate.
    await deps.claims.handOver(run.runId, run.extension, standardExecutionArn(deps.standardArn, run.name), now);
  }
  await deps.standard.start(run.input, run.name);
  logger.info('Run continued on the Standard state machine', {
    continuedAs: run.name,
    reason: 'tagging' in continuation ? 'still throttled, or waiting in line at the pacer' : 'webhook attempt failed',
  });
  return { continuedAs: run.name };
}
