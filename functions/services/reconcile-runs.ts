import type { FileTable } from '../adapters/file-table.js';
import type { RunWatchTable } from '../adapters/run-watches.js';
import type { TaggingWorkflow } from '../adapters/tagging-workflow.js';
import { RUN_DEADLINE_SECONDS, type RunWatch, watchStep } from '../core/run-watches.js';
import { WORKFLOW_LOST_FAILURE } from '../core/tagging-run.js';
import { logger } from '../runtime/logger.js';

export interface ReconcileDeps {
  watches: Pick<RunWatchTable, 'due' | 'advance' | 'forget'>;
  files: Pick<FileTable, 'get' | 'recordOutcome'>;
  workflow: TaggingWorkflow;
  now?: () => Date;
}

export interface Reconciled {
  forgotten: number;
  rerun: number;
  lost: number;
  failed: number;
}

/** Watches handled per call: a backlog is taken over the next calls (every 10 minutes). */
const WATCHES_PER_CALL = 500;

/**
 * Takes over runs whose workflow was lost: each watch past its deadline (all of them when `everyWatch`: a
 * local start, whose predecessor's executions died with it) with an extension of its run still pending is
 * started again once with the same run id (so its webhooks keep their ids), then, if lost again, started
 * as lost (each extension recorded failed, WORKFLOW_LOST, and its webhook sent), and if even that is lost,
 * recorded failed here. Idempotent: a watch moves on only by a conditional write, and executions are named.
 */
export async function reconcileRuns(deps: ReconcileDeps, everyWatch = false): Promise<Reconciled> {
  const now = (deps.now ?? (() => new Date()))();
  const before = everyWatch ? '~' : now.toISOString();
  const done: Reconciled = { forgotten: 0, rerun: 0, lost: 0, failed: 0 };
  for (const watch of await deps.watches.due(before, WATCHES_PER_CALL)) {
    const step = watchStep(await deps.files.get(watch.fileId), watch);
    const deadline = new Date(now.getTime() + RUN_DEADLINE_SECONDS * 1000).toISOString();
    switch (step.action) {
      case 'forget':
        await deps.watches.forget(watch.runId);
        done.forgotten++;
        break;
      case 'rerun':
        if (await deps.watches.advance(watch, 2, deadline)) {
          logger.warn('Tagging run lost: started again', { fileId: watch.fileId, runId: watch.runId, extensions: step.names });
          await deps.workflow.start({ paced: false, ...watch.input, lost: false }, `${watch.runId}-again`);
          done.rerun++;
        }
        break;
      case 'lose':
        if (await deps.watches.advance(watch, 3, deadline)) {
          logger.error('Tagging run lost twice: its extensions are recorded failed', {
            fileId: watch.fileId,
            runId: watch.runId,
            extensions: step.names,
          });
          await deps.workflow.start(lostInput(watch, step.names), `${watch.runId}-lost`);
          done.lost++;
        }
        break;
      case 'fail':
        for (const name of step.names)
          await deps.files.recordOutcome(watch.fileId, watch.runId, name, { status: 'failed', error: { ...WORKFLOW_LOST_FAILURE } });
        await deps.watches.forget(watch.runId);
        done.failed++;
        break;
    }
  }
  if (done.rerun + done.lost + done.failed) logger.info('Lost tagging runs taken over', { ...done });
  return done;
}

/** The run's input for an execution that only records its pending extensions as lost (and sends their webhooks). */
const lostInput = (watch: RunWatch, names: readonly string[]) => ({
  paced: false,
  ...watch.input,
  extensions: watch.input.extensions.filter((extension) => names.includes(extension.name)),
  lost: true,
});
