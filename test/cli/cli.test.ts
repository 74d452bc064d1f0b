import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jpeg } from '../support/images.js';
import { type Providers, startProviders } from '../support/providers.js';
import { blob, getDetails, upload } from '../support/requests.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

/** The `aitags` bin as a user runs it (a child process, no terminal) against the local stack with the provider fakes. */

const BIN = fileURLToPath(new URL('../../cli/aitags.mjs', import.meta.url));
const SHOOTS = 3;

let providers: Providers;
let stack: TestStack;
const shootIds: string[] = [];

beforeAll(async () => {
  providers = await startProviders({ rekognition: [{ name: 'Cat', confidence: 97.4 }] });
  // A provider call that hangs stays hung (until the fakes stop): the cancelled job below cannot finish first.
  stack = await startTestStack({ ...providers.env, AITAGS_LOCAL_WAIT_SCALE: '0.01', AITAGS_PROVIDER_TIMEOUT_MS: '600000' });
  for (let index = 0; index < SHOOTS; index++) {
    const { body } = await upload<{ fileId: string }>(stack, { file: blob(await jpeg()), fileName: `shot-${index}.jpg`, folder: '/shoots' });
    shootIds.push(body.fileId);
  }
  // Outside the selection: never counted, never tagged.
  await upload(stack, { file: blob(await jpeg()), fileName: 'elsewhere.jpg', folder: '/other' });
});
afterAll(async () => {
  // The fakes first: stopping them ends the hung calls of the cancelled job.
  await providers?.stop();
  await stack?.close();
});

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the bin with stdin a closed pipe (not a terminal): `exited` resolves when it exits, `printed` when stdout matches. */
function aitags(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, AITAGS_URL: stack.apiUrl, AITAGS_PRIVATE_KEY: stack.privateKey, AITAGS_CLI_POLL_MS: '50', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin.end();
  let stdout = '';
  let stderr = '';
  const watchers: Array<() => void> = [];
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (const watcher of watchers) watcher();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<Exit>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
  const printed = (pattern: RegExp) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const check = () => {
        const match = pattern.exec(stdout);
        if (match) resolve(match);
      };
      watchers.push(check);
      check();
      exited.then(() => reject(new Error(`exited before printing ${pattern}: ${stdout}${stderr}`)), reject);
    });
  return { exited, printed };
}

const run = (args: string[], env?: Record<string, string>) => aitags(args, env).exited;
const RETAG_SHOOTS = ['retag', '--path', '/shoots/', '--extension', 'aws-auto-tagging:50:5'];

