import type { FileStore } from '../adapters/file-store.js';
import type { FileTable } from '../adapters/file-table.js';
import type { JobTable, JobTally } from '../adapters/job-table.js';
import type { Pacer } from '../adapters/pacer.js';
import type { RunWatchTable } from '../adapters/run-watches.js';
import type { TagPolicies } from '../adapters/tag-policies.js';
import type { WebhookSender } from '../adapters/webhook-sender.js';
import { ApiError, WriteConflict } from '../core/errors.js';
import type { JobFileCount, JobFileTask, JobPlan, JobStep } from '../core/job-steps.js';
import { manifestKey } from '../core/job-steps.js';
import {
  budgetRefusals,
  budgetStop,
  budgetsExceeded,
  budgetsSpent,
  jobFileOutcome,
  jobOverBudgetMessage,
  remainingBudgetUsd,
} from '../core/job-budget.js';
import type { ExtensionName } from '../core/extension-names.js';
import {
  estimateProviderCost,
  fileDecision,
  jobEnding,
  jobMaxConcurrency,
  jobRate,
  jobRunId,
  jobWebhookBody,
  jobWebhookEventId,
  lambdasPerFile,
  MAX_JOB_FILES,
  type ProviderQuotas,
  selectionQuery,
} from '../core/tagging-job.js';
import { backgroundRate, jobFileWaitUntil } from '../core/pacer.js';
import { firstWatch, JOB_FILE_DEADLINE_SECONDS } from '../core/run-watches.js';
import { needsProviderCall } from '../core/tagging-run.js';
import { EMPTY_TAG_POLICY, reappliedAITags } from '../core/tag-policy.js';
import { logger } from '../runtime/logger.js';
import { METRIC, recordMetric } from '../runtime/metrics.js';
import type { FileSearch } from './file-search.js';
import { budgetRooms, type JobBudgetDeps } from './job-budgets.js';
import { backOff, MAX_ATTEMPTS, modifyRecord } from './record-updates.js';

/** `prices` for the estimate; the budgets' caps and ledger for what remains of them. */
export interface PlanDeps extends JobBudgetDeps {
  jobs: JobTable;
  store: FileStore;
  bucket: string;
  search: Pick<FileSearch, 'selectIds'>;
  quotas: ProviderQuotas;
  /** The most Lambda functions the job may run at once (AITAGS_MAX_JOB_CONCURRENCY); unset, no cap. */
  maxJobConcurrency?: number;
  now?: () => Date;
}

/** A selection larger than a job may take without maxFiles: the job fails with this, nothing tagged. */
export class SelectionOverLimit extends Error {
  constructor() {
    super(`The selection holds more than ${MAX_JOB_FILES} files: narrow it by path or createdAt, or set maxFiles`);
    this.name = 'SelectionOverLimit';
  }
}

/** A job whose files would cost more than what remains of a budget: the job fails with this, nothing tagged. */
export class BudgetExceeded extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BudgetExceeded';
  }
}

/** The receiver did not take the job's webhook: thrown so that the state machine's Retry tries again later. */
export class JobWebhookNotDelivered extends Error {
  constructor(detail: string) {
    super(`The job webhook was not delivered: ${detail}`);
    this.name = 'JobWebhookNotDelivered';
  }
}

/** The steps of a tagging job's execution (infra/tagging-jobs.ts): plan, each file's start and count, finish, webhook. */

