import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The local stack started in a process of its own, every handler loaded; then which packages that process
 * holds (CommonJS ones are in require.cache, aws-cdk-lib among them if anything imported it).
 */
const SCRIPT = `
import { createRequire } from 'node:module';
const { startLocalStack } = await import('./local/stack.ts');
const stack = await startLocalStack({ dataDir: process.env.DATA_DIR, port: 0, env: { POWERTOOLS_LOG_LEVEL: 'SILENT' } });
const loaded = Object.keys(createRequire(process.cwd() + '/').cache);
const count = (name) => loaded.filter((path) => path.includes('/node_modules/' + name + '/')).length;
await stack.stop();
console.log(JSON.stringify({ awsCdkLib: count('aws-cdk-lib'), dynamoDbClient: count('@aws-sdk/client-dynamodb') }));
`;

describe('the local server process', () => {
  it('serves every handler without loading aws-cdk-lib (the template is synthesized in a child, or read from the cache)', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'aitags-server-modules-'));
    try {
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', SCRIPT], {
        cwd: repoRoot,
        env: { ...process.env, DATA_DIR: dataDir, AITAGS_PRIVATE_KEY: 'private_test', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      });
      const modules = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { awsCdkLib: number; dynamoDbClient: number };
      // The count itself works: the handlers' SDK clients are there.
      expect(modules.dynamoDbClient).toBeGreaterThan(0);
      expect(modules.awsCdkLib).toBe(0);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
