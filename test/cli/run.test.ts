import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../../cli/run.js';
import { type FakeAnswer, type FakeTaggingJobsApi, jobAnswer, type SeenRequest, startFakeTaggingJobsApi, TextSink } from './fake-tagging-jobs-api.js';

/**
 * The whole CLI in this process against a scripted API: every path of retag, jobs and cancel, with the
 * job's states served in order and Ctrl-C as an aborted signal. (cli.test.ts runs the real bin against the real stack.)
 */

const KEY = 'private_testkey';
const JOB_ID = 'job_0123456789abcdef01234567';
const AWS = { name: 'aws-auto-tagging', minConfidence: 50, maxTags: 5 };
const RETAG = ['retag', '--path', '/shoots/', '--extension', 'aws-auto-tagging:50:5'];

let api: FakeTaggingJobsApi;
let answer: (request: SeenRequest) => FakeAnswer;

beforeAll(async () => {
  api = await startFakeTaggingJobsApi((request) => answer(request));
});
beforeEach(() => {
  api.requests.length = 0;
});
afterAll(async () => {
  await api?.stop();
});

/** Answers GETs of the job with `states` in order (the last one from then on), POSTs and DELETEs as given. */
function script({ dryRun, start, states = [], cancel }: { dryRun?: FakeAnswer; start?: FakeAnswer; states?: FakeAnswer[]; cancel?: FakeAnswer }) {
  let read = 0;
  answer = (request) => {
    const body = request.body as { dryRun?: boolean } | undefined;
    if (request.method === 'POST' && body?.dryRun) return dryRun ?? { status: 500 };
    if (request.method === 'POST') return start ?? { status: 500 };
    if (request.method === 'DELETE') return cancel ?? { status: 500 };
    if (request.method === 'GET' && request.path === '/v1/tagging-jobs') return states[0] ?? { status: 500 };
    const state = states[Math.min(read, states.length - 1)] ?? { status: 500 };
    read++;
    return state;
  };
}

function startCli(argv: string[], { stdinIsTTY = false, env = {} }: { stdinIsTTY?: boolean; env?: Record<string, string> } = {}) {
  const stdout = new TextSink();
  const stderr = new TextSink();
  const stdin = Object.assign(new PassThrough(), { isTTY: stdinIsTTY });
  const interrupt = new AbortController();
  const exitCode = run(
    argv,
    { AITAGS_URL: api.url, AITAGS_PRIVATE_KEY: KEY, AITAGS_CLI_POLL_MS: '1', ...env },
    { stdin, stdout, stderr },
    interrupt.signal,
  );
  return { exitCode, stdout, stderr, stdin, interrupt };
}

async function aitags(argv: string[], options?: { stdinIsTTY?: boolean; env?: Record<string, string> }) {
  const cli = startCli(argv, options);
  return { code: await cli.exitCode, stdout: cli.stdout.text, stderr: cli.stderr.text };
}

const methods = () => api.requests.map((request) => `${request.method} ${request.path}`);

