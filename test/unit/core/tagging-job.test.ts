import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FileRecord } from '../../../functions/core/file-record.js';
import { formatSearchQuery } from '../../../functions/core/search-query.js';
import {
  checkedMaxJobConcurrency,
  DEFAULT_MAX_JOB_CONCURRENCY,
  estimateProviderCost,
  fileDecision,
  fileOutcome,
  finalCounts,
  jobMaxConcurrency,
  jobObject,
  jobRate,
  jobRunId,
  lambdasPerFile,
  LIST_PRICES,
  newJob,
  parseTaggingJobRequest,
  progressShardOf,
  progressShards,
  providerPrices,
  selectionQuery,
} from '../../../functions/core/tagging-job.js';
import { thrownApiError } from '../../support/thrown-api-error.js';
import { jobRequest } from '../../support/job-requests.js';

const AWS = { name: 'aws-auto-tagging', minConfidence: 80, maxTags: 10 } as const;
const GOOGLE = { name: 'google-auto-tagging', minConfidence: 70, maxTags: 5 } as const;
const QUOTAS = { rekognitionTps: 5, visionRpm: 1800 };

describe('parseTaggingJobRequest', () => {
  it('takes a selection, extensions and options, with defaults', () => {
    expect(parseTaggingJobRequest({ path: ' /shoots/ ', extensions: [AWS] })).toEqual({
      path: '/shoots/',
      extensions: [AWS],
      removeAITags: false,
      reapplyPolicy: false,
      dryRun: false,
    });
    expect(parseTaggingJobRequest({ extensions: [AWS], reapplyPolicy: true })).toMatchObject({ reapplyPolicy: true });
    expect(
      parseTaggingJobRequest({ searchQuery: 'tags = "x"', extensions: [AWS, GOOGLE], maxFiles: 10, dryRun: true, removeAITags: true }),
    ).toMatchObject({
      searchQuery: 'tags = "x"',
      maxFiles: 10,
      dryRun: true,
      removeAITags: true,
    });
  });

  it.each([
    [{ extensions: [AWS], maxFiles: 1.5 }, 'maxFiles must be a whole number'],
    [{ extensions: [AWS], maxFiles: 1_000_001 }, 'maxFiles must be from 1 to 1000000'],
    [{ extensions: [AWS, AWS] }, 'extensions[1].name repeats "aws-auto-tagging"'],
    [{ extensions: [AWS], searchQuery: 'tags IN [' }, 'searchQuery'],
    [{ extensions: [AWS], path: 7 }, 'path must be a string'],
    [[], 'The body must be a JSON object'],
  ])('refuses %j with a 400 naming the field', (body, message) => {
    const error = thrownApiError(() => parseTaggingJobRequest(body));
    expect(error.status).toBe(400);
    expect(error.message).toContain(message);
    expect(error.help).toBeTruthy();
  });
});

describe('selectionQuery', () => {
  it('is images only, in the path and below, ANDed with the query', () => {
    expect(formatSearchQuery(selectionQuery({ path: '/shoots', searchQuery: 'tags = "red"' }))).toBe(
      'tags = "red" AND path : "/shoots/" AND fileType = "image"',
    );
    expect(formatSearchQuery(selectionQuery({}))).toBe('fileType = "image"');
  });
});

describe('cost', () => {
  it('charges each provider called per image at its price per 1,000; maxTags 0 calls none', () => {
    expect(estimateProviderCost(1_000_000, [AWS, GOOGLE], LIST_PRICES)).toBe(2500);
    expect(estimateProviderCost(3, [AWS], LIST_PRICES)).toBe(0.003);
    expect(estimateProviderCost(1000, [{ ...GOOGLE, maxTags: 0 }], LIST_PRICES)).toBe(0);
    expect(estimateProviderCost(1000, [AWS], providerPrices({ 'aws-auto-tagging': 0.8 }))).toBe(0.8);
  });

  it('refuses a configured price for no extension, or not a number', () => {
    expect(() => providerPrices({ 'aws-auto-taging': 1 })).toThrow(/names no extension/);
    expect(() => providerPrices({ 'aws-auto-tagging': '1' })).toThrow(/non-negative number/);
  });
});

