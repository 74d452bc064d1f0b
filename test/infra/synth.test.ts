import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, open, readdir, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEPLOYED_VALUES } from '../../bench/cold-start/synthesized-functions.js';
import { BUNDLE_BANNER, HANDLER_ENTRY_METADATA } from '../../infra/lambda-function.js';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const ELF_MACHINE_AARCH64 = 0xb7;

/** Bundles that ship sharp's linux arm64 binary, which cannot load on an x64 machine. */
const WITH_SHARP = ['upload', 'tag-with-rekognition', 'tag-with-vision', 'on-object-created'];
const WITHOUT_SHARP = [
  'upload-url',
  'get-details',
  'update-details',
  'delete-file',
  'list-files',
  'bulk-tags',
  'delete-files',
  'serve-page',
  'route-not-found',
  'get-status',
  'tag-policy',
  'saved-extensions',
  'reconcile-runs',
  'record-extension-failure',
  'take-turn',
  'deliver-webhook',
  'continue-on-standard',
  'tagging-jobs',
  'plan-tagging-job',
  'start-job-file',
  'count-job-file',
  'finish-tagging-job',
  'deliver-job-webhook',
];
/** Given on the command line as JSON text, as the README shows. */
const DEFAULT_EXTENSIONS = [{ name: 'aws-auto-tagging', minConfidence: 80, maxTags: 10 }];

interface FunctionResource {
  Type: string;
  Properties?: { Environment?: { Variables?: Record<string, unknown> } };
  Metadata?: { 'aws:cdk:path'?: string; 'aws:asset:path'?: string; [HANDLER_ENTRY_METADATA]?: string };
}

interface BundledFunction {
  /** The bundled asset folder. */
  asset: string;
  /** The function's environment as the template gives it: text, or a Ref/Fn::GetAtt resolved at deploy time. */
  variables: Record<string, unknown>;
}

let outDir: string;
/** Handler entry (`upload`, `tag-with-vision`, …) → its function in the synthesized template. */
const functions = new Map<string, BundledFunction>();

beforeAll(async () => {
  // Act: the real app through the real CLI, bundling with local esbuild and npm, no AWS access.
  outDir = await mkdtemp(join(tmpdir(), 'aitags-synth-'));
  await run(
    join(repoRoot, 'node_modules/.bin/cdk'),
    [
      'synth',
      '--no-notices',
      '--lookups=false',
      '-q',
      '-c',
      'syncWindowMs=1500',
      '-c',
      `defaultExtensions=${JSON.stringify(DEFAULT_EXTENSIONS)}`,
      '-o',
      outDir,
    ],
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
    const entry = resource.Metadata?.[HANDLER_ENTRY_METADATA];
    const asset = resource.Metadata?.['aws:asset:path'];
    if (resource.Type !== 'AWS::Lambda::Function' || !entry || !asset) continue;
    if (functions.has(entry)) throw new Error(`two functions run functions/${entry}.ts`);
    functions.set(entry, { asset: join(outDir, asset), variables: resource.Properties?.Environment?.Variables ?? {} });
  }
}, 180_000);

