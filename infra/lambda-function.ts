import { fileURLToPath } from 'node:url';
import { type CfnResource, Validations } from 'aws-cdk-lib';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, type NodejsFunctionProps, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { HANDLER_ENTRY_METADATA } from './handler-metadata.js';
import { BASIC_EXECUTION_ROLE_FINDING } from './nag-findings.js';

const repoRoot = fileURLToPath(new URL('../', import.meta.url));

/** The handler module for an entry name, e.g. `upload` → `<repo>/functions/upload.ts`. */
function handlerPath(entry: string): string {
  return fileURLToPath(new URL(`../functions/${entry}.ts`, import.meta.url));
}

export interface AitagsFunctionProps extends Omit<NodejsFunctionProps, 'entry'> {
  /** Handler module under functions/, without extension; it exports `handler`. */
  entry: string;
  /**
   * Packages with native binaries (e.g. `sharp`): kept out of the bundle and npm-installed next to it for
   * the function's own platform (linux, glibc, its architecture), whatever machine runs the synth.
   */
  nativeModules?: string[];
}

/** A handler Lambda with the house defaults: Node 22 on arm64, minified ESM with source maps, its own log group. */
export class AitagsFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: AitagsFunctionProps) {
    const { entry, nativeModules = [], bundling, environment, ...rest } = props;
    const architecture = rest.architecture ?? Architecture.ARM_64;
    super(scope, id, {
      runtime: Runtime.NODEJS_22_X,
      logGroup: new LogGroup(scope, `${id}Logs`, { retention: RetentionDays.ONE_MONTH }),
      ...rest,
      architecture,
      entry: handlerPath(entry),
      projectRoot: repoRoot,
      depsLockFilePath: `${repoRoot}package-lock.json`,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: 'aitags',
        ...environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        // ESM output: bundled CommonJS dependencies call require() and read __dirname (google-gax does, at import).
        banner: BUNDLE_BANNER,
        // index.meta.json beside the bundle: which modules it holds (the bundle-contents test reads it).
        metafile: true,
        mainFields: ['module', 'main'],
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        keepNames: true,
        // Bundle the SDK: the handlers get the versions pinned in package-lock.json, not the runtime's.
        bundleAwsSDK: true,
        // No Docker engine here and none needed: esbuild runs locally.
        forceDockerBundling: false,
        ...(nativeModules.length > 0 && {
          nodeModules: nativeModules,
          // npm ci installs the optional platform packages (e.g. @img/sharp-linux-arm64) for Lambda, not this host.
          environment: {
            npm_config_os: 'linux',
            npm_config_cpu: architecture.name === Architecture.ARM_64.name ? 'arm64' : 'x64',
            npm_config_libc: 'glibc',
          },
        }),
        ...bundling,
      },
    });
    // Lets the local runtime map a synthesized task back to the handler module it runs.
    (this.node.defaultChild as CfnResource).addMetadata(HANDLER_ENTRY_METADATA, entry);
    Validations.of(this).acknowledge(
      {
        id: 'AwsSolutions-L1',
        reason:
          'Node.js 22 is the newest major this code is tested on (the tests and the local runtime run Node 20 and 22); nodejs24.x is an upgrade to make with its own test run, not a flag to flip.',
      },
      {
        id: BASIC_EXECUTION_ROLE_FINDING,
        reason:
          "AWS's basic execution policy allows writing CloudWatch Logs only (logs:CreateLogGroup, CreateLogStream, PutLogEvents), no data access; the function logs to its own log group.",
      },
    );
  }
}

/** Gives an ES module bundle what bundled CommonJS code expects of Node: require, __filename, __dirname. */
export const BUNDLE_BANNER = [
  "import { createRequire as __aitagsCreateRequire } from 'node:module';",
  "import { fileURLToPath as __aitagsFileURLToPath } from 'node:url';",
  "import { dirname as __aitagsDirname } from 'node:path';",
  'const require = __aitagsCreateRequire(import.meta.url);',
  'const __filename = __aitagsFileURLToPath(import.meta.url);',
  'const __dirname = __aitagsDirname(__filename);',
].join(' ');

export { HANDLER_ENTRY_METADATA } from './handler-metadata.js';
