import { Annotations, ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, LogGroupLogDestination, PayloadFormatVersion } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { CfnStateMachine, StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import packageJson from '../package.json' with { type: 'json' };
import type { ICommandHooks } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { RequestedExtension } from '../functions/core/extensions.js';
import { FALLBACK_ENTRY, ROUTE_HANDLERS } from './api-routes.js';
import { AitagsFunction } from './lambda-function.js';
import type { ObjectAccess, Storage, TableAction, Visibility } from './storage.js';

/** What one handler may touch, and what it needs to run. */
export interface HandlerAccess {
  table: readonly TableAction[];
  /** Undefined: the function is not told the bucket. `{}`: told its name only, for wiring that builds the file store. */
  objects?: ObjectAccess;
  /** Reads the private API key from Secrets Manager to check HTTP Basic auth. */
  readsPrivateKey: boolean;
  /** Starts tagging runs and waits up to the sync window (upload and PATCH with extensions). */
  startsTaggingRuns?: boolean;
  /** Answers with File objects, whose URLs point at the CDN (AITAGS_DELIVERY_BASE_URL). */
  buildsFileUrls?: boolean;
  /** Takes a webhookUrl, checked at request time (AITAGS_ALLOW_PRIVATE_WEBHOOKS). */
  takesWebhookUrl?: boolean;
  /** Serves the media library page: the page is built into its bundle, and it may name where file images come from. */
  servesPage?: boolean;
  /** Tells whether the Vision secret holds a key (reads it; never calls Vision). */
  readsVisionCredentials?: boolean;
  /** Removes AI tags by hand (PATCH, bulk removeAITags), which may be remembered as rejected (AITAGS_REMEMBER_REJECTIONS). */
  removesAITags?: boolean;
  /** Says which aitags version is deployed (AITAGS_VERSION, package.json's at synth). */
  reportsVersion?: boolean;
  /** Starts, stops and reads tagging jobs (AITAGS_JOB_STATE_MACHINE_ARN, AITAGS_PROVIDER_PRICES). */
  runsTaggingJobs?: boolean;
  /** Manages saved extensions: told AITAGS_DEFAULT_EXTENSIONS, whose saved extensions it must not delete. */
  guardsDefaultExtensions?: boolean;
  /** The upload size cap it enforces. */
  limits?: 'upload' | 'direct-upload';
  memorySize?: number;
  timeout?: Duration;
  nativeModules?: string[];
}

const BOTH: readonly Visibility[] = ['public', 'private'];
/** upload and update-details wait up to the sync window for tagging, inside API Gateway's 30 s. */
const WAITS_FOR_TAGGING = Duration.seconds(30);

/** Least privilege per handler, keyed by entry (infra/api-routes.ts). */
export const HANDLER_ACCESS: Readonly<Record<string, HandlerAccess>> = {
  upload: {
    table: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
    // GetObject on private/: the response carries presigned URLs of a private file.
    objects: { 's3:PutObject': BOTH, 's3:DeleteObject': BOTH, 's3:GetObject': ['private'] },
    readsPrivateKey: true,
    startsTaggingRuns: true,
    buildsFileUrls: true,
    takesWebhookUrl: true,
    limits: 'upload',
    memorySize: 1024,
    timeout: WAITS_FOR_TAGGING,
    nativeModules: ['sharp'],
  },
  'upload-url': {
    // PutObject under uploads/ is what the presigned URL lets its holder do; GetItem finds an existing path.
    table: ['dynamodb:GetItem', 'dynamodb:PutItem'],
    objects: { 's3:PutObject': ['uploads'] },
    readsPrivateKey: true,
    takesWebhookUrl: true,
    limits: 'direct-upload',
  },
  'get-details': {
    table: ['dynamodb:GetItem'],
    // Presigning a private file's URL needs the permission the URL's holder will exercise.
    objects: { 's3:GetObject': ['private'] },
    readsPrivateKey: true,
    buildsFileUrls: true,
  },
  'update-details': {
    table: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
    objects: { 's3:GetObject': ['private'] },
    readsPrivateKey: true,
    startsTaggingRuns: true,
    buildsFileUrls: true,
    takesWebhookUrl: true,
    removesAITags: true,
    timeout: WAITS_FOR_TAGGING,
  },
  'delete-file': {
    // UpdateItem: a deleted file's tag entries are settled as tombstones, so that no late writer revives them.
    table: ['dynamodb:GetItem', 'dynamodb:DeleteItem', 'dynamodb:UpdateItem'],
    objects: { 's3:DeleteObject': BOTH },
    readsPrivateKey: true,
  },
  'list-files': {
    // Query on the search index, BatchGetItem for the candidates' records, GetItem for the month registry.
    // AITAGS_SEARCH_SCAN_LIMIT stays unset: the default budget applies.
    table: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:BatchGetItem'],
    objects: { 's3:GetObject': ['private'] },
    readsPrivateKey: true,
    buildsFileUrls: true,
    // A walk checks up to 20,000 records and a page may be 1,000 File objects: CPU for JSON and room to finish inside API Gateway's 30 s.
    memorySize: 1024,
    timeout: Duration.seconds(29),
  },
  'bulk-tags': {
    // BatchGetItem checks every file exists first; then each is rewritten (PutItem) and its tag entries settled (UpdateItem).
    table: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
    readsPrivateKey: true,
    removesAITags: true,
  },
  'delete-files': {
    table: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:DeleteItem', 'dynamodb:UpdateItem'],
    objects: { 's3:DeleteObject': BOTH },
    readsPrivateKey: true,
  },
  'tagging-jobs': {
    // Query on the search index: listing jobs, and a dry run's selection (with BatchGetItem for its records);
    // PutItem creates a job, UpdateItem records its execution or cancels it.
    table: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
    readsPrivateKey: true,
    takesWebhookUrl: true,
    runsTaggingJobs: true,
    // A dry run counts up to 20,000 records within the request.
    memorySize: 1024,
    timeout: Duration.seconds(29),
  },
  // GetItem reads the current version and the one it names; PutItem writes a new version and the pointer
  // (conditionally); DeleteItem removes the version of a PUT that lost a race.
  'tag-policy': { table: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'], readsPrivateKey: true },
  // GetItem reads the one item that lists them (and a policy version); PutItem writes it back on the revision
  // read, and writes a config's policy as a version of its own.
  'saved-extensions': { table: ['dynamodb:GetItem', 'dynamodb:PutItem'], readsPrivateKey: true, guardsDefaultExtensions: true },
  'get-status': {
    // GetItem reads each extension's last failure (status#<extension>).
    table: ['dynamodb:GetItem'],
    readsPrivateKey: true,
    readsVisionCredentials: true,
    reportsVersion: true,
  },
  // The page and its assets, built into the bundle at synth: no table, no bucket, no key (the page asks for it).
  'serve-page': { table: [], readsPrivateKey: false, servesPage: true, memorySize: 256 },
  [FALLBACK_ENTRY]: { table: [], readsPrivateKey: false, memorySize: 128 },
};

/** A route nobody has listed above still authenticates, and touches nothing until someone decides what it may. */
const UNLISTED_ACCESS: HandlerAccess = { table: [], readsPrivateKey: true };

/** Where serve-page finds the built page, beside its handler in the bundle. */
const PAGE_DIR = 'page';
const repoRoot = fileURLToPath(new URL('../', import.meta.url));

/** Builds the media library page (web/) into the function's bundle, with the same esbuild the handlers are built with. */
const PAGE_BUILD: ICommandHooks = {
  beforeBundling: () => [],
  beforeInstall: () => [],
  afterBundling: (_inputDir, outputDir) => [
    `"${process.execPath}" --import tsx "${join(repoRoot, 'web/build-main.ts')}" "${join(outputDir, PAGE_DIR)}"`,
  ],
};

/** The largest direct upload that still fits Lambda's 6 MB invoke payload once API Gateway base64-encodes it. */
export const MAX_DIRECT_UPLOAD_BYTES = 4_500_000;
/** A handler waiting for tagging needs time left for its own work inside API Gateway's 30 s. */
export const MAX_SYNC_WINDOW_MS = 20_000;

export interface ApiProps {
  storage: Storage;
  taggingWorkflow: StateMachine;
  taggingJobs: StateMachine;
  /** The Vision credentials' secret, which the status route reads to tell whether google-auto-tagging can run. */
  visionCredentials: ISecret;
  /** AITAGS_PROVIDER_PRICES for the jobs' estimates (JSON; `{}` is the list prices). */
  providerPrices: string;
  /** AITAGS_MONTHLY_BUDGET_USD (JSON; `{}`: none): status shows each budget and its spend, jobs the budget left. */
  monthlyBudgetUsd: string;
  /** Off: update-details and bulk-tags are told AITAGS_REMEMBER_REJECTIONS=false. */
  rememberRejections: boolean;
  /** AITAGS_DEFAULT_EXTENSIONS (already checked): the saved extensions they refer to cannot be deleted. */
  defaultExtensions: readonly RequestedExtension[];
  /** `https://…` that serves the bucket's public/ prefix. */
  deliveryBaseUrl: string;
  maxUploadBytes: number;
  /** Largest presigned upload. */
  maxS3UploadBytes: number;
  syncWindowMs: number;
  /** Requests per second each route accepts on its own (the stage's default route throttling); more get API Gateway's 429. */
  rateLimit: number;
  /** Requests each route accepts at once above the rate. */
  burstLimit: number;
}

/** One JSON line per request: who, which route, what came back, and why it failed. */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    requestTime: '$context.requestTime',
    ip: '$context.identity.sourceIp',
    userAgent: '$context.identity.userAgent',
    method: '$context.httpMethod',
    path: '$context.path',
    routeKey: '$context.routeKey',
    status: '$context.status',
    responseLength: '$context.responseLength',
    integrationStatus: '$context.integrationStatus',
    integrationLatency: '$context.integrationLatency',
    error: '$context.error.message',
    integrationError: '$context.integrationErrorMessage',
  }),
);