afterAll(async () => {
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

function bundled(entry: string): BundledFunction {
  const fn = functions.get(entry);
  if (!fn) throw new Error(`no bundled function runs functions/${entry}.ts`);
  return fn;
}

const asset = (entry: string) => bundled(entry).asset;

/** The variables the function would see on AWS: the template's text, and a deployed value for each token. */
function deployedEnvironment(entry: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(bundled(entry).variables).map(([name, value]) => {
      if (typeof value === 'string') return [name, value];
      const deployed = (DEPLOYED_VALUES as Readonly<Record<string, string>>)[name];
      if (!deployed) throw new Error(`${entry} gets ${name} from ${JSON.stringify(value)}: add a deployed value to DEPLOYED_VALUES`);
      return [name, deployed];
    }),
  );
}

/** Where a loaded bundle's AWS clients are sent: a closed loopback port (an init that calls out is refused there). */
const CLOSED_PORT_URL = 'http://127.0.0.1:1';
const OUTSIDE_GUARD = fileURLToPath(new URL('../support/outside-traffic-guard.mjs', import.meta.url));

/**
 * Imports the bundle in a fresh Node.js with exactly these AITAGS_ variables; `typeof handler`. A bundle's
 * init may warm its clients up: it must never reach outside this machine (the AWS endpoints point at a
 * closed loopback port, no instance metadata probe, and the guard reports any other attempt).
 */
async function loadHandler(entry: string, variables: Record<string, string>): Promise<{ handler: string; outside: string[] }> {
  const url = pathToFileURL(join(await hostRunnable(entry), 'index.mjs')).href;
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AITAGS_') && !name.startsWith('AWS_')));
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', OUTSIDE_GUARD, '--input-type=module', '-e', `const m = await import(${JSON.stringify(url)}); console.log(typeof m.handler);`],
      {
        env: {
          ...inherited,
          AWS_REGION: 'us-east-1',
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
          AWS_EC2_METADATA_DISABLED: 'true',
          AWS_ENDPOINT_URL: CLOSED_PORT_URL,
          ...variables,
        },
      },
    );
    return { handler: stdout.trim(), outside: stderr.split('\n').filter((line) => line.startsWith('OUTSIDE ')) };
  } catch (error) {
    // Node prints the failing line of the minified bundle: keep the message and the stack, not the code.
    const stderr = String((error as { stderr?: string }).stderr ?? error);
    const lines = stderr.split('\n').filter((line) => line.length < 400 && line.trim() !== '');
    throw new Error(`functions/${entry}.ts failed to load:\n${lines.join('\n')}`);
  }
}

/**
 * The bundle as this machine can run it: bundles that ship sharp carry its linux-arm64 binary, so they
 * are copied beside a node_modules that links this machine's own sharp build; the code is the same.
 */
async function hostRunnable(entry: string): Promise<string> {
  const folder = asset(entry);
  if (!existsSync(join(folder, 'node_modules'))) return folder;
  const variant = join(outDir, `host-${entry}`);
  await mkdir(join(variant, 'node_modules'), { recursive: true });
  await copyFile(join(folder, 'index.mjs'), join(variant, 'index.mjs'));
  for (const name of ['sharp', '@img']) await symlink(join(repoRoot, 'node_modules', name), join(variant, 'node_modules', name));
  return variant;
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
  it('takes the sync window from context for the handlers that wait for tagging, and the default upload caps', () => {
    expect(bundled('upload').variables).toMatchObject({ AITAGS_SYNC_WINDOW_MS: '1500', AITAGS_MAX_UPLOAD_BYTES: '4194304' });
    expect(bundled('update-details').variables).toMatchObject({ AITAGS_SYNC_WINDOW_MS: '1500' });
    expect(bundled('upload-url').variables).toMatchObject({ AITAGS_MAX_S3_UPLOAD_BYTES: '52428800' });
  });

  it('takes the default extensions from context given as JSON text and hands them to on-object-created', () => {
    expect(bundled('on-object-created').variables.AITAGS_DEFAULT_EXTENSIONS).toBe(JSON.stringify(DEFAULT_EXTENSIONS));
  });

  it('bundles every function as a minified ES module with a source map, a real require() and __dirname', async () => {
    expect([...functions.keys()].sort()).toEqual([...WITH_SHARP, ...WITHOUT_SHARP].sort());
    for (const { asset: folder } of functions.values()) {
      const code = await readFile(join(folder, 'index.mjs'), 'utf8');
      expect(code.startsWith(BUNDLE_BANNER)).toBe(true);
      expect(existsSync(join(folder, 'index.mjs.map'))).toBe(true);
    }
  });

  it.each(WITH_SHARP)('ships sharp to %s with the linux arm64 glibc binaries only', async (entry) => {
    const img = join(asset(entry), 'node_modules/@img');
    expect((await readdir(img)).sort()).toEqual(['colour', 'sharp-libvips-linux-arm64', 'sharp-linux-arm64']);
    const lib = join(img, 'sharp-linux-arm64/lib');
    const addon = (await readdir(lib)).find((name) => name.endsWith('.node'));
    expect(addon).toBeDefined();
    expect(await elfMachine(join(lib, addon ?? ''))).toBe(ELF_MACHINE_AARCH64);
    expect(await readFile(join(asset(entry), 'index.mjs'), 'utf8')).toMatch(/(from\s*|import\()"sharp"/);
  });

  it.each(WITHOUT_SHARP)('bundles everything %s needs into its index.mjs, with no node_modules', (entry) => {
    expect(existsSync(join(asset(entry), 'node_modules'))).toBe(false);
  });

  // Sharp bundles load through a copy beside this machine's sharp build (hostRunnable): same code, host binary.
  it.each([...WITH_SHARP, ...WITHOUT_SHARP])(
    'the %s bundle loads with only the variables its function is given, exports handler, and reaches nothing outside',
    async (entry) => {
      const loaded = await loadHandler(entry, deployedEnvironment(entry));
      expect(loaded.handler).toBe('function');
      expect(loaded.outside).toEqual([]);
    },
  );
});

