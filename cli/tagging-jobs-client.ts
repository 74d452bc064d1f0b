import * as z from 'zod';
import type { RetagRequest } from './arguments.js';

/** The CLI's side of the tagging jobs API (docs/api.md, "Tagging jobs"): what it sends and what it reads back. */

export const JOB_STATUSES = ['planning', 'planned', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
/** A job in one of these has ended: its counts no longer change. */
export const FINAL_STATUSES: ReadonlySet<JobStatus> = new Set(['planned', 'succeeded', 'failed', 'cancelled']);

const jobSchema = z.object({
  jobId: z.string(),
  status: z.enum(JOB_STATUSES),
  total: z.number().nullable(),
  done: z.number(),
  succeeded: z.number(),
  failed: z.number(),
  skipped: z.number(),
  createdAt: z.string(),
  finishedAt: z.string().nullable().default(null),
  estimatedProviderCostUsd: z.number().nullable().default(null),
  dryRun: z.boolean().default(false),
  /** Why a job failed, when the API says. */
  error: z.object({ message: z.string() }).optional(),
  /** A dry run's: what remained of each budgeted extension's monthly budget. */
  remainingBudgetUsd: z.record(z.string(), z.number()).optional(),
  /** A job that stopped tagging when a monthly budget was spent. */
  stoppedBy: z.object({ message: z.string() }).optional(),
});
export type TaggingJob = z.infer<typeof jobSchema>;

const estimateSchema = z.object({
  total: z.number(),
  estimatedProviderCostUsd: z.number(),
  remainingBudgetUsd: z.record(z.string(), z.number()).optional(),
});
export type Estimate = z.infer<typeof estimateSchema>;

const errorSchema = z.object({ message: z.string(), help: z.string().optional() });

/** The API answered with an error (`{ message, help }` and a 4xx), or with something that is not its API. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
    readonly help: string,
  ) {
    super(message);
  }
}

/** Nothing answered at the URL (refused, unknown host, reset): the message names it. */
export class ApiUnreachableError extends Error {
  override readonly name = 'ApiUnreachableError';
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(`Could not reach aitags at ${url} (${reason}). Is it running (npm start)? Set AITAGS_URL to its address.`);
  }
}

/** A dry run is answered with the count right away, or with a job that counts in the background (it ends `planned`). */
export type DryRunAnswer = { kind: 'estimate'; estimate: Estimate } | { kind: 'planning'; job: TaggingJob };

type Method = 'GET' | 'POST' | 'DELETE';

export class TaggingJobsClient {
  private readonly authorization: string;

  constructor(
    private readonly apiUrl: string,
    privateKey: string,
    private readonly fetchResponse: typeof fetch = fetch,
  ) {
    this.authorization = `Basic ${Buffer.from(`${privateKey}:`).toString('base64')}`;
  }

  async dryRun(request: RetagRequest, signal?: AbortSignal): Promise<DryRunAnswer> {
    const { status, body } = await this.send('POST', '/v1/tagging-jobs', { ...request, dryRun: true }, signal);
    if (status === 202) return { kind: 'planning', job: this.read(jobSchema, body, status) };
    return { kind: 'estimate', estimate: this.read(estimateSchema, body, status) };
  }

  async start(request: RetagRequest, signal?: AbortSignal): Promise<TaggingJob> {
    const { status, body } = await this.send('POST', '/v1/tagging-jobs', request, signal);
    return this.read(jobSchema, body, status);
  }

  async get(jobId: string, signal?: AbortSignal): Promise<TaggingJob> {
    const { status, body } = await this.send('GET', `/v1/tagging-jobs/${encodeURIComponent(jobId)}`, undefined, signal);
    return this.read(jobSchema, body, status);
  }

  async list(signal?: AbortSignal): Promise<TaggingJob[]> {
    const { status, body } = await this.send('GET', '/v1/tagging-jobs', undefined, signal);
    return this.read(z.array(jobSchema), body, status);
  }

  /** The job, now cancelled; an ApiError with status 409 when it had already ended. */
  async cancel(jobId: string, signal?: AbortSignal): Promise<TaggingJob> {
    const { status, body } = await this.send('DELETE', `/v1/tagging-jobs/${encodeURIComponent(jobId)}`, undefined, signal);
    return this.read(jobSchema, body, status);
  }

  private async send(method: Method, path: string, json: unknown, signal: AbortSignal | undefined): Promise<{ status: number; body: unknown }> {
    let response: Response;
    try {
      response = await this.fetchResponse(`${this.apiUrl}${path}`, {
        method,
        headers: { authorization: this.authorization, accept: 'application/json', ...(json !== undefined && { 'content-type': 'application/json' }) },
        ...(json !== undefined && { body: JSON.stringify(json) }),
        ...(signal && { signal }),
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new ApiUnreachableError(this.apiUrl, networkReason(error));
    }
    const text = await response.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    if (response.ok) return { status: response.status, body };
    const problem = errorSchema.safeParse(body);
    if (problem.success) throw new ApiError(response.status, problem.data.message, problem.data.help ?? '');
    throw new ApiError(
      response.status,
      `${method} ${path} answered HTTP ${response.status} ${response.statusText}`.trim(),
      notTheApiHelp(this.apiUrl),
    );
  }

  private read<T>(schema: z.ZodType<T>, body: unknown, status: number): T {
    const result = schema.safeParse(body);
    if (result.success) return result.data;
    throw new ApiError(status, `Unexpected answer from the API: ${z.prettifyError(result.error).replaceAll('\n', ' ')}`, notTheApiHelp(this.apiUrl));
  }
}

const notTheApiHelp = (apiUrl: string) => `Check that AITAGS_URL (${apiUrl}) is the aitags API, and that it is as new as this CLI.`;

/** `fetch failed` hides the reason in its cause: ECONNREFUSED, ENOTFOUND, … */
function networkReason(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error) {
    const code = 'code' in cause && typeof cause.code === 'string' ? cause.code : undefined;
    return code ?? cause.message;
  }
  return error instanceof Error ? error.message : String(error);
}
