import type { ExtensionClaims } from '../adapters/extension-claims.js';
import type { FileTable } from '../adapters/file-table.js';
import type { RunWatchTable } from '../adapters/run-watches.js';
import type { TaggingWorkflow } from '../adapters/tagging-workflow.js';
import type { WebhookDeliveries } from '../adapters/webhook-deliveries.js';
import type { ExtensionName } from '../core/extension-names.js';
import type { FileRecord } from '../core/file-record.js';
import { EXPRESS_RUN_DEADLINE_SECONDS, type OwedWebhook, type RunWatch, watchStep, webhookResumeName, webhookSteps } from '../core/run-watches.js';
import { WORKFLOW_LOST_FAILURE } from '../core/tagging-run.js';
import { logger } from '../runtime/logger.js';
import { METRIC, recordMetric } from '../runtime/metrics.js';

export interface ReconcileDeps {
  watches: Pick<RunWatchTable, 'due' | 'advance' | 'postpone' | 'forget'>;
  files: Pick<FileTable, 'get' | 'recordOutcome' | 'settleWebhook'>;
  deliveries: Pick<WebhookDeliveries, 'get' | 'giveUp' | 'lapseClaim'>;
  /** The Express machine: runs started again, or as lost. */
  workflow: TaggingWorkflow;
  /** The Standard machine: webhooks resumed on their retry schedule (waits of up to 10 hours). */
  standard: TaggingWorkflow;
  /** The lost run's claims lapse before it is started again, so that its new execution may take them at once. */
  claims: Pick<ExtensionClaims, 'lapse'>;
  now?: () => Date;
}

export interface Reconciled {
  forgotten: number;
  rerun: number;
  lost: number;
  failed: number;
  /** Webhook events resumed, and given up, after the execution that owed them was lost. */
  webhooksResumed: number;
  webhooksGivenUp: number;
}

/** Watches handled per call: a backlog is taken over the next calls (every 10 minutes). */
const WATCHES_PER_CALL = 500;

/**
 * Takes over runs whose workflow was lost: each watch past its deadline (all of them when `everyWatch`: a
 * local start, whose predecessor's executions died with it) with an extension of its run still pending is
 * started again once with the same run id (so its webhooks keep their ids), then, if lost again, started
 * as lost (each extension recorded failed, WORKFLOW_LOST, and its webhook sent), and if even that is lost,
 * recorded failed here. A run with nothing pending that still owes webhooks stays watched until they are
 * delivered: one whose execution was lost between attempts is resumed (webhookSteps). Idempotent: a watch
 * moves on only by a conditional write, and executions are named.
 */
export async function reconcileRuns(deps: ReconcileDeps, everyWatch = false): Promise<Reconciled> {
  const now = (deps.now ?? (() => new Date()))();
  const before = everyWatch ? '~' : now.toISOString();
  const done: Reconciled = { forgotten: 0, rerun: 0, lost: 0, failed: 0, webhooksResumed: 0, webhooksGivenUp: 0 };
  for (const watch of await deps.watches.due(before, WATCHES_PER_CALL)) {
    const record = await deps.files.get(watch.fileId);
    const step = watchStep(record, watch);
    const deadline = new Date(now.getTime() + EXPRESS_RUN_DEADLINE_SECONDS * 1000).toISOString();
    switch (step.action) {
      case 'forget':
        await deps.watches.forget(watch.runId);
        done.forgotten++;
        break;
      case 'webhooks':
        if (record) await settleWebhooks(deps, watch, record, step.owed, now, everyWatch, done);
        break;
      case 'rerun':
        if (await deps.watches.advance(watch, 2, deadline)) {
          logger.warn('Tagging run lost: started again', { fileId: watch.fileId, runId: watch.runId, extensions: step.names });
          await lapseClaims(deps, watch.runId, step.names);
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
          await lapseClaims(deps, watch.runId, step.names);
          await deps.workflow.start(lostInput(watch, step.names), `${watch.runId}-lost`);
          done.lost++;
        }
        break;
      case 'fail': {
        for (const name of step.names)
          await deps.files.recordOutcome(watch.fileId, watch.runId, name, { status: 'failed', error: { ...WORKFLOW_LOST_FAILURE } });
        done.failed++;
        // No execution is left to send the webhooks they owe: they are resumed from here.
        const failed = await deps.files.get(watch.fileId);
        const after = watchStep(failed, watch);
        if (failed && after.action === 'webhooks') await settleWebhooks(deps, watch, failed, after.owed, now, everyWatch, done);
        else await deps.watches.forget(watch.runId);
        break;
      }
    }
  }
  if (done.rerun + done.lost + done.failed + done.webhooksResumed + done.webhooksGivenUp) logger.info('Lost tagging runs taken over', { ...done });
  return done;
}