/** Selects the files (ASC_CREATED, at most maxFiles), writes the manifest, and sets the job running with its total. */
export async function planJob({ jobId }: JobStep, deps: PlanDeps): Promise<JobPlan> {
  const job = await deps.jobs.get(jobId);
  if (job?.status !== 'planning') return { jobId, tag: false };
  // More matches than maxFiles: the first maxFiles. Without maxFiles, more than a job may take ends the job instead.
  const { fileIds, reads } = await deps.search.selectIds(selectionQuery(job), job.maxFiles ?? MAX_JOB_FILES + 1, Number.POSITIVE_INFINITY);
  if (fileIds.length > MAX_JOB_FILES) {
    // Not thrown: a Retry would plan it all again. Finish fails the job with this reason.
    const { name, message } = new SelectionOverLimit();
    return { jobId, tag: false, error: { Error: name, Cause: message } };
  }
  const total = fileIds.length;
  const estimatedProviderCostUsd = estimateProviderCost(total, job.extensions, deps.prices, job.reapplyPolicy);
  logger.info('Tagging job planned', { jobId, total, indexItemsRead: reads.indexItems, recordsRead: reads.records });
  const at = (deps.now ?? now)();
  const rooms = await budgetRooms(job, deps, at);
  if (job.dryRun || total === 0) {
    await deps.jobs.update(jobId, ['planning'], {
      total,
      estimatedProviderCostUsd,
      ...(job.dryRun && rooms.length && { remainingBudgetUsd: remainingBudgetUsd(rooms) }),
    });
    return { jobId, tag: false };
  }
  const exceeded = budgetsExceeded(total, rooms);
  if (exceeded.length) {
    logger.info('Tagging job over its budget: not started', { jobId, total, extensions: exceeded.map((room) => room.name) });
    const { name, message } = new BudgetExceeded(jobOverBudgetMessage(total, exceeded, at));
    return { jobId, tag: false, error: { Error: name, Cause: message } };
  }
  const key = manifestKey(jobId);
  const manifest = `[${fileIds.map((fileId) => JSON.stringify({ fileId })).join(',\n')}]\n`;
  await deps.store.put(key, new TextEncoder().encode(manifest), 'application/json');
  const startedAtMs = (deps.now ?? now)().getTime();
  const rate = jobRate(job.extensions, deps.quotas, job.reapplyPolicy);
  const running = await deps.jobs.update(jobId, ['planning'], {
    status: 'running',
    total,
    estimatedProviderCostUsd,
    manifestKey: key,
    startedAtMs,
    rate,
  });
  if (!running) return { jobId, tag: false };
  return {
    jobId,
    tag: true,
    manifest: { bucket: deps.bucket, key },
    extensions: job.extensions,
    removeAITags: job.removeAITags,
    reapplyPolicy: job.reapplyPolicy ?? false,
    startedAtMs,
    rate,
    maxConcurrency: jobMaxConcurrency(
      rate,
      deps.maxJobConcurrency === undefined
        ? undefined
        : { maxJobConcurrency: deps.maxJobConcurrency, lambdasPerFile: lambdasPerFile(job.extensions, job.reapplyPolicy) },
    ),
  };
}

/**
 * Starts the job's run on one file, unless it is gone or a caller's run is still pending on it (a job
 * never supersedes one): the run starts only on the version checked. Answers when the file may call
 * its providers, so that the job keeps to its rate.
 */
export async function startJobFile(
  task: JobFileTask,
  deps: JobBudgetDeps & {
    files: FileTable;
    watches: Pick<RunWatchTable, 'watch'>;
    policies: Pick<TagPolicies, 'currentVersionId' | 'version'>;
    pacer: Pick<Pacer, 'take'>;
    quotas: ProviderQuotas;
    now?: () => Date;
  },
): Promise<
  JobFileTask & { runId: string; policyVersion: string; skip?: string; notBefore?: string; reapplied?: boolean; spentBudgets?: ExtensionName[] }
