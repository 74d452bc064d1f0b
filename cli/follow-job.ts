import { setTimeout as delay } from 'node:timers/promises';
import cliProgress from 'cli-progress';
import { progressLine } from './job-text.js';
import { FINAL_STATUSES, type TaggingJob, type TaggingJobsClient } from './tagging-jobs-client.js';

/** Reading a job again and again until it ends, with or without a progress bar. */

export interface PollOptions {
  pollMs: number;
  /** Ctrl-C: stop reading (the job goes on). */
  signal: AbortSignal;
}

/** The job as last read: `ended` once its status is final, `interrupted` when the signal stopped the reading first. */
export type FollowResult = { kind: 'ended'; job: TaggingJob } | { kind: 'interrupted'; job: TaggingJob };

/** Reads the job every `pollMs` until its status is final; `onRead` sees every read. */
export async function pollUntilEnded(
  client: TaggingJobsClient,
  first: TaggingJob,
  { pollMs, signal }: PollOptions,
  onRead: (job: TaggingJob) => void = () => {},
): Promise<FollowResult> {
  let job = first;
  try {
    while (!FINAL_STATUSES.has(job.status)) {
      await delay(pollMs, undefined, { signal });
      job = await client.get(job.jobId, signal);
      onRead(job);
    }
    return { kind: 'ended', job };
  } catch (error) {
    if (signal.aborted) return { kind: 'interrupted', job };
    throw error;
  }
}

/** Off a terminal (a CI log, a pipe) the bar prints a whole line this often, and once more at the end. */
export const NOT_TTY_LINE_MS = 5000;

/**
 * Follows a job with a cli-progress bar on `stream`: "planning…" until the job has counted its files, then
 * done out of total with the succeeded/failed/skipped counts. On a terminal the bar redraws in place;
 * elsewhere it prints a line every NOT_TTY_LINE_MS and a last one when the job ends.
 */
export async function followJob(
  client: TaggingJobsClient,
  first: TaggingJob,
  stream: NodeJS.WritableStream,
  options: PollOptions,
): Promise<FollowResult> {
  if (FINAL_STATUSES.has(first.status)) return { kind: 'ended', job: first };
  let shown = first;
  const isTTY = 'isTTY' in stream && stream.isTTY === true;
  const bar = new cliProgress.SingleBar({
    stream,
    format: (barOptions, params) => progressLine(shown, cliProgress.Format.BarFormat(params.progress, barOptions)),
    barsize: 30,
    barCompleteChar: '█',
    barIncompleteChar: '░',
    hideCursor: true,
    noTTYOutput: true,
    notTTYSchedule: NOT_TTY_LINE_MS,
    // Off a terminal the last line is already followed by a newline: no blank line after it.
    clearOnComplete: !isTTY,
  });
  bar.start(first.total ?? 0, first.done);
  try {
    return await pollUntilEnded(client, first, options, (job) => {
      shown = job;
      if (job.total !== null) bar.setTotal(job.total);
      bar.update(job.done);
    });
  } finally {
    bar.stop();
  }
}