describe('aitags retag', () => {
  it('--dry-run asks for the estimate with the key and prints it', async () => {
    script({ dryRun: { status: 200, body: { total: 3, estimatedProviderCostUsd: 0.003 } } });
    const { code, stdout, stderr } = await aitags([...RETAG, '--dry-run']);
    expect({ code, stdout, stderr }).toEqual({ code: 0, stdout: '3 files · estimated provider cost $0.003 (list prices)\n', stderr: '' });
    expect(api.requests).toEqual([
      {
        method: 'POST',
        path: '/v1/tagging-jobs',
        authorization: `Basic ${Buffer.from(`${KEY}:`).toString('base64')}`,
        body: { path: '/shoots/', extensions: [AWS], removeAITags: false, dryRun: true },
      },
    ]);
  });

  it('--dry-run waits for a selection too large to count at once to be planned', async () => {
    script({
      dryRun: { status: 202, body: jobAnswer({ status: 'planning', total: null, dryRun: true, estimatedProviderCostUsd: null }) },
      states: [
        { status: 200, body: jobAnswer({ status: 'planning', total: null, dryRun: true, estimatedProviderCostUsd: null }) },
        { status: 200, body: jobAnswer({ status: 'planned', total: 2_000_000, dryRun: true, estimatedProviderCostUsd: 2000 }) },
      ],
    });
    const { code, stdout, stderr } = await aitags([...RETAG, '--dry-run']);
    expect({ code, stdout, stderr }).toEqual({
      code: 0,
      stdout: '2,000,000 files · estimated provider cost $2,000.00 (list prices)\n',
      stderr: `Too many files to count at once: counting them in job ${JOB_ID}…\n`,
    });
    expect(methods()).toEqual(['POST /v1/tagging-jobs', `GET /v1/tagging-jobs/${JOB_ID}`, `GET /v1/tagging-jobs/${JOB_ID}`]);
  });

  it('--yes starts the job after the estimate and follows it to success', async () => {
    script({
      dryRun: { status: 200, body: { total: 3, estimatedProviderCostUsd: 0.003 } },
      start: { status: 202, body: jobAnswer({ status: 'planning', total: null, estimatedProviderCostUsd: null }) },
      states: [
        { status: 200, body: jobAnswer({ status: 'running', done: 1, succeeded: 1 }) },
        { status: 200, body: jobAnswer({ status: 'succeeded', done: 3, succeeded: 2, skipped: 1, finishedAt: '2026-11-30T11:04:00.000Z' }) },
      ],
    });
    const { code, stdout, stderr } = await aitags([...RETAG, '--yes', '--max-files', '10']);
    expect(code).toBe(0);
    expect(stdout).toBe(
      '3 files · estimated provider cost $0.003 (list prices)\n' +
        `Started job ${JOB_ID}\n` +
        `Job ${JOB_ID} succeeded: 2 succeeded · 0 failed · 1 skipped of 3 files\n`,
    );
    // Off a terminal the bar prints whole lines: one as it starts (planning), one every few seconds, one at the end.
    const lines = stderr.split('\n');
    expect(lines[0]).toBe(`planning… finding the files to tag (job ${JOB_ID})`);
    expect(lines.slice(-2)).toEqual([`[${'█'.repeat(30)}] 3/3 files · 2 succeeded · 0 failed · 1 skipped · succeeded`, '']);
    expect(api.requests[1]?.body).toEqual({ path: '/shoots/', extensions: [AWS], removeAITags: false, maxFiles: 10 });
  });

  it.each([
    ['failed', 1],
    ['cancelled', 1],
  ] as const)('exits %i when the job ends %s', async (status, exitCode) => {
    script({
      dryRun: { status: 200, body: { total: 3, estimatedProviderCostUsd: 0.003 } },
      start: { status: 202, body: jobAnswer({ status: 'planning', total: null }) },
      states: [{ status: 200, body: jobAnswer({ status, done: 3, succeeded: 1, failed: 2 }) }],
    });
    const { code, stdout } = await aitags([...RETAG, '--yes']);
    expect(code).toBe(exitCode);
    expect(stdout).toContain(`Job ${JOB_ID} ${status}: 1 succeeded · 2 failed · 0 skipped of 3 files\n`);
  });

  it('refuses to start without --yes when stdin is not a terminal (exit 2), after the estimate', async () => {
    script({ dryRun: { status: 200, body: { total: 3, estimatedProviderCostUsd: 0.003 } } });
    const { code, stdout, stderr } = await aitags(RETAG);
    expect({ code, stdout, stderr }).toEqual({
      code: 2,
      stdout: '3 files · estimated provider cost $0.003 (list prices)\n',
      stderr: 'Not starting: stdin is not a terminal, so there is no one to confirm. Pass --yes to start without asking.\n',
    });
    expect(methods()).toEqual(['POST /v1/tagging-jobs']);
  });

  it('asks on a terminal and starts on y', async () => {
    script({
      dryRun: { status: 200, body: { total: 2000, estimatedProviderCostUsd: 2 } },
      start: { status: 202, body: jobAnswer({ status: 'planning', total: null }) },
      states: [{ status: 200, body: jobAnswer({ status: 'succeeded', total: 2000, done: 2000, succeeded: 2000 }) }],
    });
    const cli = startCli(RETAG, { stdinIsTTY: true });
    await cli.stderr.written('Start tagging 2,000 files for $2.00? [y/N] ');
    cli.stdin.write('y\n');
    expect(await cli.exitCode).toBe(0);
    expect(cli.stdout.text).toContain(`Job ${JOB_ID} succeeded: 2,000 succeeded · 0 failed · 0 skipped of 2,000 files\n`);
  });

  it('starts nothing when the answer is not yes', async () => {
    script({ dryRun: { status: 200, body: { total: 2000, estimatedProviderCostUsd: 2 } } });
    const cli = startCli(RETAG, { stdinIsTTY: true });
    await cli.stderr.written('[y/N] ');
    cli.stdin.write('\n');
    expect(await cli.exitCode).toBe(0);
    expect(cli.stdout.text).toBe('2,000 files · estimated provider cost $2.00 (list prices)\nNothing started.\n');
    expect(methods()).toEqual(['POST /v1/tagging-jobs']);
  });

  it('starts nothing when Ctrl-C answers the question', async () => {
    script({ dryRun: { status: 200, body: { total: 2000, estimatedProviderCostUsd: 2 } } });
    const cli = startCli(RETAG, { stdinIsTTY: true });
    await cli.stderr.written('[y/N] ');
    cli.interrupt.abort();
    expect(await cli.exitCode).toBe(0);
    expect(cli.stdout.text).toContain('Nothing started.\n');
    expect(methods()).toEqual(['POST /v1/tagging-jobs']);
  });

  it('does not start when nothing matches', async () => {
    script({ dryRun: { status: 200, body: { total: 0, estimatedProviderCostUsd: 0 } } });
    const { code, stdout } = await aitags([...RETAG, '--yes']);
    expect({ code, stdout }).toEqual({
      code: 0,
      stdout: '0 files · estimated provider cost $0.00 (list prices)\nNo files match: nothing started.\n',
    });
    expect(methods()).toEqual(['POST /v1/tagging-jobs']);
  });

  it('on Ctrl-C while following, stops following (the job is not cancelled) and says how to follow again (exit 130)', async () => {
    script({
      dryRun: { status: 200, body: { total: 3, estimatedProviderCostUsd: 0.003 } },
      start: { status: 202, body: jobAnswer({ status: 'planning', total: null }) },
      states: [{ status: 200, body: jobAnswer({ status: 'running', done: 1, succeeded: 1 }) }],
    });
    const cli = startCli([...RETAG, '--yes']);
    await cli.stdout.written(`Started job ${JOB_ID}\n`);
    cli.interrupt.abort();
    expect(await cli.exitCode).toBe(130);
    expect(cli.stderr.text).toContain(
      `Stopped following job ${JOB_ID}.\nThe job goes on. Follow it again with:  npx aitags jobs ${JOB_ID}\nCancel it with:                     npx aitags cancel ${JOB_ID}\n`,
    );
    expect(methods()).not.toContain(`DELETE /v1/tagging-jobs/${JOB_ID}`);
  });

  it('prints an API error’s message and help (exit 1)', async () => {
    answer = () => ({ status: 400, body: { message: 'searchQuery: at column 8, expected a value', help: 'Quote string values.' } });
    const { code, stdout, stderr } = await aitags([...RETAG, '--query', 'tags = ', '--dry-run']);
    expect({ code, stdout, stderr }).toEqual({ code: 1, stdout: '', stderr: 'searchQuery: at column 8, expected a value\nQuote string values.\n' });
  });
});