> {
  const runId = jobRunId(task.jobId, task.index);
  if (task.reapplyPolicy) return reapplyPolicy(task, runId, deps);
  const names = task.extensions.map((extension) => extension.name);
  // Read once, before the file's run would start: a run already started (a retried step) is not stopped.
  let spent: Promise<ExtensionName[]> | undefined;
  const spentBudgets = () => (spent ??= budgetRooms(task, deps, (deps.now ?? now)()).then(budgetsSpent));
  // The policy current when the file's run starts is the run's: read once, for its watch and its taggers
  // (a retried step may read a newer one), and not at all for a file skipped.
  let current: Promise<string> | undefined;
  const policyVersion = () => (current ??= deps.policies.currentVersionId());
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    let record = await deps.files.get(task.fileId);
    const decision = fileDecision(record, runId);
    if (decision.action === 'skip') {
      logger.info('File skipped by the tagging job', { jobId: task.jobId, fileId: task.fileId, reason: decision.reason });
      return { ...task, runId, policyVersion: '', skip: decision.reason };
    }
    if (decision.action === 'start' && record) {
      // A budget of the job's spent: the job stops here, leaving this file and the ones after it untagged.
      const budgets = await spentBudgets();
      if (budgets.length) {
        logger.info('File skipped by the tagging job', { jobId: task.jobId, fileId: task.fileId, reason: 'budget-spent', extensions: budgets });
        return { ...task, runId, policyVersion: '', skip: 'budget-spent', spentBudgets: budgets };
      }
      try {
        // Watched before it starts: a child that AWS stops leaves its run to the reconciler.
        const input = {
          fileId: task.fileId,
          runId,
          extensions: task.extensions,
          syncDeadline: 0,
          policyVersion: await policyVersion(),
          lost: false,
          paced: false,
        };
        await deps.watches.watch(firstWatch(input, JOB_FILE_DEADLINE_SECONDS, (deps.now ?? now)()));
        if (task.removeAITags && Object.keys(record.aiTags).length) {
          record = await deps.files.replace({ ...record, aiTags: {}, updatedAt: (deps.now ?? now)().toISOString() }, record);
        }
        await deps.files.startRun(task.fileId, runId, names, record.version);
      } catch (error) {
        if (!(error instanceof WriteConflict)) throw error;
        await backOff(attempt);
        continue;
      }
    }
    // Its turn at each provider's background pacer, shared with the other jobs and ingest/ (a retried step
    // books again: that only spaces the files a little more). Skipped files take none.
    const nowMs = (deps.now ?? now)().getTime();
    const turns = await Promise.all(
      task.extensions.filter(needsProviderCall).map(async ({ name }) => {
        const turn = await deps.pacer.take(name, backgroundRate(name, deps.quotas), nowMs);
        return 'at' in turn ? turn.at : nowMs;
      }),
    );
    const notBefore = new Date(jobFileWaitUntil(turns, nowMs)).toISOString();
    return { ...task, runId, policyVersion: await policyVersion(), notBefore };
  }
  // The file keeps changing under the job: someone is working on it, so the job leaves it.
  return { ...task, runId, policyVersion: '', skip: 'busy' };
}

/**
 * A reapplyPolicy job's file: the current tag policy and the file's rejected names re-decide the stored AI
 * tags of the job's extensions (synonyms rename, newly excluded or rejected names go; nothing new comes,
 * no provider is called). Written on the version read; a file a caller's run is pending on is skipped.
 */
async function reapplyPolicy(
  task: JobFileTask,
  runId: string,
  deps: { files: FileTable; policies: Pick<TagPolicies, 'currentVersionId' | 'version'>; now?: () => Date },
): Promise<JobFileTask & { runId: string; policyVersion: string; skip?: string; reapplied?: boolean }> {
  const policyVersion = await deps.policies.currentVersionId();
  // A saved extension with a policy of its own re-applies that one; the others the library's current one.
  const runs = await Promise.all(
    task.extensions.map(async (extension) => {
      const version = extension.policyVersion ?? policyVersion;
      return { extension, policy: version ? await deps.policies.version(version) : EMPTY_TAG_POLICY };
    }),
  );
  let skip: string | undefined;
  try {
    const record = await modifyRecord(
      deps.files,
      task.fileId,
      (current, at) => {
        const decision = fileDecision(current, runId);
        skip = decision.action === 'skip' ? decision.reason : undefined;
        if (skip) return undefined;
        const aiTags = reappliedAITags(current.aiTags, runs, current.rejectedAITags ?? []);
        return JSON.stringify(aiTags) === JSON.stringify(current.aiTags) ? undefined : { ...current, aiTags, updatedAt: at };
      },
      deps.now,
    );
    if (!record) skip = 'deleted';
  } catch (error) {
    // The file keeps changing under the job (modifyRecord's attempts spent): someone is working on it.
    if (!(error instanceof ApiError && error.status === 429)) throw error;
    skip = 'busy';
  }
  if (skip) {
    logger.info('File skipped by the tagging job', { jobId: task.jobId, fileId: task.fileId, reason: skip });
    return { ...task, runId, policyVersion, skip };
  }
  return { ...task, runId, policyVersion, reapplied: true };
}