describe('pace', () => {
  it('starts files at 80 % of the binding quota', () => {
    expect(jobRate([AWS], QUOTAS)).toBe(4);
    expect(jobRate([GOOGLE], QUOTAS)).toBe(24);
    expect(jobRate([AWS, GOOGLE], QUOTAS)).toBe(4);
  });

  it('keeps ten seconds of the rate in flight', () => {
    expect(jobMaxConcurrency(4)).toBe(40);
    expect(jobMaxConcurrency(24)).toBe(240);
    expect(jobMaxConcurrency(0.01)).toBe(1);
  });

  it('keeps a job within maxJobConcurrency Lambda functions: as many files as that, half as many when each runs both taggers', () => {
    expect(jobMaxConcurrency(4, { maxJobConcurrency: 5, lambdasPerFile: lambdasPerFile([AWS]) })).toBe(5);
    expect(jobMaxConcurrency(4, { maxJobConcurrency: 5, lambdasPerFile: lambdasPerFile([AWS, GOOGLE]) })).toBe(2);
    expect(jobMaxConcurrency(50, { maxJobConcurrency: 5, lambdasPerFile: lambdasPerFile([AWS, GOOGLE], true) })).toBe(5);
    // A cap above what the rate needs changes nothing.
    expect(jobMaxConcurrency(0.4, { maxJobConcurrency: 100, lambdasPerFile: 2 })).toBe(4);
  });

  it('never lets a job run more Lambda functions at once than maxJobConcurrency, and always lets it run one file', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.001, max: 10_000, noNaN: true }),
        fc.integer({ min: 2, max: 10_000 }),
        fc.subarray([AWS, GOOGLE], { minLength: 1 }),
        fc.boolean(),
        (rate, maxJobConcurrency, extensions, reapplyPolicy) => {
          const perFile = lambdasPerFile(extensions, reapplyPolicy);
          const files = jobMaxConcurrency(rate, { maxJobConcurrency, lambdasPerFile: perFile });
          expect(files).toBeGreaterThanOrEqual(1);
          expect(files).toBeLessThanOrEqual(jobMaxConcurrency(rate));
          expect(files * perFile).toBeLessThanOrEqual(maxJobConcurrency);
        },
      ),
    );
  });

  it('counts a file’s taggers side by side as its Lambda functions, and a policy re-apply as one', () => {
    expect(lambdasPerFile([AWS])).toBe(1);
    expect(lambdasPerFile([AWS, GOOGLE])).toBe(2);
    expect(lambdasPerFile([AWS, GOOGLE], true)).toBe(1);
  });

  it('leaves half of a 10-execution account to the rest by default, and refuses a cap that cannot run one file', () => {
    expect(DEFAULT_MAX_JOB_CONCURRENCY).toBe(5);
    expect(checkedMaxJobConcurrency(2, 'X')).toBe(2);
    for (const bad of [0, 1, 2.5, Number.NaN]) {
      expect(() => checkedMaxJobConcurrency(bad, 'AITAGS_MAX_JOB_CONCURRENCY')).toThrow(
        `AITAGS_MAX_JOB_CONCURRENCY must be a whole number of Lambda functions, at least 2 (one file runs its taggers side by side); got ${bad}`,
      );
    }
  });
});

describe('per file', () => {
  const runId = jobRunId('job_0123456789abcdef01234567', 3);
  const record = (
    extensionStatus: FileRecord['extensionStatus'],
    extensionRuns: FileRecord['extensionRuns'] = {},
    fileType: FileRecord['fileType'] = 'image',
  ) => ({ fileType, extensionStatus, extensionRuns }) as FileRecord;

  it('skips a deleted file, a non-image, and a file with a caller’s run pending', () => {
    expect(fileDecision(undefined, runId)).toEqual({ action: 'skip', reason: 'deleted' });
    expect(fileDecision(record({}, {}, 'non-image'), runId)).toEqual({ action: 'skip', reason: 'not-an-image' });
    expect(fileDecision(record({ 'google-auto-tagging': 'pending' }, { 'google-auto-tagging': 'a-caller-run' }), runId)).toEqual({
      action: 'skip',
      reason: 'busy',
    });
  });

  it('resumes its own run, and does not wait for another job’s run left pending', () => {
    expect(fileDecision(record({ 'aws-auto-tagging': 'pending' }, { 'aws-auto-tagging': runId }), runId)).toEqual({ action: 'resume' });
    const stale = jobRunId('job_ffffffffffffffffffffffff', 9);
    expect(fileDecision(record({ 'aws-auto-tagging': 'pending' }, { 'aws-auto-tagging': stale }), runId)).toEqual({ action: 'start' });
    expect(fileDecision(record({ 'aws-auto-tagging': 'success' }), runId)).toEqual({ action: 'start' });
  });

  it('counts a file succeeded when every extension succeeded, skipped when a caller or a delete took it over, failed otherwise', () => {
    expect(fileOutcome([{ status: 'success' }, { status: 'success' }])).toBe('succeeded');
    expect(fileOutcome([{ status: 'success' }, { status: 'failed', error: { reason: 'PROVIDER_UNAVAILABLE' } }])).toBe('failed');
    expect(fileOutcome([{ status: 'failed', error: { reason: 'SUPERSEDED' } }])).toBe('skipped');
    expect(fileOutcome([{ status: 'failed', error: { reason: 'FILE_DELETED' } }])).toBe('skipped');
  });

  it('counts files by their index in items of a thousand', () => {
    expect([0, 999, 1000, 123_456].map(progressShardOf)).toEqual([0, 0, 1, 123]);
    expect([0, 1, 1000, 1001].map(progressShards)).toEqual([0, 1, 1, 2]);
  });

  it('counts a file never counted as failed when the job ends', () => {
    expect(finalCounts({ done: 8, succeeded: 6, failed: 1, skipped: 1 }, 10)).toEqual({ done: 10, succeeded: 6, failed: 3, skipped: 1 });
  });
});

describe('jobObject', () => {
  it('answers the job’s own fields, without the webhook URL or how its execution runs', () => {
    const job = {
      ...newJob(
        'job_0123456789abcdef01234567',
        jobRequest({ path: '/a', extensions: [AWS], webhookUrl: 'https://x.example/h' }),
        '2026-11-30T00:00:00.000Z',
      ),
      executionArn: 'arn',
      rate: 4,
    };
    const shown = jobObject(job);
    expect(shown).not.toHaveProperty('webhookUrl');
    expect(shown).not.toHaveProperty('executionArn');
    expect(shown).not.toHaveProperty('rate');
    expect(shown).toMatchObject({ jobId: job.jobId, status: 'planning', total: null, done: 0, path: '/a' });
  });
});
