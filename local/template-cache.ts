import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { AitagsStackProps } from '../infra/aitags-stack.js';
import type { CfnTemplate } from './synthesized-template.js';

const repoRoot = fileURLToPath(new URL('../', import.meta.url));
/** What the template is made of: the stack, the handlers it names, the locked dependencies, and the synth itself. */
const SOURCES = ['infra', 'functions'];
const SOURCE_FILES = ['package-lock.json', 'local/synthesize.ts', 'local/synth-main.ts'];

/** A digest of everything the template depends on, and of the stack's props. */
async function templateKey(props: AitagsStackProps): Promise<string> {
  const hash = createHash('sha256').update(JSON.stringify(props));
  const files = [...SOURCE_FILES];
  for (const dir of SOURCES) {
    const entries = await readdir(join(repoRoot, dir), { recursive: true, withFileTypes: true });
    files.push(...entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name).slice(repoRoot.length)));
  }
  for (const file of files.sort()) hash.update(`\0${file}\0`).update(await readFile(join(repoRoot, file)));
  return hash.digest('hex').slice(0, 32);
}

/** Shared by every local stack of this checkout (npm start, the tests' stacks, the benches). */
const CACHE_DIR = join(repoRoot, 'node_modules/.cache/aitags-template');
/** Templates of sources older than this are dropped when a new one is written. */
const KEEP_MS = 24 * 3600 * 1000;

/**
 * The stack's template as `cdk synth` writes it: read back from the cache when nothing it depends on has
 * changed, else synthesized in a child process (local/synth-main.ts) and kept. Either way aws-cdk-lib
 * (≈ 3 s to load and synthesize, and most of a server's memory) stays out of the process that serves.
 */
export async function localTemplate(props: AitagsStackProps): Promise<{ template: CfnTemplate; cached: boolean }> {
  const file = join(CACHE_DIR, `${await templateKey(props)}.json`);
  try {
    return { template: JSON.parse(await readFile(file, 'utf8')) as CfnTemplate, cached: true };
  } catch {
    // Not synthesized yet for these sources.
  }
  await mkdir(CACHE_DIR, { recursive: true });
  await dropOldTemplates();
  await promisify(execFile)(
    process.execPath,
    ['--import', import.meta.resolve('tsx'), join(repoRoot, 'local/synth-main.ts'), file, JSON.stringify(props)],
    { cwd: repoRoot, env: { ...process.env, CDK_DISABLE_VERSION_CHECK: 'true' }, maxBuffer: 16 * 1024 * 1024 },
  );
  return { template: JSON.parse(await readFile(file, 'utf8')) as CfnTemplate, cached: false };
}

async function dropOldTemplates(): Promise<void> {
  for (const name of await readdir(CACHE_DIR)) {
    const path = join(CACHE_DIR, name);
    const { mtimeMs } = await stat(path).catch(() => ({ mtimeMs: Date.now() }));
    if (Date.now() - mtimeMs > KEEP_MS) await rm(path, { force: true });
  }
}