describe('npx aitags against the local stack', () => {
  let jobId = '';

  it('retag --dry-run counts the files under the path and prices them, tagging nothing', async () => {
    const { code, stdout, stderr } = await run([...RETAG_SHOOTS, '--dry-run']);
    expect({ code, stdout, stderr }).toEqual({ code: 0, stdout: '3 files · estimated provider cost $0.003 (list prices)\n', stderr: '' });
    expect(providers.rekognition.requests).toEqual([]);
  });

  it('retag without --yes and without a terminal refuses to start (exit 2)', async () => {
    const { code, stdout, stderr } = await run(RETAG_SHOOTS);
    expect({ code, stdout, stderr }).toEqual({
      code: 2,
      stdout: '3 files · estimated provider cost $0.003 (list prices)\n',
      stderr: 'Not starting: stdin is not a terminal, so there is no one to confirm. Pass --yes to start without asking.\n',
    });
  });

  it('retag --yes tags the files, showing the progress and a summary', async () => {
    const { code, stdout, stderr } = await run([...RETAG_SHOOTS, '--yes']);
    expect({ code, stderr: stderr.trim().split('\n').at(-1) }).toEqual({
      code: 0,
      stderr: `[${'█'.repeat(30)}] 3/3 files · 3 succeeded · 0 failed · 0 skipped · succeeded`,
    });
    const started = /^Started job (\S+)$/m.exec(stdout);
    jobId = started?.[1] ?? '';
    expect(stdout).toBe(
      '3 files · estimated provider cost $0.003 (list prices)\n' +
        `Started job ${jobId}\n` +
        `Job ${jobId} succeeded: 3 succeeded · 0 failed · 0 skipped of 3 files\n`,
    );
    for (const fileId of shootIds) {
      expect((await getDetails<{ AITags: unknown }>(stack, fileId)).body.AITags).toEqual([
        { name: 'Cat', confidence: 97.4, source: 'aws-auto-tagging' },
      ]);
    }
    expect(providers.rekognition.requests).toHaveLength(SHOOTS);
  });

  it('jobs JOB_ID of the finished job prints its summary (exit 0)', async () => {
    const { code, stdout } = await run(['jobs', jobId]);
    expect({ code, stdout }).toEqual({ code: 0, stdout: `Job ${jobId} succeeded: 3 succeeded · 0 failed · 0 skipped of 3 files\n` });
  });

  it('jobs lists it', async () => {
    const { code, stdout } = await run(['jobs']);
    expect(code).toBe(0);
    expect(stdout.split('\n')[0]).toMatch(/^JOB ID +STATUS +DONE\/TOTAL +CREATED$/);
    expect(stdout).toMatch(new RegExp(`^${jobId} +succeeded +3/3 +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ$`, 'm'));
  });

  it('cancel of the finished job prints the 409 (exit 1)', async () => {
    const { code, stdout, stderr } = await run(['cancel', jobId]);
    expect({ code, stdout, stderr }).toEqual({
      code: 1,
      stdout: '',
      stderr: `Tagging job ${jobId} has already ended (succeeded)\nOnly a job that is planning or running can be cancelled.\n`,
    });
  });

  it('retag --saved-extension runs a saved extension’s config', async () => {
    const response = await fetch(`${stack.apiUrl}/v1/saved-extensions`, {
      method: 'POST',
      headers: { authorization: stack.auth, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Only the surest', config: { name: 'aws-auto-tagging', minConfidence: 99, maxTags: 5 } }),
    });
    const { id } = (await response.json()) as { id: string };
    const { code, stdout } = await run(['retag', '--path', '/shoots/', '--saved-extension', id, '--yes']);
    expect({ code, summary: stdout.trim().split('\n').at(-1) }).toEqual({
      code: 0,
      summary: expect.stringMatching(/^Job \S+ succeeded: 3 succeeded · 0 failed · 0 skipped of 3 files$/),
    });
    // Cat at 97.4 is under the saved extension's 99: the run replaced the tags with none.
    for (const fileId of shootIds) expect((await getDetails<{ AITags: unknown }>(stack, fileId)).body.AITags).toBeNull();
  });

  it('a job cancelled while it runs ends the follower with exit 1', async () => {
    // Rekognition does not answer (each call hangs, and the SDK tries twice): no file can finish before the cancel.
    providers.rekognition.behave({ failures: Array(2 * SHOOTS).fill('hang') });
    try {
      const follower = aitags([...RETAG_SHOOTS, '--yes']);
      const [, runningId = ''] = await follower.printed(/^Started job (\S+)$/m);
      const cancel = await run(['cancel', runningId]);
      expect({ code: cancel.code, stdout: cancel.stdout }).toEqual({
        code: 0,
        stdout: expect.stringMatching(new RegExp(`^Job ${runningId} cancelled: 0 succeeded · 0 failed · 0 skipped of `)),
      });
      const { code, stdout } = await follower.exited;
      expect(code).toBe(1);
      expect(stdout).toMatch(new RegExp(`^Job ${runningId} cancelled: 0 succeeded · 0 failed · 0 skipped of `, 'm'));
    } finally {
      providers.rekognition.reset();
    }
  });

  it('without AITAGS_PRIVATE_KEY says which variable to set (exit 2)', async () => {
    const { code, stdout, stderr } = await run(['jobs'], { AITAGS_PRIVATE_KEY: '' });
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr).toMatch(/^AITAGS_PRIVATE_KEY is not set: export the private key of your aitags/);
  });
});
