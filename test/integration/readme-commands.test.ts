import { type ChildProcess, spawn } from 'node:child_process';
import { readdir, readFile, rm, symlink } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The README's shell commands, run as written, in order, on a fresh data dir: every ```sh block before
 * "## Test" (the quick start, the curl session, direct upload, search, tagging jobs, the fakes, webhooks).
 * What changes is only where they run: the commands run in a directory that links the repo's files but
 * has its own `.aitags`, and the ports the README names (3000, 9001, 9002, 4000) become free random ones.
 * `npm install` is skipped (the test runs on an installed repo); `npm start`, `npm run fakes` and
 * `npm run webhook-receiver` run in the background, each replacing the last of its kind, as a terminal of
 * its own would; every other command runs in one bash session, so variables carry from one to the next.
 * Each command must exit 0, and its output must agree with the `#` lines under it: a documented
 * `{"message"…}` or 4xx is an error answer, a documented JSON answer is JSON without `message`, `204` is
 * empty, and each `"status"` and extension status it shows is the one it shows. A read (a curl GET) that
 * does not agree yet is read again for up to 20 s: the README's "a moment later".
 */

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const README_PORTS = { api: 3000, rekognition: 9001, vision: 9002, receiver: 4000 };
/** Pairs whose value the README shows and the test checks: statuses, not ids or times. */
const CHECKED_KEYS = ['status', 'aws-auto-tagging', 'google-auto-tagging'];
const READ_AGAIN_FOR_MS = 20_000;

interface Command {
  section: string;
  text: string;
  /** The `#` comment on its last line. */
  note: string;
  /** The `#` lines under it: the answer the README shows. */
  answer: string;
}

type ServiceKind = 'start' | 'fakes' | 'receiver';