/**
 * What each function's bundle may hold, by the packages its handler reaches (esbuild's metafile, which
 * CDK writes beside each bundle). Exact: a package creeping into a bundle fails here, and so does one
 * that a handler needs but lost. Change a row only when the handler really starts or stops calling it.
 */
type Capability =
  | 'dynamodb'
  | 's3'
  | 'presigner'
  | 'step-functions'
  | 'secrets-manager'
  | 'rekognition'
  | 'vision'
  | 'sharp'
  | 'multipart'
  | 'zod'
  | 'file-type'
  | 'webhook-signing';

const CAPABILITY_OF_PACKAGE: Record<string, Capability> = {
  '@aws-sdk/client-dynamodb': 'dynamodb',
  '@aws-sdk/lib-dynamodb': 'dynamodb',
  '@aws-sdk/client-s3': 's3',
  '@aws-sdk/s3-request-presigner': 'presigner',
  '@aws-sdk/client-sfn': 'step-functions',
  '@aws-sdk/client-secrets-manager': 'secrets-manager',
  '@aws-sdk/client-rekognition': 'rekognition',
  '@google-cloud/vision': 'vision',
  'google-gax': 'vision',
  '@grpc/grpc-js': 'vision',
  '@fastify/busboy': 'multipart',
  zod: 'zod',
  'file-type': 'file-type',
  standardwebhooks: 'webhook-signing',
};

const BUNDLE_CONTENTS: Record<string, Capability[]> = {
  upload: ['dynamodb', 's3', 'presigner', 'step-functions', 'secrets-manager', 'sharp', 'multipart', 'zod', 'file-type'],
  'upload-url': ['dynamodb', 's3', 'presigner', 'secrets-manager', 'zod'],
  'get-details': ['dynamodb', 's3', 'presigner', 'secrets-manager'],
  'update-details': ['dynamodb', 's3', 'presigner', 'step-functions', 'secrets-manager', 'zod'],
  'delete-file': ['dynamodb', 's3', 'secrets-manager'],
  'list-files': ['dynamodb', 's3', 'presigner', 'secrets-manager'],
  'bulk-tags': ['dynamodb', 'secrets-manager', 'zod'],
  'delete-files': ['dynamodb', 's3', 'secrets-manager', 'zod'],
  'serve-page': [],
  'route-not-found': [],
  'get-status': ['dynamodb', 'secrets-manager'],
  'tag-policy': ['dynamodb', 'secrets-manager', 'zod'],
  'saved-extensions': ['dynamodb', 'secrets-manager', 'zod'],
  'reconcile-runs': ['dynamodb', 'step-functions', 'zod'],
  'on-object-created': ['dynamodb', 's3', 'step-functions', 'sharp', 'zod', 'file-type'],
  'tag-with-rekognition': ['dynamodb', 's3', 'rekognition', 'sharp', 'zod'],
  'tag-with-vision': ['dynamodb', 's3', 'secrets-manager', 'vision', 'sharp', 'zod'],
  'record-extension-failure': ['dynamodb', 'zod'],
  'take-turn': ['dynamodb', 'zod'],
  'continue-on-standard': ['dynamodb', 'step-functions', 'zod'],
  'deliver-webhook': ['dynamodb', 's3', 'presigner', 'secrets-manager', 'zod', 'webhook-signing'],
  'tagging-jobs': ['dynamodb', 'step-functions', 'secrets-manager', 'zod'],
  'plan-tagging-job': ['dynamodb', 's3', 'zod'],
  'start-job-file': ['dynamodb', 'zod'],
  'count-job-file': ['dynamodb', 'zod'],
  'finish-tagging-job': ['dynamodb', 'zod'],
  'deliver-job-webhook': ['dynamodb', 'secrets-manager', 'zod', 'webhook-signing'],
};

interface Metafile {
  inputs: Record<string, unknown>;
  outputs: Record<string, { imports: Array<{ path: string; external?: boolean }> }>;
}

