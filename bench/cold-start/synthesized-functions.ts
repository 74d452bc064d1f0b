import { execFile } from 'node:child_process';
import { copyFile, lstat, mkdir, readdir, readFile, stat, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** The metadata key infra/lambda-function.ts writes (not imported: that would load aws-cdk-lib into the bench). */
const HANDLER_ENTRY_METADATA = 'aitags:entry';

/**
 * What AWS would put in a variable the template fills from a resource (a Ref, Fn::GetAtt or Fn::Join):
 * shared with test/infra/synth.test.ts, which loads every bundle with them. A variable missing here fails loudly.
 */
export const DEPLOYED_VALUES = {
  AITAGS_BUCKET: 'aitags-storagebucket-1a2b3c4d5e6f',
  AITAGS_TABLE: 'Aitags-StorageTable-1A2B3C4D5E6F',
  AITAGS_DELIVERY_BASE_URL: 'https://d111111abcdef8.cloudfront.net',
  AITAGS_PRIVATE_KEY_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:ApiPrivateKey-AbCdEf',
  AITAGS_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:TaggingStateMachine-AbCdEf',
  AITAGS_JOB_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:TaggingJobsStateMachine-AbCdEf',
  AITAGS_CONTINUATION_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:TaggingWorkflowStateMachine-AbCdEf',
  AITAGS_VISION_CREDENTIALS_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:VisionCredentials-AbCdEf',
  AITAGS_WEBHOOK_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:TaggingWebhookSecret-AbCdEf',
  AITAGS_PAGE_IMAGE_ORIGINS: 'https://d111111abcdef8.cloudfront.net https://aitags-storagebucket-1a2b3c4d5e6f.s3.us-east-1.amazonaws.com',
} as const;
const deployedValue = (name: string): string | undefined => (DEPLOYED_VALUES as Readonly<Record<string, string>>)[name];

export interface SynthesizedFunction {
  /** Handler module name, e.g. `upload`. */
  entry: string;
  logicalId: string;
  /** The bundled asset folder in the cloud assembly. */
  assetDir: string;
  /** The function's environment as deployed: template text, tokens replaced by DEPLOYED_VALUES. */
  environment: Record<string, string>;
  memoryMb: number;
  indexBytes: number;
  /** Size of the shipped node_modules folder (sharp and its linux-arm64 binaries), if the bundle has one. */
  nodeModulesBytes: number | undefined;
}

interface TemplateResource {
  Type: string;
  Properties?: { MemorySize?: number; Environment?: { Variables?: Record<string, unknown> } };
  Metadata?: Record<string, unknown>;
}

/** The real app through the real CLI (local esbuild bundling, no AWS access), into `outDir`. */
export async function synthesize(outDir: string): Promise<SynthesizedFunction[]> {
  try {
    await run(join(repoRoot, 'node_modules/.bin/cdk'), ['synth', '--no-notices', '--lookups=false', '-q', '-o', outDir], {
      cwd: repoRoot,
      env: { ...process.env, CDK_DISABLE_VERSION_CHECK: 'true' },
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? '');
    throw new Error(`cdk synth failed: ${(error as Error).message}\n${stderr.split('\n').slice(-30).join('\n')}`);
  }
  const template = JSON.parse(await readFile(join(outDir, 'Aitags.template.json'), 'utf8')) as { Resources: Record<string, TemplateResource> };
  const functions: SynthesizedFunction[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    const entry = resource.Metadata?.[HANDLER_ENTRY_METADATA];
    const asset = resource.Metadata?.['aws:asset:path'];
    if (resource.Type !== 'AWS::Lambda::Function' || typeof entry !== 'string' || typeof asset !== 'string') continue;
    if (functions.some((fn) => fn.entry === entry)) throw new Error(`two functions in the template run ${entry}`);
    const assetDir = join(outDir, asset);
    const nodeModules = join(assetDir, 'node_modules');
    functions.push({
      entry,
      logicalId,
      assetDir,
      environment: deployedEnvironment(entry, resource.Properties?.Environment?.Variables ?? {}),
      memoryMb: resource.Properties?.MemorySize ?? 128,
      indexBytes: (await stat(join(assetDir, 'index.mjs'))).size,
      nodeModulesBytes: (await exists(nodeModules)) ? await folderBytes(nodeModules) : undefined,
    });
  }
  if (functions.length === 0) throw new Error(`no AWS::Lambda::Function with ${HANDLER_ENTRY_METADATA} metadata in the template`);
  return functions;
}

function deployedEnvironment(entry: string, variables: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(variables).map(([name, value]) => {
      if (typeof value === 'string') return [name, value];
      const deployed = deployedValue(name);
      if (!deployed) throw new Error(`${entry} gets ${name} from ${JSON.stringify(value)}: add a deployed value to DEPLOYED_VALUES`);
      return [name, deployed];
    }),
  );
}

/**
 * The folder to import the bundle from on this machine. A bundle without node_modules runs where it is.
 * One with node_modules ships sharp's linux-arm64 binary, which cannot load on this x64 host: its
 * index.mjs and source map are copied next to a node_modules that links the repo's own (host) sharp.
 */
export async function runnableDir(fn: SynthesizedFunction, scratchDir: string): Promise<string> {
  if (fn.nodeModulesBytes === undefined) return fn.assetDir;
  const dir = join(scratchDir, fn.entry);
  await mkdir(dir, { recursive: true });
  await copyFile(join(fn.assetDir, 'index.mjs'), join(dir, 'index.mjs'));
  if (await exists(join(fn.assetDir, 'index.mjs.map'))) await copyFile(join(fn.assetDir, 'index.mjs.map'), join(dir, 'index.mjs.map'));
  await linkHostSharp(dir);
  return dir;
}

/** `dir/node_modules/{sharp,@img}` → the repo's own, built for this host. */
export async function linkHostSharp(dir: string): Promise<void> {
  await mkdir(join(dir, 'node_modules'), { recursive: true });
  await symlink(join(repoRoot, 'node_modules/sharp'), join(dir, 'node_modules/sharp'), 'dir');
  await symlink(join(repoRoot, 'node_modules/@img'), join(dir, 'node_modules/@img'), 'dir');
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** Apparent size of every file under `dir` (what the deployment package carries). */
async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  for (const item of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (item.isFile()) total += (await lstat(join(item.parentPath, item.name))).size;
  }
  return total;
}
