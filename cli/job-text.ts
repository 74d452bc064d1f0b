import type { Estimate, JobStatus, TaggingJob } from './tagging-jobs-client.js';

/** Everything the CLI says about jobs and estimates, as plain strings (no I/O). */

const count = new Intl.NumberFormat('en-US');
const dollars = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 });
/** Below a dollar the API's estimate has up to four decimals (3 images at $1 per 1,000 cost $0.003): keep them. */
const cents = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 4 });

/** `1 file`, `2,000 files` */
export const formatFiles = (files: number) => `${count.format(files)} ${files === 1 ? 'file' : 'files'}`;

/** `$2.00`, `$1,234.50`, `$0.003` */
export const formatUsd = (usd: number) => (usd < 1 ? cents : dollars).format(usd);

/** `2,000 files · estimated provider cost $2.00 (list prices)`, and what remains of each monthly budget when one caps an extension. */
export function estimateLine(estimate: Estimate): string {
  const line = `${formatFiles(estimate.total)} · estimated provider cost ${formatUsd(estimate.estimatedProviderCostUsd)} (list prices)`;
  const budgets = Object.entries(estimate.remainingBudgetUsd ?? {}).map(([name, usd]) => `${name} ${formatUsd(usd)}`);
  return budgets.length ? `${line} · left of this month's budget: ${budgets.join(', ')}` : line;
}

/** The count and cost a planned job carries, once planning is done. */
export function estimateOf(job: TaggingJob): Estimate | undefined {
  return job.total === null || job.estimatedProviderCostUsd === null
    ? undefined
    : {
        total: job.total,
        estimatedProviderCostUsd: job.estimatedProviderCostUsd,
        ...(job.remainingBudgetUsd && { remainingBudgetUsd: job.remainingBudgetUsd }),
      };
}

export const confirmQuestion = (estimate: Estimate) =>
  `Start tagging ${formatFiles(estimate.total)} for ${formatUsd(estimate.estimatedProviderCostUsd)}? [y/N] `;

/** `y` and `yes` (any case) start; anything else, an empty answer included, does not. */
export const isYes = (answer: string) => /^\s*y(es)?\s*$/i.test(answer);

/** 0 for a job that did what it was asked (tagged, or counted for a dry run), 1 for one that failed or was cancelled. */
export const exitCodeOf = (status: JobStatus): 0 | 1 => (status === 'succeeded' || status === 'planned' ? 0 : 1);

/** The last line about a job that ended. */
export function summaryLine(job: TaggingJob): string {
  const estimate = estimateOf(job);
  if (job.status === 'planned' && estimate) return `Job ${job.jobId} planned: ${estimateLine(estimate)}`;
  const total = job.total === null ? 'an uncounted selection' : formatFiles(job.total);
  const reason = job.error ? ` (${job.error.message})` : '';
  const stopped = job.stoppedBy ? `\n${job.stoppedBy.message}` : '';
  return `Job ${job.jobId} ${job.status}${reason}: ${count.format(job.succeeded)} succeeded · ${count.format(job.failed)} failed · ${count.format(job.skipped)} skipped of ${total}${stopped}`;
}

/** One line of progress: `[████░░░░] 2/5 files · 2 succeeded · 0 failed · 0 skipped · running`, or the planning notice. */
export function progressLine(job: TaggingJob, bar: string): string {
  if (job.total === null) return `planning… finding the files to tag (job ${job.jobId})`;
  const counts = `${count.format(job.succeeded)} succeeded · ${count.format(job.failed)} failed · ${count.format(job.skipped)} skipped`;
  return `[${bar}] ${count.format(job.done)}/${formatFiles(job.total)} · ${counts} · ${job.status}`;
}

/** What to run to look at a job again, or to stop it. */
export const followAgainText = (jobId: string) =>
  `The job goes on. Follow it again with:  npx aitags jobs ${jobId}\n` + `Cancel it with:                     npx aitags cancel ${jobId}`;

/** `2026-11-30T11:03:15.123Z` → `2026-11-30 11:03:15Z` */
const shortTime = (iso: string) => iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');

/** The jobs as a table: id, status, done/total, created (newest first, as the API lists them). */
export function jobsTable(jobs: readonly TaggingJob[]): string {
  if (!jobs.length) return 'No tagging jobs yet. Start one with: npx aitags retag --extension aws-auto-tagging:80:10 --path /some/folder/';
  const rows = [
    ['JOB ID', 'STATUS', 'DONE/TOTAL', 'CREATED'],
    ...jobs.map((job) => [
      job.jobId,
      job.dryRun ? `${job.status} (dry run)` : job.status,
      `${count.format(job.done)}/${job.total === null ? '?' : count.format(job.total)}`,
      shortTime(job.createdAt),
    ]),
  ];
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  ')).join('\n');
}
