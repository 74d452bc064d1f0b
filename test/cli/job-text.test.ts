import { describe, expect, it } from 'vitest';
import {
  confirmQuestion,
  estimateLine,
  exitCodeOf,
  followAgainText,
  formatFiles,
  formatUsd,
  isYes,
  jobsTable,
  progressLine,
  summaryLine,
} from '../../cli/job-text.js';
import type { TaggingJob } from '../../cli/tagging-jobs-client.js';

const job = (fields: Partial<TaggingJob> = {}): TaggingJob => ({
  jobId: 'job_0123456789abcdef01234567',
  status: 'running',
  total: 2000,
  done: 500,
  succeeded: 480,
  failed: 15,
  skipped: 5,
  createdAt: '2026-11-30T11:03:15.123Z',
  finishedAt: null,
  estimatedProviderCostUsd: 2,
  dryRun: false,
  ...fields,
});

describe('numbers and money', () => {
  it('counts files with thousands separators, one file in the singular', () => {
    expect([formatFiles(0), formatFiles(1), formatFiles(3), formatFiles(2000), formatFiles(1_234_567)]).toEqual([
      '0 files',
      '1 file',
      '3 files',
      '2,000 files',
      '1,234,567 files',
    ]);
  });

  it('shows dollars with cents, and the fractions of a cent the API estimates below a dollar', () => {
    expect([formatUsd(2), formatUsd(1234.5), formatUsd(0.5), formatUsd(0.003), formatUsd(0.0045), formatUsd(0)]).toEqual([
      '$2.00',
      '$1,234.50',
      '$0.50',
      '$0.003',
      '$0.0045',
      '$0.00',
    ]);
  });

  it('states an estimate and asks about it', () => {
    expect(estimateLine({ total: 2000, estimatedProviderCostUsd: 2 })).toBe('2,000 files · estimated provider cost $2.00 (list prices)');
    expect(confirmQuestion({ total: 3, estimatedProviderCostUsd: 0.003 })).toBe('Start tagging 3 files for $0.003? [y/N] ');
  });

  it('adds what remains of each monthly budget when the API reports it', () => {
    expect(estimateLine({ total: 12, estimatedProviderCostUsd: 0.03, remainingBudgetUsd: { 'aws-auto-tagging': 0.006 } })).toBe(
      "12 files · estimated provider cost $0.03 (list prices) · left of this month's budget: aws-auto-tagging $0.006",
    );
  });

  it('starts only on y or yes', () => {
    expect(['y', 'Y', 'yes', ' YES ', 'Yes'].map(isYes)).toEqual([true, true, true, true, true]);
    expect(['', 'n', 'no', 'yep', 'sure'].map(isYes)).toEqual([false, false, false, false, false]);
  });
});

describe('a job’s end', () => {
  it('exits 0 for a job that succeeded or was planned, 1 for one that failed or was cancelled', () => {
    expect((['succeeded', 'planned', 'failed', 'cancelled'] as const).map(exitCodeOf)).toEqual([0, 0, 1, 1]);
  });

  it('sums up the counts, and why a job failed when the API says', () => {
    expect(summaryLine(job({ status: 'succeeded', done: 2000, succeeded: 1990, failed: 4, skipped: 6 }))).toBe(
      'Job job_0123456789abcdef01234567 succeeded: 1,990 succeeded · 4 failed · 6 skipped of 2,000 files',
    );
    expect(summaryLine(job({ status: 'failed', error: { message: 'The selection could not be read' } }))).toBe(
      'Job job_0123456789abcdef01234567 failed (The selection could not be read): 480 succeeded · 15 failed · 5 skipped of 2,000 files',
    );
    expect(summaryLine(job({ status: 'cancelled', total: null, done: 0, succeeded: 0, failed: 0, skipped: 0 }))).toBe(
      'Job job_0123456789abcdef01234567 cancelled: 0 succeeded · 0 failed · 0 skipped of an uncounted selection',
    );
  });

  it('says why a job stopped tagging when a monthly budget was spent', () => {
    const stoppedBy = { message: 'The job stopped tagging when the monthly budget of aws-auto-tagging was spent: 6 files were skipped, not tagged.' };
    expect(summaryLine(job({ status: 'succeeded', done: 2000, succeeded: 1994, failed: 0, skipped: 6, stoppedBy }))).toBe(
      `Job job_0123456789abcdef01234567 succeeded: 1,994 succeeded · 0 failed · 6 skipped of 2,000 files\n${stoppedBy.message}`,
    );
  });

  it('gives a planned dry run’s count and cost', () => {
    expect(summaryLine(job({ status: 'planned', dryRun: true, done: 0, estimatedProviderCostUsd: 2 }))).toBe(
      'Job job_0123456789abcdef01234567 planned: 2,000 files · estimated provider cost $2.00 (list prices)',
    );
  });

  it('says how to follow the job again and how to cancel it', () => {
    expect(followAgainText('job_1')).toBe(
      'The job goes on. Follow it again with:  npx aitags jobs job_1\nCancel it with:                     npx aitags cancel job_1',
    );
  });
});

describe('progressLine', () => {
  it('says planning until the job has counted its files', () => {
    expect(progressLine(job({ status: 'planning', total: null, done: 0 }), '░░░')).toBe(
      'planning… finding the files to tag (job job_0123456789abcdef01234567)',
    );
  });

  it('shows the bar, done out of total and the counts', () => {
    expect(progressLine(job(), '██░░░░░░')).toBe('[██░░░░░░] 500/2,000 files · 480 succeeded · 15 failed · 5 skipped · running');
  });
});

describe('jobsTable', () => {
  it('lines up id, status, done/total and creation time, marking dry runs', () => {
    const jobs = [
      job({ jobId: 'job_bbbbbbbbbbbbbbbbbbbbbbbb', status: 'planning', total: null, done: 0, createdAt: '2026-11-30T12:00:00.000Z' }),
      job({ jobId: 'job_aaaaaaaaaaaaaaaaaaaaaaaa', status: 'planned', dryRun: true, done: 0, createdAt: '2026-11-30T11:59:00.000Z' }),
      job({ jobId: 'job_cccccccccccccccccccccccc', status: 'succeeded', total: 3, done: 3, createdAt: '2026-11-29T08:00:00.5Z' }),
    ];
    expect(jobsTable(jobs).split('\n')).toEqual([
      'JOB ID                        STATUS             DONE/TOTAL  CREATED',
      'job_bbbbbbbbbbbbbbbbbbbbbbbb  planning           0/?         2026-11-30 12:00:00Z',
      'job_aaaaaaaaaaaaaaaaaaaaaaaa  planned (dry run)  0/2,000     2026-11-30 11:59:00Z',
      'job_cccccccccccccccccccccccc  succeeded          3/3         2026-11-29 08:00:00Z',
    ]);
  });

  it('says how to start a job when there is none', () => {
    expect(jobsTable([])).toBe('No tagging jobs yet. Start one with: npx aitags retag --extension aws-auto-tagging:80:10 --path /some/folder/');
  });
});
