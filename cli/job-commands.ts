import { type CommandContext, INTERRUPTED } from './command-context.js';
import { followJob } from './follow-job.js';
import { exitCodeOf, followAgainText, jobsTable, summaryLine } from './job-text.js';

/** `aitags jobs`: the jobs as a table, newest first. */
export async function listJobs({ client, io, signal }: CommandContext): Promise<number> {
  io.stdout.write(`${jobsTable(await client.list(signal))}\n`);
  return 0;
}

/** `aitags jobs JOB_ID`: follows the job with the progress bar until it ends; the exit code is the job's. */
export async function followJobCommand(jobId: string, { client, io, signal, pollMs }: CommandContext): Promise<number> {
  const result = await followJob(client, await client.get(jobId, signal), io.stderr, { pollMs, signal });
  if (result.kind === 'interrupted') {
    io.stderr.write(`Stopped following job ${jobId}.\n${followAgainText(jobId)}\n`);
    return INTERRUPTED;
  }
  io.stdout.write(`${summaryLine(result.job)}\n`);
  return exitCodeOf(result.job.status);
}

/** `aitags cancel JOB_ID`: a job that already ended is the API's 409, printed as any API error. */
export async function cancelJob(jobId: string, { client, io, signal }: CommandContext): Promise<number> {
  const job = await client.cancel(jobId, signal);
  io.stdout.write(`${summaryLine(job)}\n`);
  return 0;
}
