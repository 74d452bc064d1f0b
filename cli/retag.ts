import type { RetagRequest } from './arguments.js';
import { type CommandContext, INTERRUPTED } from './command-context.js';
import { confirm } from './confirm.js';
import { followJob, pollUntilEnded } from './follow-job.js';
import { confirmQuestion, estimateLine, estimateOf, exitCodeOf, followAgainText, summaryLine } from './job-text.js';
import type { Estimate } from './tagging-jobs-client.js';

export interface RetagOptions {
  request: RetagRequest;
  /** Print the estimate and stop. */
  dryRunOnly: boolean;
  /** Start without asking. */
  yes: boolean;
}

/**
 * `aitags retag`: a dry run first (how many files, what the providers will charge), then, once confirmed,
 * the job itself, followed to its end. Returns the exit code.
 */
export async function retag({ request, dryRunOnly, yes }: RetagOptions, context: CommandContext): Promise<number> {
  const { client, io, signal } = context;
  const estimate = await estimateRetag(request, context);
  if (typeof estimate === 'number') return estimate;
  io.stdout.write(`${estimateLine(estimate)}\n`);
  if (dryRunOnly) return 0;
  if (estimate.total === 0) {
    io.stdout.write('No files match: nothing started.\n');
    return 0;
  }
  if (!yes) {
    if (!io.stdin.isTTY) {
      io.stderr.write('Not starting: stdin is not a terminal, so there is no one to confirm. Pass --yes to start without asking.\n');
      return 2;
    }
    if (!(await confirm(confirmQuestion(estimate), io.stdin, io.stderr, signal))) {
      io.stdout.write('Nothing started.\n');
      return 0;
    }
  }
  const started = await client.start(request, signal);
  io.stdout.write(`Started job ${started.jobId}\n`);
  const result = await followJob(client, started, io.stderr, { pollMs: context.pollMs, signal });
  if (result.kind === 'interrupted') {
    io.stderr.write(`Stopped following job ${started.jobId}.\n${followAgainText(started.jobId)}\n`);
    return INTERRUPTED;
  }
  io.stdout.write(`${summaryLine(result.job)}\n`);
  return exitCodeOf(result.job.status);
}

/** The dry run's count and cost; when the API counts in the background (202), waits for that job to be `planned`. Or an exit code. */
async function estimateRetag(request: RetagRequest, { client, io, signal, pollMs }: CommandContext): Promise<Estimate | number> {
  const answer = await client.dryRun(request, signal);
  if (answer.kind === 'estimate') return answer.estimate;
  const { jobId } = answer.job;
  io.stderr.write(`Too many files to count at once: counting them in job ${jobId}…\n`);
  const result = await pollUntilEnded(client, answer.job, { pollMs, signal });
  if (result.kind === 'interrupted') {
    io.stderr.write(`Stopped waiting for the count. It goes on: see it with  npx aitags jobs ${jobId}\n`);
    return INTERRUPTED;
  }
  const estimate = estimateOf(result.job);
  if (result.job.status !== 'planned' || !estimate) {
    io.stderr.write(`${summaryLine(result.job)}\nThe count did not finish: nothing started.\n`);
    return 1;
  }
  return estimate;
}