/** The HTTP API: one Lambda per route of ROUTE_HANDLERS, and a `$default` route that answers 404/405. */
export class Api extends Construct {
  readonly httpApi: HttpApi;
  /** The private API key (HTTP Basic username), generated at deploy time. */
  readonly privateKey: Secret;
  /** The handler Lambdas, keyed by entry. */
  readonly handlers = new Map<string, AitagsFunction>();

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    if (!Number.isInteger(props.maxUploadBytes) || props.maxUploadBytes < 1 || props.maxUploadBytes > MAX_DIRECT_UPLOAD_BYTES) {
      throw new Error(
        `maxUploadBytes must be an integer from 1 to ${MAX_DIRECT_UPLOAD_BYTES} (Lambda's 6 MB payload, base64); got ${props.maxUploadBytes}`,
      );
    }
    if (!Number.isInteger(props.syncWindowMs) || props.syncWindowMs < 0 || props.syncWindowMs > MAX_SYNC_WINDOW_MS) {
      throw new Error(`syncWindowMs must be an integer from 0 to ${MAX_SYNC_WINDOW_MS} (API Gateway waits 30 s at most); got ${props.syncWindowMs}`);
    }
    for (const [name, value] of [
      ['apiRateLimit', props.rateLimit],
      ['apiBurstLimit', props.burstLimit],
    ] as const) {
      if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a whole number of requests, 1 or more; got ${value}`);
    }

    this.privateKey = new Secret(this, 'PrivateKey', {
      description: 'aitags private API key: the HTTP Basic username of every request',
      generateSecretString: { excludePunctuation: true, includeSpace: false, passwordLength: 40 },
    });
    Validations.of(this.privateKey).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Every client holds this key (the ImageKit SDK privateKey); an automatic rotation would lock them all out. Rotate by hand: put a new value, then update the clients.',
    });

    this.httpApi = new HttpApi(this, 'HttpApi', {
      description: 'aitags: ImageKit-compatible upload, details, list and search, bulk tags and delete',
      defaultIntegration: this.integration(FALLBACK_ENTRY, props),
      // Created below: HttpApi's own default stage takes neither throttling nor access logs.
      createDefaultStage: false,
    });
    this.httpApi.addStage('DefaultStage', {
      autoDeploy: true,
      // DefaultRouteSettings: API Gateway applies it to each route separately ("route-level throttling",
      // HTTP API developer guide, "Throttling requests to your HTTP API"), not to the API as a whole.
      throttle: { rateLimit: props.rateLimit, burstLimit: props.burstLimit },
      accessLogSettings: {
        destination: new LogGroupLogDestination(new LogGroup(this, 'AccessLogs', { retention: RetentionDays.ONE_MONTH })),
        format: ACCESS_LOG_FORMAT,
      },
    });
    Validations.of(this.httpApi).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        "Auth is HTTP Basic with the private key, ImageKit's wire format, checked by each route's Lambda in constant time; $default answers 404/405 without a key and touches nothing.",
    });
    for (const route of ROUTE_HANDLERS) {
      this.httpApi.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration: this.integration(route.entry, props),
      });
    }
  }

  private integration(entry: string, props: ApiProps): HttpLambdaIntegration {
    return new HttpLambdaIntegration(`${constructId(entry)}Integration`, this.handler(entry, props), {
      payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
    });
  }

  /** One Lambda per entry, even if several routes share it. */
  private handler(entry: string, props: ApiProps): AitagsFunction {
    const existing = this.handlers.get(entry);
    if (existing) return existing;

    const access = HANDLER_ACCESS[entry] ?? UNLISTED_ACCESS;
    if (!HANDLER_ACCESS[entry]) {
      Annotations.of(this).addWarningV2(
        'aitags:unlistedHandlerAccess',
        `functions/${entry}.ts has no entry in HANDLER_ACCESS (infra/api.ts): it can read the private key and nothing else.`,
      );
    }
    const fn = new AitagsFunction(this, constructId(entry), {
      entry,
      description: `aitags ${entry}`,
      memorySize: access.memorySize ?? 256,
      timeout: access.timeout ?? Duration.seconds(10),
      nativeModules: access.nativeModules,
      ...(access.servesPage && { bundling: { commandHooks: PAGE_BUILD } }),
    });
    // Each function gets the variables of what it is built with (functions/wiring/), and the grants to match.
    if (access.table.length) props.storage.bindTable(fn, access.table);
    if (access.objects) props.storage.bindBucket(fn, access.objects);
    if (access.readsPrivateKey) this.bindPrivateKey(fn);
    if (access.buildsFileUrls) fn.addEnvironment('AITAGS_DELIVERY_BASE_URL', props.deliveryBaseUrl);
    if (access.servesPage) {
      // Relative to the bundle (functions/wiring/page-files.ts); images come from CloudFront (public files) and presigned S3 URLs (private ones).
      fn.addEnvironment('AITAGS_PAGE_DIR', PAGE_DIR);
      fn.addEnvironment('AITAGS_PAGE_IMAGE_ORIGINS', `${props.deliveryBaseUrl} https://${props.storage.bucket.bucketRegionalDomainName}`);
    }
    // On AWS a webhookUrl must reach a public address (checked at request time and again at delivery).
    if (access.readsVisionCredentials) {
      fn.addEnvironment('AITAGS_VISION_CREDENTIALS_SECRET_ARN', props.visionCredentials.secretArn);
      props.visionCredentials.grantRead(fn);
    }
    if (access.reportsVersion) fn.addEnvironment('AITAGS_VERSION', packageJson.version);
    if ((access.reportsVersion || access.runsTaggingJobs) && props.monthlyBudgetUsd !== '{}') {
      fn.addEnvironment('AITAGS_MONTHLY_BUDGET_USD', props.monthlyBudgetUsd);
      fn.addEnvironment('AITAGS_PROVIDER_PRICES', props.providerPrices);
    }
    if (access.removesAITags && !props.rememberRejections) fn.addEnvironment('AITAGS_REMEMBER_REJECTIONS', 'false');
    if (access.guardsDefaultExtensions) fn.addEnvironment('AITAGS_DEFAULT_EXTENSIONS', JSON.stringify(props.defaultExtensions));
    if (access.takesWebhookUrl) fn.addEnvironment('AITAGS_ALLOW_PRIVATE_WEBHOOKS', 'false');
    if (access.limits === 'upload') fn.addEnvironment('AITAGS_MAX_UPLOAD_BYTES', String(props.maxUploadBytes));
    if (access.limits === 'direct-upload') fn.addEnvironment('AITAGS_MAX_S3_UPLOAD_BYTES', String(props.maxS3UploadBytes));
    if (access.startsTaggingRuns) {
      fn.addEnvironment('AITAGS_STATE_MACHINE_ARN', props.taggingWorkflow.stateMachineArn);
      fn.addEnvironment('AITAGS_SYNC_WINDOW_MS', String(props.syncWindowMs));
      props.taggingWorkflow.grantStartExecution(fn);
    }
    if (access.runsTaggingJobs) {
      fn.addEnvironment('AITAGS_JOB_STATE_MACHINE_ARN', props.taggingJobs.stateMachineArn);
      fn.addEnvironment('AITAGS_PROVIDER_PRICES', props.providerPrices);
      props.taggingJobs.grantStartExecution(fn);
      Validations.of(fn).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:<${Stack.of(this).getLogicalId(props.taggingJobs.node.defaultChild as CfnStateMachine)}.Name>:*]`,
        reason: 'Cancelling a job stops its execution, named by jobId at run time: executions of the tagging-jobs state machine only.',
      });
      // Cancelling stops the job's execution: executions of this state machine only.
      fn.addToRolePolicy(
        new PolicyStatement({
          actions: ['states:StopExecution'],
          resources: [
            Stack.of(this).formatArn({
              service: 'states',
              resource: 'execution',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
              resourceName: `${props.taggingJobs.stateMachineName}:*`,
            }),
          ],
        }),
      );
    }
    this.handlers.set(entry, fn);
    return fn;
  }

  /** Tells the function where the key lives (AITAGS_PRIVATE_KEY_SECRET_ARN) and lets it read it. */
  private bindPrivateKey(fn: AitagsFunction): void {
    fn.addEnvironment('AITAGS_PRIVATE_KEY_SECRET_ARN', this.privateKey.secretArn);
    this.privateKey.grantRead(fn);
  }
}

/** `get-details` → `GetDetails`. */
function constructId(entry: string): string {
  return entry
    .split(/[^A-Za-z0-9]+/)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
}
