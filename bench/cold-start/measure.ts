import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** What one fresh process is asked to do: import one bundle, then call its handler with each event in turn. */
export interface ColdRun {
  /** The folder holding index.mjs. */
  dir: string;
  environment: Record<string, string>;
  events: unknown[];
  functionName: string;
  memoryMb: number;
}

export interface ColdResult {
  /** `await import()` alone. */
  importMs: number;
  /** The import and every handler call. */
  totalMs: number;
  results: unknown[];
}

const MARK = '@@cold-start@@';
const CHILD_TIMEOUT_MS = 120_000;

/**
 * Runs in the fresh process. Everything but the clock, the import and the handler calls happens before
 * the clock starts (reading the spec: node:fs is loaded by Node's own bootstrap). Output goes after a
 * marker, because the handlers log to stdout too.
 */
const childSource = (specFile: string) => `
import { readFileSync } from 'node:fs';
const spec = JSON.parse(readFileSync(${JSON.stringify(specFile)}, 'utf8'));
const context = (index) => ({
  callbackWaitsForEmptyEventLoop: true,
  functionName: spec.functionName,
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:' + spec.functionName,
  memoryLimitInMB: String(spec.memoryMb),
  awsRequestId: 'cold-start-' + process.pid + '-' + index,
  logGroupName: '/aws/lambda/' + spec.functionName,
  logStreamName: 'cold-start',
  getRemainingTimeInMillis: () => 30000,
  done() {}, fail() {}, succeed() {},
});
let out;
try {
  const started = performance.now();
  const module = await import(spec.url);
  const importMs = performance.now() - started;
  const results = [];
  for (let index = 0; index < spec.events.length; index++) results.push(await module.handler(spec.events[index], context(index)));
  out = { importMs, totalMs: performance.now() - started, results };
} catch (error) {
  out = { error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
}
process.stdout.write('\\n${MARK}' + JSON.stringify(out) + '\\n', () => process.exit(0));
`;

let sequence = 0;

/** One fresh `node` process: import the bundle (and call the handler); throws with the child's output on failure. */
export async function coldRun(run: ColdRun, scratchDir: string): Promise<ColdResult> {
  const specFile = join(scratchDir, `run-${++sequence}.json`);
  const url = pathToFileURL(join(run.dir, 'index.mjs')).href;
  await writeFile(specFile, JSON.stringify({ url, events: run.events, functionName: run.functionName, memoryMb: run.memoryMb }));
  const { stdout, stderr, failure } = await new Promise<{ stdout: string; stderr: string; failure: Error | null }>((resolve) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', childSource(specFile)],
      { cwd: scratchDir, env: run.environment, timeout: CHILD_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 },
      (error, out, err) => resolve({ stdout: out, stderr: err, failure: error }),
    );
  });
  const line = stdout
    .split('\n')
    .reverse()
    .find((text) => text.startsWith(MARK));
  const parsed = line ? (JSON.parse(line.slice(MARK.length)) as Partial<ColdResult> & { error?: string }) : undefined;
  if (!parsed || parsed.error !== undefined || parsed.importMs === undefined || parsed.totalMs === undefined) {
    const why = parsed?.error ?? failure?.message ?? 'no result printed';
    throw new Error(`${run.functionName} (${url}): ${why}\n${tail(stderr)}${tail(stdout.replace(line ?? '', ''))}`.trimEnd());
  }
  return { importMs: parsed.importMs, totalMs: parsed.totalMs, results: parsed.results ?? [] };
}

/** The last lines of a child's output, without the minified bundle line Node prints for a load error. */
const tail = (text: string) =>
  text
    .split('\n')
    .filter((line) => line.trim() !== '' && line.length < 600)
    .slice(-25)
    .map((line) => `  | ${line}\n`)
    .join('');

/**
 * Round-robin: every job once per round, rounds one after another, so a noisy moment hits a function
 * and its floor alike. The starting job rotates each round so no job always follows the same one.
 */
export async function roundRobin<Job>(
  jobs: readonly Job[],
  rounds: number,
  once: (job: Job, round: number) => Promise<void>,
  afterRound: (round: number) => void = () => undefined,
): Promise<void> {
  for (let round = 0; round < rounds; round++) {
    for (let index = 0; index < jobs.length; index++) {
      const job = jobs[(index + round) % jobs.length] as Job;
      await once(job, round);
    }
    afterRound(round);
  }
}
