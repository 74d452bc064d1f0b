import { randomBytes } from 'node:crypto';
import type { JobTable, StoredJob } from '../adapters/job-table.js';
import type { JobWorkflow } from '../adapters/job-workflow.js';
import { ApiError } from '../core/errors.js';
import {
  estimateProviderCost,
  FINAL_JOB_STATUSES,
  JOB_ID,
  jobAlreadyEnded,
  jobNotFound,
  MAX_JOB_FILES,
  newJob,
  type ProviderPrices,
  selectionQuery,
  type TaggingJob,
  type ResolvedJobRequest,
} from '../core/tagging-job.js';
import { logger } from '../runtime/logger.js';
import { type FileSearch, SelectionTooLarge } from './file-search.js';

export interface TaggingJobsDeps {
  jobs: JobTable;
  workflow: JobWorkflow;
  search: Pick<FileSearch, 'selectIds'>;
  prices: ProviderPrices;
  /** Files a dry run may check within the request (AITAGS_SEARCH_SCAN_LIMIT); past it the count becomes a job that ends `planned`. */
  countBudget: number;
  now?: () => Date;
}

/** Jobs listed by GET /v1/tagging-jobs: the newest this many. */
export const LISTED_JOBS = 100;

export const newJobId = () => `job_${randomBytes(12).toString('hex')}`;

/** The API side of tagging jobs: create (or estimate), read, list, cancel. Planning and tagging run in the job's execution. */
export class TaggingJobs {
  private readonly now: () => Date;

  constructor(private readonly deps: TaggingJobsDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /** A dry run counted within the request answers its estimate; anything else becomes a job, planned in the background. */
  async create(request: ResolvedJobRequest): Promise<{ estimate: { total: number; estimatedProviderCostUsd: number } } | { job: TaggingJob }> {
    if (request.dryRun) {
      try {
        const { fileIds, reads } = await this.deps.search.selectIds(
          selectionQuery(request),
          request.maxFiles ?? MAX_JOB_FILES,
          this.deps.countBudget,
        );
        const total = fileIds.length;
        logger.info('Tagging job estimated', { total, indexItemsRead: reads.indexItems, recordsRead: reads.records });
        return {
          estimate: { total, estimatedProviderCostUsd: estimateProviderCost(total, request.extensions, this.deps.prices, request.reapplyPolicy) },
        };
      } catch (error) {
        if (!(error instanceof SelectionTooLarge)) throw error;
        logger.info('Selection too large to count in the request: planning it as a job', { budget: error.budget });
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