describe('aitags jobs', () => {
  it('lists the jobs as a table', async () => {
    script({ states: [{ status: 200, body: [jobAnswer({ status: 'succeeded', done: 3, succeeded: 3 })] }] });
    const { code, stdout } = await aitags(['jobs']);
    expect(code).toBe(0);
    expect(stdout).toBe(`JOB ID                        STATUS     DONE/TOTAL  CREATED\n${JOB_ID}  succeeded  3/3         2026-11-30 11:03:15Z\n`);
  });

  it('JOB_ID of a job that ended prints its summary and exits with its code', async () => {
    script({ states: [{ status: 200, body: jobAnswer({ status: 'cancelled', done: 1, succeeded: 1 }) }] });
    const { code, stdout, stderr } = await aitags(['jobs', JOB_ID]);
    expect({ code, stdout, stderr }).toEqual({
      code: 1,
      stdout: `Job ${JOB_ID} cancelled: 1 succeeded · 0 failed · 0 skipped of 3 files\n`,
      stderr: '',
    });
  });

  it('JOB_ID of a running job follows it to its end', async () => {
    script({
      states: [
        { status: 200, body: jobAnswer({ status: 'running', done: 1, succeeded: 1 }) },
        { status: 200, body: jobAnswer({ status: 'running', done: 2, succeeded: 2 }) },
        { status: 200, body: jobAnswer({ status: 'succeeded', done: 3, succeeded: 3 }) },
      ],
    });
    const { code, stdout, stderr } = await aitags(['jobs', JOB_ID]);
    expect(code).toBe(0);
    expect(stdout).toBe(`Job ${JOB_ID} succeeded: 3 succeeded · 0 failed · 0 skipped of 3 files\n`);
    const lines = stderr.split('\n');
    expect(lines[0]).toBe(`[${'█'.repeat(10)}${'░'.repeat(20)}] 1/3 files · 1 succeeded · 0 failed · 0 skipped · running`);
    expect(lines.slice(-2)).toEqual([`[${'█'.repeat(30)}] 3/3 files · 3 succeeded · 0 failed · 0 skipped · succeeded`, '']);
  });

  it('JOB_ID of an unknown job prints the 404', async () => {
    answer = () => ({ status: 404, body: { message: 'No tagging job with jobId "job_x"', help: 'List the jobs with GET /v1/tagging-jobs.' } });
    const { code, stderr } = await aitags(['jobs', 'job_x']);
    expect({ code, stderr }).toEqual({ code: 1, stderr: 'No tagging job with jobId "job_x"\nList the jobs with GET /v1/tagging-jobs.\n' });
  });
});