/** `node_modules/@aws-sdk/client-s3/dist-es/…` → `@aws-sdk/client-s3` (the innermost node_modules wins). */
function packageOf(input: string): string | undefined {
  const rest = input.split('node_modules/').pop();
  if (rest === undefined || rest === input) return undefined;
  const [scope, name] = rest.split('/');
  return scope?.startsWith('@') ? `${scope}/${name}` : scope;
}

async function bundleContents(entry: string): Promise<{ packages: Set<string>; capabilities: Capability[]; ours: string[] }> {
  const metafile = JSON.parse(await readFile(join(asset(entry), 'index.meta.json'), 'utf8')) as Metafile;
  const packages = new Set(Object.keys(metafile.inputs).flatMap((input) => packageOf(input) ?? []));
  const externals = Object.values(metafile.outputs).flatMap((output) =>
    output.imports.filter((imported) => imported.external).map((imported) => imported.path),
  );
  const capabilities = new Set<Capability>([...packages].flatMap((name) => CAPABILITY_OF_PACKAGE[name] ?? []));
  if (externals.includes('sharp')) capabilities.add('sharp');
  const ours = Object.keys(metafile.inputs).filter((input) => !input.includes('node_modules/'));
  return { packages, capabilities: [...capabilities].sort(), ours };
}

describe('bundle contents', () => {
  it('has a row for every function in the stack', () => {
    expect(Object.keys(BUNDLE_CONTENTS).sort()).toEqual([...functions.keys()].sort());
  });

  it.each(Object.entries(BUNDLE_CONTENTS))('%s holds exactly the clients and packages its handler calls', async (entry, expected) => {
    expect((await bundleContents(entry)).capabilities).toEqual([...expected].sort());
  });

  it('the Rekognition tagger holds no Google code, and the Vision tagger no Rekognition client', async () => {
    const rekognition = await bundleContents('tag-with-rekognition');
    expect(
      [...rekognition.packages].filter((name) => name.startsWith('@google-cloud') || name.startsWith('google-') || name.startsWith('@grpc')),
    ).toEqual([]);
    expect((await bundleContents('tag-with-vision')).packages.has('@aws-sdk/client-rekognition')).toBe(false);
  });

  it("the Vision tagger loads Vision's v1 client alone, not the package's beta clients", async () => {
    const { ours, packages } = await bundleContents('tag-with-vision');
    expect(packages.has('@google-cloud/vision')).toBe(true);
    const metafile = JSON.parse(await readFile(join(asset('tag-with-vision'), 'index.meta.json'), 'utf8')) as Metafile;
    const visionFiles = Object.keys(metafile.inputs).filter((input) => input.includes('@google-cloud/vision/build/src/'));
    expect(visionFiles.filter((input) => /\/v1p\d/.test(input) || input.endsWith('build/src/index.js'))).toEqual([]);
    expect(ours).toContain('functions/adapters/vision.ts');
  });

  it('route-not-found is its handler and the route table only: no SDK, no middy, no logger', async () => {
    const { packages, ours } = await bundleContents('route-not-found');
    expect([...packages]).toEqual([]);
    expect(ours.sort()).toEqual([
      // Parsed through http/responses.ts (okPage's 400) and tree-shaken: no byte of it reaches the bundle.
      'functions/core/errors.ts',
      'functions/core/route-match.ts',
      'functions/http/responses.ts',
      'functions/http/routes.ts',
      'functions/route-not-found.ts',
    ]);
  });

  it('serve-page carries the built page beside its handler, and nothing of the API', async () => {
    const { packages, ours } = await bundleContents('serve-page');
    expect([...packages]).toEqual([]);
    expect(ours.filter((input) => /adapters\/(?!page-files)|services\/|wiring\/(?!page-files)/.test(input))).toEqual([]);
    const files = (await readdir(join(asset('serve-page'), 'page'))).sort();
    expect(files).toEqual(['app.css', 'app.js', 'favicon.svg', 'index.html']);
    expect(await readFile(join(asset('serve-page'), 'page', 'index.html'), 'utf8')).toMatch(/<script[^>]+src="\/assets\/app\.js\?v=/);
  });

  it('no function bundles infra/ or local/ code', async () => {
    for (const entry of functions.keys()) {
      expect((await bundleContents(entry)).ours.filter((input) => !input.startsWith('functions/'))).toEqual([]);
    }
  });
});
