import { randomBytes } from 'node:crypto';
import type { JobTable, StoredJob } from '../adapters/job-table.js';
import type { JobWorkflow } from '../adapters/job-workflow.js';
import { ApiError } from '../core/errors.js';
import type { ExtensionName } from '../core/extension-names.js';
import { budgetsExceeded, jobOverBudget, remainingBudgetUsd } from '../core/job-budget.js';
import {
  estimateProviderCost,
  FINAL_JOB_STATUSES,
  JOB_ID,
  jobAlreadyEnded,
  jobNotFound,
  MAX_JOB_FILES,
  newJob,
  selectionQuery,
  type TaggingJob,
  type ResolvedJobRequest,
} from '../core/tagging-job.js';
import { logger } from '../runtime/logger.js';
import { type FileSearch, SelectionTooLarge } from './file-search.js';
import { budgetRooms, type JobBudgetDeps } from './job-budgets.js';

/** `prices` for the estimates; the budgets' caps and ledger for what remains of them. */
export interface TaggingJobsDeps extends JobBudgetDeps {
  jobs: JobTable;
  workflow: JobWorkflow;
  search: Pick<FileSearch, 'selectIds'>;
  /** Files a dry run may check within the request (AITAGS_SEARCH_SCAN_LIMIT); past it the count becomes a job that ends `planned`. */
  countBudget: number;
  now?: () => Date;
}

/** Jobs listed by GET /v1/tagging-jobs: the newest this many. */
export const LISTED_JOBS = 100;

export const newJobId = () => `job_${randomBytes(12).toString('hex')}`;

export interface JobEstimate {
  total: number;
  estimatedProviderCostUsd: number;
  /** What remains this month of each budgeted extension the job calls; absent when no budget caps them. */
  remainingBudgetUsd?: Partial<Record<ExtensionName, number>>;
}

/** The API side of tagging jobs: create (or estimate), read, list, cancel. Planning and tagging run in the job's execution. */
export class TaggingJobs {
  private readonly now: () => Date;

  constructor(private readonly deps: TaggingJobsDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /**
   * A dry run counted within the request answers its estimate. A job that a budget caps is counted within
   * the request too, so that one over what remains of a budget is refused (400) before it starts; anything
   * else becomes a job, planned in the background (where the planner checks the budgets again).
   */
  async create(request: ResolvedJobRequest): Promise<{ estimate: JobEstimate } | { job: TaggingJob }> {
    const at = this.now();
    const rooms = await budgetRooms(request, this.deps, at);
    if (request.dryRun || rooms.length) {
      const total = await this.countWithinRequest(request);
      if (total !== undefined) {
        const estimate = {
          total,
          estimatedProviderCostUsd: estimateProviderCost(total, request.extensions, this.deps.prices, request.reapplyPolicy),
        };
        if (request.dryRun) return { estimate: { ...estimate, ...(rooms.length && { remainingBudgetUsd: remainingBudgetUsd(rooms) }) } };
        const exceeded = budgetsExceeded(total, rooms);
        if (exceeded.length) {
          logger.info('Tagging job over its budget: refused', { total, extensions: exceeded.map((room) => room.name) });
          throw jobOverBudget(estimate, rooms, exceeded, at);
        }
      }
    }
    const job: StoredJob = newJob(newJobId(), request, this.now().toISOString());
    await this.deps.jobs.create(job);
    try {
      const executionArn = await this.deps.workflow.start(job.jobId, { jobId: job.jobId });
      await this.deps.jobs.update(job.jobId, ['planning', 'planned', 'running'], { executionArn });
    } catch (error) {
      logger.error('Could not start the tagging job', { jobId: job.jobId, error: error as Error });
      const failed = {
        status: 'failed' as const,
        finishedAt: this.now().toISOString(),
        error: { message: 'Could not start the job', reason: 'WORKFLOW_UNAVAILABLE' },
      };
      await this.deps.jobs.update(job.jobId, ['planning'], failed);
      throw new ApiError(503, 'The tagging job could not be started', 'Nothing was tagged; send the request again in a moment.');
    }
    logger.info('Tagging job created', { jobId: job.jobId, dryRun: job.dryRun });
    return { job };
  }

  /** The files the request selects, when they can be counted within the request (AITAGS_SEARCH_SCAN_LIMIT); undefined past it. */
  private async countWithinRequest(request: ResolvedJobRequest): Promise<number | undefined> {
    try {
      const { fileIds, reads } = await this.deps.search.selectIds(selectionQuery(request), request.maxFiles ?? MAX_JOB_FILES, this.deps.countBudget);
      logger.info('Tagging job counted', {
        total: fileIds.length,
        dryRun: request.dryRun,
        indexItemsRead: reads.indexItems,
        recordsRead: reads.records,
      });
      return fileIds.length;
    } catch (error) {
      if (!(error instanceof SelectionTooLarge)) throw error;
      logger.info('Selection too large to count in the request: planning it as a job', { budget: error.budget });
      return undefined;
    }
  }

  async get(jobId: string): Promise<StoredJob> {
    const job = JOB_ID.test(jobId) ? await this.deps.jobs.get(jobId) : undefined;
    if (!job) throw jobNotFound(jobId);
    return job;
  }

  list(): Promise<StoredJob[]> {
    return this.deps.jobs.list(LISTED_JOBS);
  }

  /**
   * Stops the job's execution; files already tagged keep their tags. The job ended here, so its webhook
   * goes out from a short execution of its own (the stopped one runs nothing more).
   */
  async cancel(jobId: string): Promise<StoredJob> {
    const job = await this.get(jobId);
    if (FINAL_JOB_STATUSES.has(job.status)) throw jobAlreadyEnded(job);
    // A running job comes with its counts summed from its progress items: they are kept as they stand.
    const { done, succeeded, failed, skipped } = job;
    const cancelled = await this.deps.jobs.update(jobId, ['planning', 'running'], {
      status: 'cancelled',
      finishedAt: this.now().toISOString(),
      done,
      succeeded,
      failed,
      skipped,
    });
    if (!cancelled) throw jobAlreadyEnded(await this.get(jobId));
    if (cancelled.executionArn) await this.deps.workflow.stop(cancelled.executionArn, 'Cancelled by DELETE /v1/tagging-jobs/:jobId');
    if (cancelled.webhookUrl) await this.deps.workflow.start(`${jobId}-ended`, { jobId, ended: true });
    logger.info('Tagging job cancelled', { jobId, done: cancelled.done, total: cancelled.total });
    return cancelled;
  }
}
