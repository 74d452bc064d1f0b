import * as z from 'zod/mini';
import { ApiError } from './errors.js';
import { type RequestedExtension, type RunExtension, extensionsSchema } from './extensions.js';
import { EXTENSION_NAMES, type ExtensionName } from './extension-names.js';
import { webhookUrlSchema } from './field-schemas.js';
import type { FileRecord } from './file-record.js';
import { jsonBodyError } from './json-body.js';
import { backgroundRate } from './pacer.js';
import type { ProviderQuotas } from './provider-quotas.js';
import { andSearchQuery, fileTypeTerm, parseSearchQuery, pathTerm, type SearchQuery } from './search-query.js';

/** Tagging jobs (docs/api.md, "Tagging jobs"): re-tag a selection of the library in the background. */

export const JOB_STATUSES = ['planning', 'planned', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
/** A job in one of these has ended: its counts no longer change. */
export const FINAL_JOB_STATUSES: ReadonlySet<JobStatus> = new Set(['planned', 'succeeded', 'failed', 'cancelled']);

/** A job's largest selection: at the default Rekognition quota (4 files/s for jobs) a million files take 70 h, inside the execution's 7 days. */
export const MAX_JOB_FILES = 1_000_000;

const taggingJobRequestSchema = z.strictObject(
  {
    searchQuery: z.optional(z.string({ error: 'must be a string' })),
    path: z.optional(z.string({ error: 'must be a string' })),
    extensions: extensionsSchema.check(z.minLength(1, { error: 'must name at least one extension' })),
    removeAITags: z.optional(z.boolean({ error: 'must be true or false' })),
    reapplyPolicy: z.optional(z.boolean({ error: 'must be true or false' })),
    webhookUrl: z.optional(webhookUrlSchema),
    dryRun: z.optional(z.boolean({ error: 'must be true or false' })),
    maxFiles: z.optional(
      z
        .number({ error: 'must be a whole number' })
        .check(
          z.refine(Number.isInteger, { error: 'must be a whole number', abort: true }),
          z.minimum(1, { error: `must be from 1 to ${MAX_JOB_FILES}` }),
          z.maximum(MAX_JOB_FILES, { error: `must be from 1 to ${MAX_JOB_FILES}` }),
        ),
    ),
  },
  { error: 'must be a JSON object' },
);

export interface TaggingJobRequest {
  searchQuery?: string;
  path?: string;
  /** As sent: the handler resolves saved-extension references before the job is created. */
  extensions: RequestedExtension[];
  removeAITags: boolean;
  /** Applies the current tag policy and each file's rejections to the stored AI tags of `extensions`: no provider call. */
  reapplyPolicy: boolean;
  webhookUrl?: string;
  dryRun: boolean;
  maxFiles?: number;
}

/** A request whose saved-extension references are resolved: what a job is created from. */
export type ResolvedJobRequest = Omit<TaggingJobRequest, 'extensions'> & { extensions: RunExtension[] };

export const TAGGING_JOB_HELP =
  'POST /v1/tagging-jobs takes {"extensions": [...], "searchQuery"?, "path"?, "removeAITags"?, "reapplyPolicy"?, "maxFiles"?, "webhookUrl"?, "dryRun"?} (see docs/api.md, "Tagging jobs").';

/** A POST body (already JSON-parsed) → a checked request; its query and path are parsed here, so a bad one is a 400 before anything starts. */
export function parseTaggingJobRequest(body: unknown): TaggingJobRequest {
  const result = taggingJobRequestSchema.safeParse(body);
  if (!result.success) throw jsonBodyError(result.error, TAGGING_JOB_HELP);
  const { searchQuery, path, ...rest } = result.data;
  const request: TaggingJobRequest = {
    ...rest,
    removeAITags: rest.removeAITags ?? false,
    reapplyPolicy: rest.reapplyPolicy ?? false,
    dryRun: rest.dryRun ?? false,
    ...(searchQuery?.trim() && { searchQuery: searchQuery.trim() }),
    ...(path?.trim() && { path: path.trim() }),
  };
  selectionQuery(request);
  return request;
}

/** The files a job tags: images matching `searchQuery`, in `path` and below. */
export function selectionQuery(request: Pick<TaggingJobRequest, 'searchQuery' | 'path'>): SearchQuery {
  const query = andSearchQuery(
    request.searchQuery === undefined ? undefined : parseSearchQuery(request.searchQuery),
    request.path === undefined ? undefined : pathTerm(request.path, 'folder-and-below'),
    fileTypeTerm('image'),
  );
  if (!query) throw new Error('unreachable: the image term is always there');
  return query;
}

export interface JobCounts {
  done: number;
  succeeded: number;
  failed: number;
  skipped: number;
}
export const NO_COUNTS: JobCounts = { done: 0, succeeded: 0, failed: 0, skipped: 0 };

/** A job as stored and as answered. */
export interface TaggingJob extends JobCounts {
  jobId: string;
  status: JobStatus;
  /** Known once planning is done. */
  total: number | null;
  createdAt: string;
  finishedAt: string | null;
  estimatedProviderCostUsd: number | null;
  /** Resolved when the job was requested (saved extensions replaced by their configs). */
  extensions: RunExtension[];
  searchQuery?: string;
  path?: string;
  maxFiles?: number;
  removeAITags: boolean;
  /** Stored AI tags re-decided by the current policy, no provider called (absent on jobs from before it existed). */
  reapplyPolicy?: boolean;
  dryRun: boolean;
  webhookUrl?: string;
  /** Why a job failed (a message for people), when it did. */
  error?: { message: string; reason: string };
  /** A dry run's: what remained of each budgeted extension's monthly budget when it was counted. */
  remainingBudgetUsd?: Partial<Record<ExtensionName, number>>;
  /** Set when the job ended: it stopped tagging because a monthly budget was spent while it ran. */
  stoppedBy?: JobStoppedBy;
}

/** Why a job that did not fail left files untagged: a monthly budget spent while it ran (reason BUDGET_EXCEEDED). */
export interface JobStoppedBy {
  reason: string;
  message: string;
  /** Whose budgets were spent. */
  extensions: ExtensionName[];
  /** Files skipped for them (within `skipped`). */
  skipped: number;
}

/** The job as the API answers it: its own fields only (not how its execution runs), and not the caller's webhook URL. */
export function jobObject(job: TaggingJob): Omit<TaggingJob, 'webhookUrl'> {
  return {
    jobId: job.jobId,
    status: job.status,
    total: job.total,
    done: job.done,
    succeeded: job.succeeded,
    failed: job.failed,
    skipped: job.skipped,
    createdAt: job.createdAt,
    finishedAt: job.finishedAt,
    estimatedProviderCostUsd: job.estimatedProviderCostUsd,
    // A saved extension's policy version is how its runs find their policy, not part of the job's answer.
    extensions: job.extensions.map(({ name, minConfidence, maxTags }) => ({ name, minConfidence, maxTags })),
    ...(job.searchQuery !== undefined && { searchQuery: job.searchQuery }),
    ...(job.path !== undefined && { path: job.path }),
    ...(job.maxFiles !== undefined && { maxFiles: job.maxFiles }),
    removeAITags: job.removeAITags,
    reapplyPolicy: job.reapplyPolicy ?? false,
    dryRun: job.dryRun,
    ...(job.error && { error: job.error }),
    ...(job.remainingBudgetUsd && { remainingBudgetUsd: job.remainingBudgetUsd }),
    ...(job.stoppedBy && { stoppedBy: job.stoppedBy }),
  };
}

export const newJob = (jobId: string, request: ResolvedJobRequest, now: string): TaggingJob => ({
  jobId,
  status: 'planning',
  total: null,
  ...NO_COUNTS,
  createdAt: now,
  finishedAt: null,
  estimatedProviderCostUsd: null,
  ...request,
});

export const JOB_ID = /^job_[0-9a-f]{24}$/;

export const jobNotFound = (jobId: string) =>
  new ApiError(
    404,
    `No tagging job with jobId "${jobId}"`,
    'List the jobs with GET /v1/tagging-jobs; the jobId is the one POST /v1/tagging-jobs answered.',
  );

export const jobAlreadyEnded = (job: TaggingJob) =>
  new ApiError(409, `Tagging job ${job.jobId} has already ended (${job.status})`, 'Only a job that is planning or running can be cancelled.');

// ---- cost ---------------------------------------------------------------------------------------------

/** USD per 1,000 images, at the providers' list prices (first pricing tier); AITAGS_PROVIDER_PRICES overrides them. */
export type ProviderPrices = Record<ExtensionName, number>;
export const LIST_PRICES: ProviderPrices = { 'aws-auto-tagging': 1.0, 'google-auto-tagging': 1.5 };

/** What the providers charge for tagging `files` images with `extensions` (an extension with maxTags 0 calls none; re-applying the policy, none). */
export function estimateProviderCost(files: number, extensions: readonly RunExtension[], prices: ProviderPrices, reapplyPolicy = false): number {
  if (reapplyPolicy) return 0;
  const perImage = extensions.filter((extension) => extension.maxTags > 0).reduce((sum, extension) => sum + prices[extension.name] / 1000, 0);
  return Math.round(files * perImage * 10_000) / 10_000;
}

// ---- pace ---------------------------------------------------------------------------------------------

export { DEFAULT_PROVIDER_QUOTAS, type ProviderQuotas } from './provider-quotas.js';

/** Files per second a job that re-applies the policy starts: no provider is called, so only the table's writes bound it. */
export const REAPPLY_RATE = 50;

/** Files per second a job may start: each file calls every requested provider once, so the slowest quota binds. */
export function jobRate(extensions: readonly RunExtension[], quotas: ProviderQuotas, reapplyPolicy = false): number {
  if (reapplyPolicy) return REAPPLY_RATE;
  const rates = extensions.filter((extension) => extension.maxTags > 0).map((extension) => backgroundRate(extension.name, quotas));
  return rates.length ? Math.min(...rates) : fastestJobRate(quotas);
}

/** The fastest a job may go: one that calls only the provider with the larger share. */
export function fastestJobRate(quotas: ProviderQuotas): number {
  return Math.max(backgroundRate('aws-auto-tagging', quotas), backgroundRate('google-auto-tagging', quotas));
}

/**
 * Seconds one file may take from its start to being counted (Lambda cold start, the image read, a
 * provider call and a few throttling retries): the Map keeps enough files in flight to start one every
 * 1/rate seconds even when each takes this long.
 */
export const FILE_SECONDS_IN_FLIGHT = 10;

/**
 * The default of the most Lambda functions one job runs at once (deploy context maxJobConcurrency, the
 * planner's AITAGS_MAX_JOB_CONCURRENCY): half of the 10 concurrent executions many new AWS accounts have,
 * so that a job leaves the other half to the API, uploads' taggers and webhooks.
 */
export const DEFAULT_MAX_JOB_CONCURRENCY = 5;

/** The least maxJobConcurrency can be: one file running every extension's tagger side by side. */
export const MIN_MAX_JOB_CONCURRENCY = EXTENSION_NAMES.length;

/** A cap on a job's Lambda functions at once, checked; `name` says where it was set. */
export function checkedMaxJobConcurrency(value: number, name: string): number {
  if (!Number.isInteger(value) || value < MIN_MAX_JOB_CONCURRENCY) {
    throw new Error(
      `${name} must be a whole number of Lambda functions, at least ${MIN_MAX_JOB_CONCURRENCY} (one file runs its taggers side by side); got ${value}`,
    );
  }
  return value;
}

/**
 * Lambda functions one file of a job runs at once: its start and count steps one at a time, its taggers
 * side by side (the Map over its extensions), so as many as it has extensions; a job that re-applies the
 * policy runs only the steps, one at a time.
 */
export function lambdasPerFile(extensions: readonly unknown[], reapplyPolicy = false): number {
  return reapplyPolicy ? 1 : Math.max(1, extensions.length);
}

/**
 * A job's Distributed Map concurrency (MaxConcurrencyPath): enough files in flight to start one every
 * 1/rate seconds even when each takes FILE_SECONDS_IN_FLIGHT. It is not what bounds the rate — each
 * file waits for its turn at the providers' pacers — it keeps the pacer fed, caps the catch-up
 * after a stall, and keeps each child's wait for its turn near FILE_SECONDS_IN_FLIGHT. With a `limit`,
 * no more files than keep the job within `maxJobConcurrency` Lambda functions at once (at least one file):
 * the account's concurrency is shared with the API, and a job that took it all would throttle uploads.
 * Fewer files in flight than the rate needs only slows the job: files behind their start time go at once.
 */
export function jobMaxConcurrency(rate: number, limit?: { maxJobConcurrency: number; lambdasPerFile: number }): number {
  const fed = Math.max(1, Math.ceil(rate * FILE_SECONDS_IN_FLIGHT));
  if (!limit) return fed;
  return Math.min(fed, Math.max(1, Math.floor(limit.maxJobConcurrency / limit.lambdasPerFile)));
}

// ---- per file -----------------------------------------------------------------------------------------

/** Why a job leaves a file alone (`budget-spent`: a monthly budget of the job's extensions covers no more images). */
export type SkipReason = 'deleted' | 'busy' | 'not-an-image' | 'budget-spent';

/**
 * What a job does with one file now. `busy`: a run a caller started is still pending, and a job never
 * supersedes one. `resume`: the job's own run was started already (a retried step).
 */
export function fileDecision(record: FileRecord | undefined, runId: string): { action: 'skip'; reason: SkipReason } | { action: 'start' | 'resume' } {
  if (!record) return { action: 'skip', reason: 'deleted' };
  if (record.fileType !== 'image') return { action: 'skip', reason: 'not-an-image' };
  const pendingRuns = Object.entries(record.extensionStatus)
    .filter(([, status]) => status === 'pending')
    .map(([name]) => record.extensionRuns?.[name as ExtensionName] ?? '');
  if (pendingRuns.includes(runId)) return { action: 'resume' };
  // A job's run left pending (its job was cancelled or its child execution stopped) is nobody's to wait for.
  if (pendingRuns.some((pending) => !isJobRunId(pending))) return { action: 'skip', reason: 'busy' };
  return { action: 'start' };
}

/** The run id a job uses for one file: the same on every retry, so a retried start is recognised. */
export const jobRunId = (jobId: string, index: number) => `${jobId}-${index}`;
const isJobRunId = (runId: string) => /^job_[0-9a-f]{24}-\d+$/.test(runId);

export type FileOutcome = 'succeeded' | 'failed' | 'skipped';

/** Outcomes that mean the job did not get to tag the file: a caller's newer run replaced its result, or the file was deleted. */
const SKIPPING_REASONS: ReadonlySet<string> = new Set(['SUPERSEDED', 'FILE_DELETED']);

/** A file's count from its extensions' outcomes: any failure fails it; a file deleted or taken over by a caller's run meanwhile is skipped. */
export function fileOutcome(outcomes: ReadonlyArray<{ status?: string; error?: { reason?: string } }>): FileOutcome {
  if (outcomes.some((outcome) => outcome.status !== 'success' && SKIPPING_REASONS.has(outcome.error?.reason ?? ''))) return 'skipped';
  return outcomes.every((outcome) => outcome.status === 'success') ? 'succeeded' : 'failed';
}

/** Files counted per progress item: a file is counted once by its index, in a set its item holds (no transactions needed). */
export const PROGRESS_SHARD_FILES = 1000;
export const progressShardOf = (index: number) => Math.floor(index / PROGRESS_SHARD_FILES);
export const progressShards = (total: number) => Math.ceil(total / PROGRESS_SHARD_FILES);

/**
 * Items a running job's counts are rolled up into: each progress item's counts go to summary item
 * `progressShard mod SUMMARY_SHARDS`, so reading a job's status reads the job and at most this many items,
 * whatever its size (63 progress items' worth each at a million files).
 */
export const SUMMARY_SHARDS = 16;
export const summaryShardOf = (progressShard: number) => progressShard % SUMMARY_SHARDS;
export const summaryShards = (total: number) => Math.min(SUMMARY_SHARDS, progressShards(total));

/** A progress item's counts as a summary item keeps what it rolled up of it: `done,succeeded,failed,skipped`. */
export const encodeRolledCounts = (counts: JobCounts) => [counts.done, counts.succeeded, counts.failed, counts.skipped].join(',');
export function decodeRolledCounts(text: string | undefined): JobCounts {
  if (!text) return { ...NO_COUNTS };
  const [done = 0, succeeded = 0, failed = 0, skipped = 0] = text.split(',').map(Number);
  return { done, succeeded, failed, skipped };
}

/** What a progress item counted since it was last rolled up (nothing when a newer roll-up already took it). */
export function countsToRollUp(counted: JobCounts, rolled: JobCounts): JobCounts | undefined {
  if (counted.done <= rolled.done) return undefined;
  return {
    done: counted.done - rolled.done,
    succeeded: counted.succeeded - rolled.succeeded,
    failed: counted.failed - rolled.failed,
    skipped: counted.skipped - rolled.skipped,
  };
}

/** The counts when the job ends: a file never counted (its steps failed past their retries) counts as failed. */
export function finalCounts(counts: JobCounts, total: number): JobCounts {
  const lost = Math.max(0, total - counts.done);
  return { done: counts.done + lost, succeeded: counts.succeeded, failed: counts.failed + lost, skipped: counts.skipped };
}

/**
 * How a job ends, from its counts so far (files never counted count as failed) and the error of a step
 * that failed past its retries: `planned` (a dry run), `failed` (a step failed, the selection was over the
 * limit, or every file tagged failed) or `succeeded` — a job whose files were all skipped included.
 */
export function jobEnding(
  job: Pick<TaggingJob, 'dryRun' | 'total'>,
  counts: JobCounts,
  stepError?: { Error: string; Cause?: string },
): { status: JobStatus; counts?: JobCounts; error?: { message: string; reason: string } } {
  if (job.dryRun) return { status: stepError ? 'failed' : 'planned', ...(stepError && { error: stepFailure(stepError) }) };
  const final = finalCounts(counts, job.total ?? 0);
  if (stepError) return { status: 'failed', counts: final, error: stepFailure(stepError) };
  if (final.failed > 0 && final.succeeded === 0) {
    return {
      status: 'failed',
      counts: final,
      error: { message: 'Every file the job tagged failed; see each file’s extensionStatus', reason: 'ALL_FILES_FAILED' },
    };
  }
  return { status: 'succeeded', counts: final };
}

/** The planner's own refusals, by their error's name: the reason a job fails with (core/budget.ts's BUDGET_EXCEEDED included). */
const PLANNER_REFUSALS: ReadonlyMap<string, string> = new Map([
  ['SelectionOverLimit', 'SELECTION_TOO_LARGE'],
  ['BudgetExceeded', 'BUDGET_EXCEEDED'],
]);

/** A planner's refusal keeps its sentence; any other step error is named. */
function stepFailure(stepError: { Error: string; Cause?: string }): { message: string; reason: string } {
  const refusal = PLANNER_REFUSALS.get(stepError.Error);
  return refusal
    ? { message: stepError.Cause ?? stepError.Error, reason: refusal }
    : { message: `The job stopped: ${stepError.Error}`, reason: 'JOB_STEP_FAILED' };
}

/** The webhook a job sends once when it ends. */
export const jobWebhookBody = (job: TaggingJob) => ({ type: 'tagging-job.completed' as const, data: jobObject(job) });
export const jobWebhookEventId = (jobId: string) => `evt_${jobId}`;

/** List prices with the configured ones over them; a price that is not a non-negative number fails the cold start. */
export function providerPrices(configured: Record<string, unknown>): ProviderPrices {
  const prices = { ...LIST_PRICES };
  for (const [name, value] of Object.entries(configured)) {
    if (!(name in prices)) throw new Error(`AITAGS_PROVIDER_PRICES names no extension "${name}"`);
    if (typeof value !== 'number' || !(value >= 0)) throw new Error(`AITAGS_PROVIDER_PRICES["${name}"] must be a non-negative number`);
    prices[name as ExtensionName] = value;
  }
  return prices;
}
