import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import type { S3Event } from 'aws-lambda';
import { FALLBACK_ENTRY, ROUTE_HANDLERS } from '../infra/api-routes.js';
import { createHttpGateway, type HttpHandler, type PublicObject } from './http-gateway.js';
import { reindexTable } from './reindex.js';
import { invocationsEnded, invoke } from './lambda-context.js';
import { RECONCILE_EVERY_MINUTES } from '../functions/core/run-watches.js';
import { startStandIns } from './stand-ins.js';
import { WEBHOOK_RETRY_DELAYS_SECONDS, webhookWaitStateName } from '../functions/core/webhook-events.js';
import { bridgeS3Events, bucketNotificationsOf, type NotificationHandler } from './s3-events.js';
import { workflowOf } from './synthesized-template.js';
import { localTemplate } from './template-cache.js';
import { type LocalStepFunctions, startLocalStepFunctions, type TaskHandler } from './step-functions-endpoint.js';
import { buildPage } from '../web/build.js';
import packageJson from '../package.json' with { type: 'json' };
import { providerQuotasFrom } from '../functions/runtime/config.js';
import { type DataDirLock, lockDataDir } from './data-dir-lock.js';
import { portFailure } from './start-failures.js';

export interface LocalStackOptions {
  /** Where S3 objects, table data and the generated key live across restarts; one stack at a time (aitags.lock). */
  dataDir: string;
  /** 0 picks a free port. */
  port: number;
  /** Extra configuration for the handlers (AITAGS_* variables), over what is already in the environment. */
  env?: Record<string, string>;
}

export interface LocalStack {
  apiUrl: string;
  privateKey: string;
  /** True when this start generated the key (it is printed once, then read from the data dir). */
  privateKeyGenerated: boolean;
  privateKeyFile: string;
  /** The Standard Webhooks secret (`whsec_…`) that signs webhooks, and whether this start generated it. */
  webhookSecret: string;
  webhookSecretGenerated: boolean;
  webhookSecretFile: string;
  bucket: string;
  table: string;
  s3Endpoint: string;
  dynamoEndpoint: string;
  /** True when the stack's template came from the cache (nothing in infra/ or functions/ changed since it was synthesized). */
  templateCached: boolean;
  /** Items copied into a table rebuilt with the search index, and files indexed, at this start (0 when nothing was due). */
  migratedItems: number;
  reindexedFiles: number;
  /** Resolves once no S3 event is being handled and no tagging execution is running. */
  idle(): Promise<void>;
  /**
   * Executions started so far, by local state machine name (LOCAL_STATE_MACHINES), with their names: tests
   * count what reached the Standard machine.
   */
  executionsStarted(): Record<string, string[]>;
  /** Every S3 event delivered to a handler, as delivered (keys URL-encoded as S3 does). */
  onS3Event(listener: (event: S3Event) => void): void;
  stop(): Promise<void>;
}

const BUCKET = 'aitags-files';
const TABLE = 'aitags-files';
/** How long stopping waits for Lambda invocations still under way before it closes the stores. */
const STOP_WAIT_MS = 5_000;
/** The local bucket and table (npm run reindex opens the same data dir). */
export const LOCAL_NAMES = { bucket: BUCKET, table: TABLE };
/** The local state machines' names (their ARNs end with them). */
export const LOCAL_STATE_MACHINES = { runs: 'aitags-tagging-runs', standard: 'aitags-tagging', jobs: 'aitags-tagging-jobs' } as const;
/**
 * The least time an Express execution gets locally before it is stopped. Its 5 minutes scale with
 * AITAGS_LOCAL_WAIT_SCALE like every wait, but its Lambdas' work takes real time: at the tests' scales the
 * scaled limit (6 ms at 0.00002) would stop runs mid-task. AITAGS_LOCAL_EXPRESS_LIMIT_MS sets it outright
 * (a test that makes the limit bite).
 */
const EXPRESS_LIMIT_FLOOR_MS = 60_000;
const EXPRESS_LIMIT_SECONDS = 300;
const functionsDir = fileURLToPath(new URL('../functions/', import.meta.url));