/** The README's ```sh commands before "## Test", with what each is documented to answer. */
function readmeCommands(readme: string): Command[] {
  const commands: Command[] = [];
  let section = '';
  let inBlock = false;
  let pending: string[] = [];
  let last: Command | undefined;
  for (const line of readme.split('\n')) {
    if (!inBlock && /^## Test\b/.test(line)) break;
    if (!inBlock && /^#{2,4} /.test(line)) section = line.replace(/^#+ /, '');
    if (/^```/.test(line)) {
      inBlock = !inBlock && line === '```sh';
      last = undefined;
      continue;
    }
    if (!inBlock) continue;
    if (pending.length === 0 && /^\s*#/.test(line)) {
      if (last) last.answer = `${last.answer} ${line.replace(/^\s*#\s?/, '')}`.trim();
      continue;
    }
    if (pending.length === 0 && line.trim() === '') {
      last = undefined;
      continue;
    }
    pending.push(line);
    if (line.endsWith('\\') || insideQuotes(pending.join('\n'))) continue;
    const text = pending.join('\n');
    const trailing = /\s#\s(.*)$/.exec(line);
    last = { section, text, note: trailing?.[1]?.trim() ?? '', answer: '' };
    commands.push(last);
    pending = [];
  }
  return commands;
}

/** Whether shell text ends inside a quoted string (a command that goes on on the next line). */
function insideQuotes(text: string): boolean {
  let quote: '"' | "'" | undefined;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (quote === "'") {
      if (char === "'") quote = undefined;
    } else if (char === '\\') index++;
    else if (quote === '"') {
      if (char === '"') quote = undefined;
    } else if (char === '"' || char === "'") quote = char;
    else if (char === '#' && (index === 0 || /\s/.test(text[index - 1] ?? ''))) {
      // A comment runs to the end of its line.
      const end = text.indexOf('\n', index);
      index = end < 0 ? text.length : end;
    }
  }
  return quote !== undefined;
}

function serviceKind(text: string): ServiceKind | 'install' | undefined {
  const command = text.replace(/\s#\s.*$/gm, '').replace(/\\\n/g, ' ');
  if (/^\s*npm (install|ci)\s*$/.test(command)) return 'install';
  if (/(^|\s)npm start\s*$/.test(command)) return 'start';
  if (/(^|\s)npm run fakes\s*$/.test(command)) return 'fakes';
  if (/(^|\s)npm run webhook-receiver\s*$/.test(command)) return 'receiver';
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

let workDir: string | undefined;
const services = new Map<ServiceKind, { child: ChildProcess; output: () => string }>();
let session: ChildProcess | undefined;

afterAll(async () => {
  session?.kill('SIGKILL');
  for (const kind of [...services.keys()]) await stopService(kind);
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

async function stopService(kind: ServiceKind): Promise<void> {
  const service = services.get(kind);
  if (!service) return;
  services.delete(kind);
  if (service.child.exitCode !== null || service.child.signalCode !== null) return;
  const exited = new Promise((resolve) => service.child.once('exit', resolve));
  // The whole group: bash, npm and the node process under them, as Ctrl-C in a terminal.
  process.kill(-(service.child.pid ?? 0), 'SIGINT');
  await exited;
}

const READY: Record<ServiceKind, RegExp> = {
  start: /\n {2}try: /,
  fakes: /Start aitags against them with/,
  receiver: /webhook receiver on /,
};

async function startService(kind: ServiceKind, text: string, env: NodeJS.ProcessEnv, cwd: string): Promise<string> {
  await stopService(kind);
  const child = spawn('bash', ['-c', text], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  services.set(kind, { child, output: () => output });
  await new Promise<void>((resolve, reject) => {
    const check = () => {
      if (READY[kind].test(output)) {
        child.stdout?.off('data', check);
        child.off('exit', exited);
        resolve();
      }
    };
    const exited = (code: number | null) => reject(new Error(`${text}\nexited with ${code} before it was ready:\n${output}`));
    child.stdout?.on('data', check);
    child.once('exit', exited);
    check();
  });
  return output;
}

/** A bash that runs one command at a time and says where each one's output ends, and its exit code. */
function startSession(cwd: string, env: NodeJS.ProcessEnv) {
  const shell = spawn('bash', ['--noprofile', '--norc', '-s'], { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  shell.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  shell.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  let count = 0;
  const run = (text: string, timeoutMs: number) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
      const marker = `@@aitags-readme-${++count}@@`;
      const [outStart, errStart] = [stdout.length, stderr.length];
      // In braces with stdin closed: a command that reads stdin must not read the next commands.
      shell.stdin?.write(`{\n${text}\n} </dev/null\nprintf '\\n${marker}%s\\n' "$?"\n`);
      const timer = setTimeout(() => {
        clearInterval(poll);
        reject(new Error(`no answer in ${timeoutMs} ms:\n${stdout.slice(outStart)}\n${stderr.slice(errStart)}`));
      }, timeoutMs);
      const poll = setInterval(() => {
        const at = stdout.indexOf(`\n${marker}`, outStart);
        const end = at < 0 ? -1 : stdout.indexOf('\n', at + marker.length + 1);
        if (end < 0) return;
        clearInterval(poll);
        clearTimeout(timer);
        resolve({
          code: Number(stdout.slice(at + marker.length + 1, end)),
          stdout: stdout.slice(outStart, at).trim(),
          stderr: stderr.slice(errStart).trim(),
        });
      }, 20);
    });
  return { shell, run };
}

/** What is wrong with a command's output given the README's `#` lines under it; empty when they agree. */
function disagreements({ note, answer }: Command, stdout: string): string[] {
  const problems: string[] = [];
  const status = /^(\d{3})\b/.exec(note)?.[1] ?? /^(\d{3})\b/.exec(answer)?.[1];
  const documented = answer.replace(/^\d{3}\b\s*/, '');
  const parsed = (() => {
    try {
      return JSON.parse(stdout) as unknown;
    } catch {
      return undefined;
    }
  })();
  const isError = typeof parsed === 'object' && parsed !== null && 'message' in parsed;
  if (status === '204' && stdout !== '') problems.push(`expected no body (204), got ${stdout}`);
  if ((status && Number(status) >= 400) || documented.startsWith('{"message"')) {
    if (!isError) problems.push(`expected an error answer {message, help}, got ${stdout}`);
  } else if (/^[{[]/.test(documented)) {
    if (parsed === undefined) problems.push(`expected JSON, got ${stdout}`);
    else if (isError) problems.push(`expected an answer, got the error ${stdout}`);
    for (const key of CHECKED_KEYS) {
      for (const [pair] of documented.matchAll(new RegExp(`"${key}":"[^"…]+"`, 'g'))) {
        if (!stdout.includes(pair)) problems.push(`expected ${pair} in ${stdout}`);
      }
    }
  }
  return problems;
}

/** A curl that only reads: safe to send again. */
const isRead = (text: string) => /^curl -s -u "\$KEY:" /.test(text) && !/\s-(X|d|F)\s/.test(text);

describe('the README', () => {
  it('runs as written: the quick start, then every command of "Run it locally", against npm start on a fresh data dir', async () => {
    const readme = await readFile(join(repoRoot, 'README.md'), 'utf8');
    const commands = readmeCommands(readme);
    expect(commands.length).toBeGreaterThan(20);
    expect(commands[0]?.section).toBe('Quick start');

    workDir = await mkdtemp(join(tmpdir(), 'aitags-readme-'));
    // The repo's files, linked; only the data dir (.aitags) is this test's own.
    for (const entry of await readdir(repoRoot)) {
      if (entry !== '.aitags' && entry !== '.git') await symlink(join(repoRoot, entry), join(workDir, entry));
    }
    const ports = {
      api: await freePort(),
      rekognition: await freePort(),
      vision: await freePort(),
      receiver: await freePort(),
    };
    const placed = (text: string) =>
      text
        .replaceAll(`127.0.0.1:${README_PORTS.api}`, `127.0.0.1:${ports.api}`)
        .replaceAll(`127.0.0.1:${README_PORTS.rekognition}`, `127.0.0.1:${ports.rekognition}`)
        .replaceAll(`127.0.0.1:${README_PORTS.vision}`, `127.0.0.1:${ports.vision}`)
        .replaceAll(`127.0.0.1:${README_PORTS.receiver}`, `127.0.0.1:${ports.receiver}`);
    // A fresh machine: no credentials nor settings of this one's user.
    const nowhere = join(workDir, 'no-such-aws-file');
    const env: NodeJS.ProcessEnv = {
      ...Object.fromEntries(
        Object.entries(process.env).filter(([name]) => !/^(AITAGS_|AWS_|GOOGLE_|POWERTOOLS_|REKOGNITION_|VISION_|FAKE_|PORT$)/.test(name)),
      ),
      AWS_SHARED_CREDENTIALS_FILE: nowhere,
      AWS_CONFIG_FILE: nowhere,
      // The CLI's default address is the README's port.
      AITAGS_URL: `http://127.0.0.1:${ports.api}`,
    };
    const serviceEnv: Record<ServiceKind, NodeJS.ProcessEnv> = {
      start: { ...env, PORT: String(ports.api) },
      fakes: { ...env, REKOGNITION_FAKE_PORT: String(ports.rekognition), VISION_FAKE_PORT: String(ports.vision) },
      receiver: { ...env, PORT: String(ports.receiver) },
    };
    const { shell, run } = startSession(workDir, env);
    session = shell;
    const banners: string[] = [];

    for (const command of commands) {
      const text = placed(command.text);
      const kind = serviceKind(text);
      if (kind === 'install') continue;
      const where = `README, "${command.section}":\n${command.text}`;
      if (kind) {
        const output = await startService(kind, text, serviceEnv[kind], workDir);
        if (kind === 'start') banners.push(output);
        continue;
      }
      const deadline = Date.now() + READ_AGAIN_FOR_MS;
      for (;;) {
        const result = await run(text, 180_000);
        const problems = [
          ...(result.code === 0 ? [] : [`exit code ${result.code}; stderr: ${result.stderr}`]),
          ...disagreements(command, result.stdout),
        ];
        if (problems.length === 0) break;
        if (!isRead(command.text) || Date.now() > deadline) throw new Error(`${where}\n\n${problems.join('\n')}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }

    // The first start, with no credentials, says so and how to fix it; the starts against the fakes find them.
    expect(banners.length).toBeGreaterThanOrEqual(3);
    expect(banners[0]).toMatch(/aws-auto-tagging: not configured\. \S/);
    expect(banners[0]).toMatch(/google-auto-tagging: not configured\. \S/);
    for (const banner of banners.slice(1)) {
      expect(banner).toContain('aws-auto-tagging: available');
      expect(banner).toContain('google-auto-tagging: available');
    }
  }, 300_000);
});
