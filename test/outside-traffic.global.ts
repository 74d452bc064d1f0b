import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * Every process the tests start (the test workers, `npm start`, the CLI, bundles loaded as deployed) runs
 * with test/support/outside-traffic-guard.mjs preloaded: a connection or name lookup outside loopback is
 * refused there and written to a log, and the run fails at the end if the log holds anything. The npm
 * registry is the one host allowed: `cdk synth` installs sharp into the bundles that ship it.
 */
const GUARD = fileURLToPath(new URL('./support/outside-traffic-guard.mjs', import.meta.url));
const ALLOWED_HOSTS = ['registry.npmjs.org'];

export default async function setup() {
  const dir = await mkdtemp(join(tmpdir(), 'aitags-outside-traffic-'));
  const log = join(dir, 'attempts.log');
  process.env.NODE_OPTIONS = [process.env.NODE_OPTIONS, `--import=${pathToFileURL(GUARD).href}`].filter(Boolean).join(' ');
  process.env.OUTSIDE_TRAFFIC_LOG = log;
  process.env.OUTSIDE_TRAFFIC_ALLOW = ALLOWED_HOSTS.join(',');
  return async () => {
    const attempts = await readFile(log, 'utf8').catch(() => '');
    await rm(dir, { recursive: true, force: true });
    if (!attempts.trim()) return;
    // A teardown's exception is only printed by vitest: the exit code is what CI reads.
    console.error(`Processes under test tried to reach beyond loopback (refused):\n${attempts}`);
    process.exitCode = 1;
  };
}