/**
 * The webhooks a run with nothing pending still owes: resumed when the execution owing them was lost
 * (starting the run's workflow with each one's next attempt), given up when lost again at the same
 * attempt, watched until due otherwise; the watch ends once nothing is owed.
 */
async function settleWebhooks(
  deps: ReconcileDeps,
  watch: RunWatch,
  record: FileRecord,
  owed: OwedWebhook[],
  now: Date,
  everyWatch: boolean,
  done: Reconciled,
): Promise<void> {
  const deliveries = Object.fromEntries(await Promise.all(owed.map(async ({ eventId }) => [eventId, await deps.deliveries.get(eventId)] as const)));
  const plan = webhookSteps(record, watch, owed, deliveries, now, everyWatch);
  // Moved on first, conditionally: of two reconcilers that read this watch, one resumes.
  if (plan.deadline && !(await deps.watches.postpone(watch, plan.deadline, plan.resumedWebhooks))) return;
  if (plan.resume.length) {
    const resumed = new Map(plan.resume.map((task) => [task.name, task]));
    logger.warn('Webhook delivery lost with its execution: resumed', {
      fileId: watch.fileId,
      runId: watch.runId,
      webhooks: plan.resume.map(({ name, webhook }) => ({ extension: name, webhookId: webhook.eventId, attempt: webhook.attempt })),
    });
    // An attempt claimed by a lost execution that never recorded it is the resume's to make, now.
    for (const { webhook } of plan.resume) await deps.deliveries.lapseClaim(webhook.eventId);
    await deps.standard.start(
      {
        ...watch.input,
        extensions: watch.input.extensions.flatMap((extension) => {
          const resume = resumed.get(extension.name);
          return resume ? [{ ...extension, resume }] : [];
        }),
        lost: false,
      },
      webhookResumeName(watch.runId, plan.resume),
    );
    done.webhooksResumed += plan.resume.length;
  }
  for (const webhook of plan.giveUp) {
    const { eventId, name, url, attempts } = webhook;
    if (await deps.deliveries.giveUp(eventId, { fileId: watch.fileId, service: name, url }, WORKFLOW_LOST_FAILURE.reason, now)) {
      logger.error('Webhook given up: the executions delivering it were lost, and lost again when it was resumed', {
        fileId: watch.fileId,
        runId: watch.runId,
        extension: name,
        webhookId: eventId,
        attempts,
      });
      recordMetric(METRIC.webhookFinalFailures, 1);
      done.webhooksGivenUp++;
    }
    await deps.files.settleWebhook(watch.fileId, eventId);
  }
  for (const { eventId } of plan.settle) await deps.files.settleWebhook(watch.fileId, eventId);
  if (!plan.deadline) {
    await deps.watches.forget(watch.runId);
    done.forgotten++;
  }
}

/**
 * The run's executions are lost (past its deadline, or a local start): whatever claims they left may be
 * taken by the run's next execution at once, rather than after EXTENSION_CLAIM_SECONDS — at a local start
 * the claims of the executions that died with the process before are still standing.
 */
async function lapseClaims(deps: ReconcileDeps, runId: string, names: readonly ExtensionName[]): Promise<void> {
  for (const name of names) await deps.claims.lapse(runId, name);
}

/** The run's input for an execution that only records its pending extensions as lost (and sends their webhooks). */
const lostInput = (watch: RunWatch, names: readonly string[]) => ({
  paced: false,
  ...watch.input,
  extensions: watch.input.extensions.filter((extension) => names.includes(extension.name)),
  lost: true,
});