/** What a request gets while the handlers are still loading: 503 with Retry-After, never a 500. */
const stillStarting: HttpHandler = async () => ({
  statusCode: 503,
  headers: { 'content-type': 'application/json; charset=utf-8', 'retry-after': '1' },
  body: JSON.stringify({ message: 'aitags is still starting', help: 'Retry in a moment: the local server answers once its handlers are loaded.' }),
});

/**
 * A secret from the environment, else the one kept in the data dir, else a new one, written there by
 * keepSecret once the start has succeeded: a start that fails keeps nothing, so the start that prints a
 * generated secret is the one that kept it.
 */
async function loadSecret(configured: string | undefined, file: string, generate: () => string): Promise<{ value: string; generated: boolean }> {
  if (configured) return { value: configured, generated: false };
  try {
    return { value: (await readFile(file, 'utf8')).trim(), generated: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    return { value: generate(), generated: true };
  }
}

async function keepSecret(secret: { value: string; generated: boolean }, file: string): Promise<void> {
  if (secret.generated) await writeFile(file, `${secret.value}\n`, { mode: 0o600, flag: 'wx' });
}

/**
 * The whole service on loopback: stand-ins for S3 and DynamoDB, and a gateway that hands each request to
 * the same handler modules the CDK stack deploys. The only difference from AWS is configuration, set
 * here in the environment before the handlers are loaded (they read it once, as at a Lambda cold start).
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const dataDir = resolve(options.dataDir);
  // Keys, secrets, files and records live here: this user's alone.
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  // Before anything else touches the data dir: its stores allow one writer.
  const lock = await lockDataDir(dataDir, options.port);
  // A start that fails stops what it started, in reverse, and leaves the data dir to the next one.
  const started: Array<() => unknown> = [() => lock.release()];
  try {
    return await startOnLockedDataDir(dataDir, options, lock, started);
  } catch (error) {
    for (const stop of started.reverse())
      await Promise.resolve()
        .then(stop)
        .catch(() => {});
    throw error;
  }
}

async function startOnLockedDataDir(
  dataDir: string,
  options: LocalStackOptions,
  lock: DataDirLock,
  started: Array<() => unknown>,
): Promise<LocalStack> {
  await chmod(dataDir, 0o700);
  const privateKeyFile = join(dataDir, 'private-key');
  const { value: privateKey, generated } = await loadSecret(
    process.env.AITAGS_PRIVATE_KEY,
    privateKeyFile,
    () => `private_${randomBytes(24).toString('base64url')}`,
  );
  const webhookSecretFile = join(dataDir, 'webhook-secret');
  const webhookSecret = await loadSecret(
    options.env?.AITAGS_WEBHOOK_SECRET ?? process.env.AITAGS_WEBHOOK_SECRET,
    webhookSecretFile,
    () => `whsec_${randomBytes(24).toString('base64')}`,
  );
  const setting = (name: string) => options.env?.[name] ?? process.env[name];
  // The quotas pace tagging jobs (the planner reads them, as the stack sets them on AWS); checked here, before anything starts.
  const quotas = providerQuotasFrom(setting);
  // Synthesized in a child process, or read back when infra/ and functions/ are unchanged: CDK never loads
  // in this process. It runs while the stand-ins start.
  const templateReady = localTemplate({});
  templateReady.catch(() => {}); // awaited (and so thrown) below
  // Built afresh each start (the data dir may hold an older page), while the stand-ins start.
  const pageDir = join(dataDir, 'page');
  const pageBuilt = buildPage(pageDir);
  pageBuilt.catch(() => {}); // awaited (and so thrown) before the handlers load
  const standIns = await startStandIns(dataDir, { bucket: BUCKET, table: TABLE });
  started.push(() => standIns.stop());
  // Files stored by a version without the search index get listed once; later starts only check a marker.
  const reindexedFiles = await reindexTable(standIns.dynamoEndpoint, TABLE, { ifNeeded: true });
  const { template, cached: templateCached } = await templateReady;
  const workflow = workflowOf(template, 'tagging');
  const runsWorkflow = workflowOf(template, 'taggingRuns');
  const jobsWorkflow = workflowOf(template, 'taggingJobs');
  const notifications = bucketNotificationsOf(template);

  const s3 = new S3Client({
    endpoint: standIns.s3Endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  started.push(() => s3.destroy());
  const publicObject = async (key: string): Promise<PublicObject | undefined> => {
    try {
      const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
      return { body: object.Body as Readable, contentType: object.ContentType, contentLength: object.ContentLength };
    } catch (error) {
      // Whatever the store refuses to find (no such key, a key it cannot hold) is a missing file to the CDN.
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (error instanceof NoSuchKey || (status !== undefined && status >= 400 && status < 500)) return undefined;
      throw error;
    }
  };

  const handlers = new Map<string, HttpHandler>();
  // The port is bound before the handlers load (their URLs need it): until then every route says so.
  const handlerOf = (entry: string): HttpHandler => handlers.get(entry) ?? stillStarting;
  const gateway = createHttpGateway({
    get routes() {
      return ROUTE_HANDLERS.map((route) => ({ ...route, handler: handlerOf(route.entry) }));
    },
    fallback: (event, context) => handlerOf(FALLBACK_ENTRY)(event, context),
    publicObject,
  });
  await new Promise<void>((done, fail) => gateway.once('error', fail).listen(options.port, '127.0.0.1', done)).catch(async (error: unknown) => {
    throw await portFailure(error, options.port);
  });
  started.push(() => {
    gateway.closeAllConnections();
    return new Promise((done) => gateway.close(done));
  });
  const apiPort = (gateway.address() as AddressInfo).port;
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  await lock.setPort(apiPort);

  const taskHandlers: Record<string, TaskHandler> = {};
  const waitScale = Number(setting('AITAGS_LOCAL_WAIT_SCALE') ?? 1);
  const expressLimitSetting = setting('AITAGS_LOCAL_EXPRESS_LIMIT_MS');
  const stepFunctions: LocalStepFunctions = await startLocalStepFunctions({
    workflows: [
      { name: LOCAL_STATE_MACHINES.runs, workflow: runsWorkflow },
      {
        name: LOCAL_STATE_MACHINES.standard,
        workflow,
        nominalWaitSeconds: Object.fromEntries(WEBHOOK_RETRY_DELAYS_SECONDS.map((seconds, index) => [webhookWaitStateName(index + 2), seconds])),
      },
      { name: LOCAL_STATE_MACHINES.jobs, workflow: jobsWorkflow },
    ],
    handlers: taskHandlers,
    waitScale,
    expressLimitMs: expressLimitSetting ? Number(expressLimitSetting) : Math.max(EXPRESS_LIMIT_SECONDS * 1000 * waitScale, EXPRESS_LIMIT_FLOOR_MS),
    objects: {
      read: async (bucket, key) => (await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body?.transformToString()) ?? '',
      write: async (bucket, key, body) => {
        await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/json' }));
      },
    },
    onExecutionError: (executionArn, error) => console.error(`execution ${executionArn} failed:`, error),
  });
  started.push(() => stepFunctions.stop());

  Object.assign(process.env, {
    AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
    // Without AWS credentials the default chain must fail fast, not probe for an EC2 metadata server.
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL_SFN: stepFunctions.endpoint,
    AITAGS_STATE_MACHINE_ARN: stepFunctions.stateMachineArns[LOCAL_STATE_MACHINES.runs],
    AITAGS_CONTINUATION_STATE_MACHINE_ARN: stepFunctions.stateMachineArns[LOCAL_STATE_MACHINES.standard],
    AITAGS_JOB_STATE_MACHINE_ARN: stepFunctions.stateMachineArns[LOCAL_STATE_MACHINES.jobs],
    AITAGS_REKOGNITION_TPS: String(quotas.rekognitionTps),
    AITAGS_VISION_RPM: String(quotas.visionRpm),
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    // Metrics are EMF lines for CloudWatch; locally they would only crowd the log (POWERTOOLS_METRICS_DISABLED=false shows them).
    POWERTOOLS_METRICS_DISABLED: process.env.POWERTOOLS_METRICS_DISABLED ?? 'true',
    AWS_ENDPOINT_URL_S3: standIns.s3Endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: standIns.dynamoEndpoint,
    AITAGS_VERSION: packageJson.version,
    AITAGS_BUCKET: BUCKET,
    AITAGS_TABLE: TABLE,
    AITAGS_DELIVERY_BASE_URL: `${apiUrl}/files`,
    AITAGS_PRIVATE_KEY: privateKey,
    AITAGS_WEBHOOK_SECRET: webhookSecret.value,
    AITAGS_PAGE_DIR: pageDir,
    // File URLs: public ones on this origin (/files/…, also when the page is opened as localhost), private ones presigned on s3rver's.
    AITAGS_PAGE_IMAGE_ORIGINS: `${apiUrl} ${new URL(standIns.s3Endpoint).origin}`,
    ...options.env,
  });
  await pageBuilt;
  // Loaded aside and put in place together at the end: no route answers before every route, task and
  // trigger can serve (a tagged upload sent the moment the API answers ends as it would a minute later).
  const loaded = new Map<string, HttpHandler>();
  for (const entry of [...ROUTE_HANDLERS.map((route) => route.entry), FALLBACK_ENTRY]) {
    const module = (await import(join(functionsDir, `${entry}.ts`))) as { handler: HttpHandler };
    loaded.set(entry, module.handler);
  }
  for (const entry of new Set([workflow, runsWorkflow, jobsWorkflow].flatMap((machine) => Object.values(machine.taskEntries)))) {
    taskHandlers[entry] = ((await import(join(functionsDir, `${entry}.ts`))) as { handler: TaskHandler }).handler;
  }
  const notificationHandlers: Record<string, NotificationHandler> = {};
  for (const { entry } of notifications) {
    notificationHandlers[entry] = ((await import(join(functionsDir, `${entry}.ts`))) as { handler: NotificationHandler }).handler;
  }
  const s3Events = bridgeS3Events(standIns.s3rver, notifications, notificationHandlers, (record, error) =>
    console.error(`S3 event for ${record.s3.object.key} failed after retries (on AWS: kept in the failed-objects queue):`, error),
  );
  started.push(() => s3Events.stop());
  await keepSecret({ value: privateKey, generated }, privateKeyFile);
  await keepSecret(webhookSecret, webhookSecretFile);
  // Executions live in this process: the runs the one before left under way died with it, and are the
  // reconciler's now (before any route answers); later ones are looked for every 10 minutes, as on AWS.
  const reconcile = ((await import(join(functionsDir, 'reconcile-runs.ts'))) as { handler: TaskHandler }).handler;
  const reconcileTimeoutMs = 5 * 60_000;
  await invoke(reconcile, { everyWatch: true }, 'reconcile-runs', reconcileTimeoutMs);
  const reconciling = setInterval(() => {
    invoke(reconcile, {}, 'reconcile-runs', reconcileTimeoutMs).catch((error: unknown) => console.error('reconcile-runs failed:', error));
  }, RECONCILE_EVERY_MINUTES * 60_000);
  reconciling.unref();
  started.push(() => clearInterval(reconciling));
  for (const [entry, handler] of loaded) handlers.set(entry, handler);

  return {
    apiUrl,
    privateKey,
    privateKeyGenerated: generated,
    privateKeyFile,
    webhookSecret: webhookSecret.value,
    webhookSecretGenerated: webhookSecret.generated,
    webhookSecretFile,
    bucket: BUCKET,
    table: TABLE,
    s3Endpoint: standIns.s3Endpoint,
    dynamoEndpoint: standIns.dynamoEndpoint,
    templateCached,
    migratedItems: standIns.migratedItems,
    reindexedFiles,
    onS3Event: (listener) => s3Events.onEvent(listener),
    executionsStarted: () => stepFunctions.executionsStarted(),
    async idle() {
      await s3Events.idle();
      await stepFunctions.idle();
    },
    async stop() {
      clearInterval(reconciling);
      gateway.closeAllConnections();
      await new Promise((done) => gateway.close(done));
      await s3Events.stop();
      await stepFunctions.stop();
      await invocationsEnded(STOP_WAIT_MS);
      s3.destroy();
      await standIns.stop();
      await lock.release();
    },
  };
}
