import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, open, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const ELF_MACHINE_AARCH64 = 0xb7;

interface FunctionResource {
  Type: string;
  Properties?: { Environment?: { Variables?: Record<string, unknown> } };
  Metadata?: { 'aws:cdk:path'?: string; 'aws:asset:path'?: string };
}

let outDir: string;
/** Handler entry's construct id (`Upload`, `GetDetails`, …) → its bundled asset folder. */
const assets = new Map<string, string>();
const environments: Record<string, unknown>[] = [];

beforeAll(async () => {
  // Act: the real app through the real CLI, bundling with local esbuild and npm, no AWS access.
  outDir = await mkdtemp(join(tmpdir(), 'aitags-synth-'));
  await run(
    join(repoRoot, 'node_modules/.bin/cdk'),
    ['synth', '--no-notices', '--lookups=false', '-q', '-c', 'syncWindowMs=1500', '-o', outDir],
    {
      cwd: repoRoot,
      env: { ...process.env, CDK_DISABLE_VERSION_CHECK: 'true' },
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const template = JSON.parse(await readFile(join(outDir, 'Aitags.template.json'), 'utf8')) as {
    Resources: Record<string, FunctionResource>;
  };
  for (const resource of Object.values(template.Resources)) {
    const path = resource.Metadata?.['aws:cdk:path']?.match(/^Aitags\/Api\/(\w+)\/Resource$/);
    const asset = resource.Metadata?.['aws:asset:path'];
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    environments.push(resource.Properties?.Environment?.Variables ?? {});
    if (path?.[1] && asset) assets.set(path[1], join(outDir, asset));
  }
}, 180_000);

afterAll(async () => {
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

function asset(id: string): string {
  const folder = assets.get(id);
  if (!folder) throw new Error(`no bundled asset for Aitags/Api/${id}`);
  return folder;
}

async function elfMachine(file: string): Promise<number> {
  const handle = await open(file, 'r');
  try {
    const header = Buffer.alloc(20);
    await handle.read(header, 0, 20, 0);
    expect(header.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
    return header.readUInt16LE(18);
  } finally {
    await handle.close();
  }
}

describe('cdk synth with bundling', () => {
  it('takes the sync window from context and keeps the default upload cap', () => {
    expect(environments.length).toBeGreaterThan(0);
    for (const variables of environments) {
      expect(variables).toMatchObject({ AITAGS_SYNC_WINDOW_MS: '1500', AITAGS_MAX_UPLOAD_BYTES: '4194304' });
    }
  });

  it('bundles every handler as a minified ES module with a source map and a real require()', async () => {
    expect([...assets.keys()].sort()).toEqual(['DeleteFile', 'GetDetails', 'RouteNotFound', 'UpdateDetails', 'Upload']);
    for (const folder of assets.values()) {
      const code = await readFile(join(folder, 'index.mjs'), 'utf8');
      expect(code.startsWith("import { createRequire as __aitagsCreateRequire } from 'node:module';")).toBe(true);
      expect(existsSync(join(folder, 'index.mjs.map'))).toBe(true);
    }
  });

  it('ships sharp to upload with the linux arm64 glibc binaries only', async () => {
    const img = join(asset('Upload'), 'node_modules/@img');
    expect((await readdir(img)).sort()).toEqual(['colour', 'sharp-libvips-linux-arm64', 'sharp-linux-arm64']);
    const lib = join(img, 'sharp-linux-arm64/lib');
    const addon = (await readdir(lib)).find((name) => name.endsWith('.node'));
    expect(addon).toBeDefined();
    expect(await elfMachine(join(lib, addon ?? ''))).toBe(ELF_MACHINE_AARCH64);
    expect(await readFile(join(asset('Upload'), 'index.mjs'), 'utf8')).toMatch(/from\s*"sharp"/);
  });

  it('bundles everything else into the handlers that do not use sharp', async () => {
    for (const id of ['GetDetails', 'UpdateDetails', 'DeleteFile', 'RouteNotFound']) {
      expect(existsSync(join(asset(id), 'node_modules'))).toBe(false);
    }
  });

  // upload is left out: its sharp binary is for arm64 Lambda, not necessarily this machine.
  it.each(['GetDetails', 'UpdateDetails', 'DeleteFile', 'RouteNotFound'])(
    'the %s bundle loads and exports handler',
    async (id) => {
      const url = pathToFileURL(join(asset(id), 'index.mjs')).href;
      const { stdout } = await run(
        process.execPath,
        ['--input-type=module', '-e', `const m = await import(${JSON.stringify(url)}); console.log(typeof m.handler);`],
        {
          env: {
            ...process.env,
            AWS_REGION: 'us-east-1',
            AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
            AITAGS_BUCKET: 'bucket',
            AITAGS_TABLE: 'table',
            AITAGS_DELIVERY_BASE_URL: 'https://cdn.example',
            AITAGS_PRIVATE_KEY_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:key',
          },
        },
      );
      expect(stdout.trim()).toBe('function');
    },
  );
});