/**
 * Counts one file once, however often this step is retried. A file left untagged for a budget — not
 * started (`budget-spent`), or refused by its budget in flight — is skipped, and counted as such.
 */
export async function countJobFile(task: JobFileCount, jobs: JobTable): Promise<{ jobId: string; index: number; outcome: string; counted: boolean }> {
  const outcome = task.skip ? 'skipped' : task.reapplied ? 'succeeded' : jobFileOutcome(task.outcomes ?? []);
  const budgets =
    task.skip === 'budget-spent' ? (task.spentBudgets ?? []) : !task.skip && outcome === 'skipped' ? budgetRefusals(task.outcomes ?? []) : [];
  const counted = await jobs.countFile(task.jobId, task.index, outcome, budgets);
  return { jobId: task.jobId, index: task.index, outcome, counted };
}

/**
 * Ends the job: `planned` (a dry run), `failed` (a step failed past its retries, or every file tagged
 * failed) or `succeeded`. A job cancelled meanwhile stays cancelled, and its webhook is not this step's.
 */
export async function finishJob({ jobId, error }: JobStep, deps: { jobs: JobTable; now?: () => Date }): Promise<{ jobId: string; webhook: boolean }> {
  const job = await deps.jobs.get(jobId);
  if (!job || (job.status !== 'planning' && job.status !== 'running')) return { jobId, webhook: false };
  // Its final counts come from the progress items themselves, not from the summaries a roll-up may lag.
  const counts: JobTally = job.status === 'running' && job.total !== null ? await deps.jobs.exactCounts(jobId, job.total) : job;
  const ending = jobEnding(job, counts, error);
  const at = (deps.now ?? now)();
  const ended = await deps.jobs.update(jobId, ['planning', 'running'], {
    status: ending.status,
    finishedAt: at.toISOString(),
    ...ending.counts,
    ...(ending.error && { error: ending.error }),
    ...(counts.budgetSkipped && { stoppedBy: budgetStop(counts.budgetSkipped.files, counts.budgetSkipped.extensions, at) }),
  });
  logger.info('Tagging job ended', { jobId, status: ending.status, ...ending.counts, stepError: error });
  return { jobId, webhook: Boolean(ended?.webhookUrl) };
}

/**
 * One attempt at the job's `tagging-job.completed` webhook; a refused target is given up at once. Handed
 * `webhookError` (the state machine's Catch, once the attempts are spent), it sends nothing and counts the
 * webhook given up instead: JobWebhookFinalFailures, which an alarm watches, as for a refused target.
 */
export async function deliverJobWebhook(
  { jobId, webhookError }: JobStep,
  deps: { jobs: JobTable; sender: WebhookSender },
): Promise<{ jobId: string; delivered: boolean }> {
  if (webhookError) {
    recordMetric(METRIC.jobWebhookFinalFailures, 1);
    logger.error('Job webhook given up after the last attempt', { jobId, error: webhookError });
    return { jobId, delivered: false };
  }
  const job = await deps.jobs.get(jobId);
  if (!job?.webhookUrl) return { jobId, delivered: false };
  const result = await deps.sender.send(job.webhookUrl, jobWebhookEventId(jobId), jobWebhookBody(job));
  logger.info('Job webhook attempt', { jobId, delivered: result.delivered, status: result.status, error: result.error });
  if (result.refused) {
    recordMetric(METRIC.jobWebhookFinalFailures, 1);
    logger.error('Job webhook target refused: not sent', { jobId, error: result.error });
  }
  if (result.delivered || result.refused) return { jobId, delivered: result.delivered };
  throw new JobWebhookNotDelivered(result.error ?? `the receiver answered ${result.status}`);
}

const now = () => new Date();