describe('aitags cancel', () => {
  it('cancels the job and prints it', async () => {
    script({ cancel: { status: 200, body: jobAnswer({ status: 'cancelled', done: 1, succeeded: 1, finishedAt: '2026-11-30T11:05:00.000Z' }) } });
    const { code, stdout } = await aitags(['cancel', JOB_ID]);
    expect({ code, stdout }).toEqual({ code: 0, stdout: `Job ${JOB_ID} cancelled: 1 succeeded · 0 failed · 0 skipped of 3 files\n` });
    expect(methods()).toEqual([`DELETE /v1/tagging-jobs/${JOB_ID}`]);
  });

  it('prints the 409 of a job that already ended (exit 1)', async () => {
    script({
      cancel: {
        status: 409,
        body: { message: `Tagging job ${JOB_ID} has already ended (succeeded)`, help: 'Only a job that is planning or running can be cancelled.' },
      },
    });
    const { code, stdout, stderr } = await aitags(['cancel', JOB_ID]);
    expect({ code, stdout, stderr }).toEqual({
      code: 1,
      stdout: '',
      stderr: `Tagging job ${JOB_ID} has already ended (succeeded)\nOnly a job that is planning or running can be cancelled.\n`,
    });
  });
});

describe('usage, settings and connection', () => {
  it('prints the usage for --help (exit 0) and for a bad command line (exit 2)', async () => {
    const help = await aitags(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage:\n {2}aitags retag --extension NAME:MINCONF:MAXTAGS/);
    const bad = await aitags(['retag', '--path', '/shoots/']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^retag needs at least one --extension or --saved-extension\. .*\n\nUsage:\n/);
    expect(api.requests).toEqual([]);
  });

  it('names AITAGS_PRIVATE_KEY when it is missing (exit 2)', async () => {
    const { code, stderr } = await aitags(['jobs'], { env: { AITAGS_PRIVATE_KEY: '' } });
    expect(code).toBe(2);
    expect(stderr).toMatch(/^AITAGS_PRIVATE_KEY is not set/);
  });

  it('says which URL could not be reached', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const { code, stderr } = await aitags(['jobs'], { env: { AITAGS_URL: `http://127.0.0.1:${port}` } });
    expect({ code, stderr }).toEqual({
      code: 1,
      stderr: `Could not reach aitags at http://127.0.0.1:${port} (ECONNREFUSED). Is it running (npm start)? Set AITAGS_URL to its address.\n`,
    });
  });

  it('says when the answer is not the API’s', async () => {
    answer = () => ({ status: 200, body: { hello: 'world' } });
    const { code, stderr } = await aitags(['jobs', JOB_ID]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^Unexpected answer from the API: .*jobId.*\nCheck that AITAGS_URL \(http:\/\/127\.0\.0\.1:\d+\) is the aitags API/);
  });
});
