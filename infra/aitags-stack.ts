import { CfnOutput, type RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Alarms } from './alarms.js';
import { Api } from './api.js';
import { Delivery } from './delivery.js';
import { Storage } from './storage.js';
import { TaggingJobs } from './tagging-jobs.js';
import { type ExpressLogLevel, TaggingWorkflow } from './tagging-workflow.js';
import {
  checkedMaxJobConcurrency,
  DEFAULT_MAX_JOB_CONCURRENCY,
  DEFAULT_PROVIDER_QUOTAS,
  type ProviderQuotas,
} from '../functions/core/tagging-job.js';
import { S3Trigger } from './s3-trigger.js';
import { Reconciler } from './reconciler.js';
import { parseExtensions } from '../functions/core/extensions.js';
import { INGEST_PREFIX } from '../functions/core/direct-upload.js';
import { parseMonthlyBudgets } from '../functions/core/budget.js';
import type { ExtensionName } from '../functions/core/extension-names.js';

export interface AitagsStackProps extends StackProps {
  /** Direct upload cap (AITAGS_MAX_UPLOAD_BYTES). @default 4194304 */
  maxUploadBytes?: number;
  /** How long upload and update wait for tagging (AITAGS_SYNC_WINDOW_MS). @default 3000 */
  syncWindowMs?: number;
  /** Largest presigned upload (AITAGS_MAX_S3_UPLOAD_BYTES). @default 52428800 */
  maxS3UploadBytes?: number;
  /** Extensions for objects written under ingest/ by other tools. @default [] */
  defaultExtensions?: unknown;
  /** For the bucket and the table. @default RemovalPolicy.RETAIN */
  dataRemovalPolicy?: RemovalPolicy;
  /**
   * Requests per second the HTTP API accepts on each route on its own (the stage's default route
   * throttling, applied route by route; no limit covers all routes together but the account's). @default 50
   */
  apiRateLimit?: number;
  /** Requests each route accepts at once above the rate. @default 100 */
  apiBurstLimit?: number;
  /** Reserved concurrency of each tagger Lambda. @default none */
  taggerConcurrency?: number;
  /** Reserved concurrency of deliver-webhook. @default none */
  webhookConcurrency?: number;
  /** Reserved concurrency of the S3 trigger (on-object-created). @default none */
  triggerConcurrency?: number;
  /** Subscribed to the alarm topic. @default no subscription */
  alarmEmail?: string;
  /** Rekognition DetectLabels TPS and Vision RPM quotas: tagging jobs and ingest/ together use at most 80 % of each. @default 5 and 1800 */
  providerQuotas?: ProviderQuotas;
  /**
   * The most Lambda functions one tagging job runs at once (the planner's AITAGS_MAX_JOB_CONCURRENCY): a
   * job keeps this many files in flight, or half as many when it runs both taggers. @default 5
   */
  maxJobConcurrency?: number;
  /** USD per 1,000 images per extension for jobs' estimates (AITAGS_PROVIDER_PRICES). @default list prices */
  providerPrices?: Record<string, number>;
  /** AI tag names removed by hand are remembered as rejected (AITAGS_REMEMBER_REJECTIONS). @default true */
  rememberRejections?: boolean;
  /**
   * Each extension's provider budget per calendar month (UTC), in USD (AITAGS_MONTHLY_BUDGET_USD): past
   * it, runs end `failed`, BUDGET_EXCEEDED, without calling the provider; an alarm fires at 80 %. @default none
   */
  monthlyBudgetUsd?: Record<string, number>;
  /**
   * What the Express run machine logs to CloudWatch Logs: ERROR (failed executions, and the errors of
   * states), or ALL (every event, with its input and output). @default 'ERROR'
   */
  expressLogLevel?: ExpressLogLevel;
}

export { DEFAULT_MAX_JOB_CONCURRENCY, DEFAULT_PROVIDER_QUOTAS } from '../functions/core/tagging-job.js';

export const DEFAULT_MAX_UPLOAD_BYTES = 4_194_304;
export const DEFAULT_SYNC_WINDOW_MS = 3000;
export const DEFAULT_MAX_S3_UPLOAD_BYTES = 50 * 1024 * 1024;
export const DEFAULT_API_RATE_LIMIT = 50;
export const DEFAULT_API_BURST_LIMIT = 100;

/** aitags on AWS: files and records, the CDN for public files, and the HTTP API. */
export class AitagsStack extends Stack {
  readonly storage: Storage;
  readonly delivery: Delivery;
  readonly api: Api;
  readonly taggingWorkflow: TaggingWorkflow;
  readonly taggingJobs: TaggingJobs;
  readonly trigger: S3Trigger;
  readonly reconciler: Reconciler;
  readonly alarms: Alarms;

  constructor(scope: Construct, id: string, props: AitagsStackProps = {}) {
    super(scope, id, props);
    // Renders the Distributed Map's ResultWriter with a bucket taken from the state (the manifest's), and grants nothing itself: infra/tagging-jobs.ts grants its prefix.
    this.node.setContext('@aws-cdk/aws-stepfunctions:useDistributedMapResultWriterV2', true);
    this.storage = new Storage(this, 'Storage', { removalPolicy: props.dataRemovalPolicy });
    this.delivery = new Delivery(this, 'Delivery', { bucket: this.storage.bucket });
    const quotas = providerQuotasOf(props.providerQuotas ?? DEFAULT_PROVIDER_QUOTAS);
    const providerPrices = JSON.stringify(props.providerPrices ?? {});
    // Parsed here, so a bad budget fails `cdk synth` instead of every tagger's cold start.
    const budgets = monthlyBudgetsOf(props.monthlyBudgetUsd);
    const monthlyBudgetUsd = JSON.stringify(props.monthlyBudgetUsd ?? {});
    this.taggingWorkflow = new TaggingWorkflow(this, 'TaggingWorkflow', {
      storage: this.storage,
      deliveryBaseUrl: this.delivery.baseUrl,
      quotas,
      expressLogLevel: props.expressLogLevel,
      monthlyBudgetUsd,
      providerPrices,
      taggerConcurrency: reservedConcurrencyOf('taggerConcurrency', props.taggerConcurrency),
      webhookConcurrency: reservedConcurrencyOf('webhookConcurrency', props.webhookConcurrency),
    });
    this.taggingJobs = new TaggingJobs(this, 'TaggingJobs', {
      storage: this.storage,
      taggingWorkflow: this.taggingWorkflow,
      quotas,
      maxJobConcurrency: checkedMaxJobConcurrency(
        props.maxJobConcurrency ?? DEFAULT_MAX_JOB_CONCURRENCY,
        'maxJobConcurrency (cdk -c maxJobConcurrency=…)',
      ),
      monthlyBudgetUsd,
      providerPrices,
    });
    // Validated here, so a bad default fails `cdk synth` instead of every ingest at run time.
    const defaultExtensions = defaultExtensionsOf(props.defaultExtensions);
    this.api = new Api(this, 'Api', {
      defaultExtensions,
      storage: this.storage,
      taggingWorkflow: this.taggingWorkflow.runStateMachine,
      taggingJobs: this.taggingJobs.stateMachine,
      visionCredentials: this.taggingWorkflow.visionCredentials,
      providerPrices,
      monthlyBudgetUsd,
      rememberRejections: props.rememberRejections ?? true,
      deliveryBaseUrl: this.delivery.baseUrl,
      maxUploadBytes: props.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES,
      maxS3UploadBytes: props.maxS3UploadBytes ?? DEFAULT_MAX_S3_UPLOAD_BYTES,
      syncWindowMs: props.syncWindowMs ?? DEFAULT_SYNC_WINDOW_MS,
      rateLimit: props.apiRateLimit ?? DEFAULT_API_RATE_LIMIT,
      burstLimit: props.apiBurstLimit ?? DEFAULT_API_BURST_LIMIT,
    });

    this.trigger = new S3Trigger(this, 'Trigger', {
      storage: this.storage,
      taggingWorkflow: this.taggingWorkflow.runStateMachine,
      defaultExtensions,
      maxS3UploadBytes: props.maxS3UploadBytes ?? DEFAULT_MAX_S3_UPLOAD_BYTES,
      reservedConcurrency: reservedConcurrencyOf('triggerConcurrency', props.triggerConcurrency),
    });
    this.reconciler = new Reconciler(this, 'Reconciler', {
      storage: this.storage,
      taggingWorkflow: this.taggingWorkflow.runStateMachine,
      continuationWorkflow: this.taggingWorkflow.stateMachine,
    });
    this.alarms = new Alarms(this, 'Alarms', {
      failedObjects: this.trigger.failures,
      taggingRuns: this.taggingWorkflow.stateMachine.stateMachineArn,
      expressRuns: this.taggingWorkflow.runStateMachine.stateMachineArn,
      taggingJobs: this.taggingJobs.stateMachine.stateMachineArn,
      jobFiles: this.taggingJobs.jobFilesMetricsArn,
      budgetedExtensions: Object.keys(budgets) as ExtensionName[],
      email: alarmEmailOf(props.alarmEmail),
    });
    new CfnOutput(this, 'AlarmTopicArn', {
      description:
        'Alarms (webhooks given up, S3 objects left unprocessed, tagging runs, jobs or job files failed or timed out) notify this SNS topic: subscribe with aws sns subscribe or -c alarmEmail=…',
      value: this.alarms.topic.topicArn,
    });
    new CfnOutput(this, 'IngestPrefix', {
      description: 'Objects written here by any tool (aws s3 cp) become files tagged with the default extensions',
      value: `s3://${this.storage.bucket.bucketName}/${INGEST_PREFIX}`,
    });
    new CfnOutput(this, 'FailedObjectsQueueUrl', {
      description: 'S3 events whose processing failed after retries',
      value: this.trigger.failures.queueUrl,
    });
    new CfnOutput(this, 'ApiUrl', {
      description: 'Base URL of the API (the ImageKit SDK baseURL)',
      value: this.api.httpApi.apiEndpoint,
    });
    new CfnOutput(this, 'MediaLibraryUrl', {
      description: 'The media library page (same origin as the API; it asks for the private key)',
      value: `${this.api.httpApi.apiEndpoint}/`,
    });
    new CfnOutput(this, 'DeliveryUrl', {
      description: 'Base URL of public files (CloudFront)',
      value: this.delivery.baseUrl,
    });
    new CfnOutput(this, 'PrivateKeySecretArn', {
      description: 'The private API key. Read it with: aws secretsmanager get-secret-value --secret-id <this ARN> --query SecretString --output text',
      value: this.api.privateKey.secretArn,
    });
    new CfnOutput(this, 'BucketName', {
      description: 'Files: public/ and private/ prefixes',
      value: this.storage.bucket.bucketName,
    });
    new CfnOutput(this, 'VisionCredentialsSecretArn', {
      description:
        'Put a Google Cloud Vision API key or service-account JSON key here for google-auto-tagging: aws secretsmanager put-secret-value --secret-id <this ARN> --secret-string <key>',
      value: this.taggingWorkflow.visionCredentials.secretArn,
    });
    new CfnOutput(this, 'WebhookSecretArn', {
      description:
        'Webhook signing secret: whsec_ followed by: aws secretsmanager get-secret-value --secret-id <this ARN> --query SecretString --output text',
      value: this.taggingWorkflow.webhookSecret.secretArn,
    });
    new CfnOutput(this, 'StateMachineArn', {
      description: 'The Standard tagging state machine: runs continued where they need more time, and webhook retries after a failed first attempt',
      value: this.taggingWorkflow.stateMachine.stateMachineArn,
    });
    new CfnOutput(this, 'RunStateMachineArn', {
      description: 'The Express tagging state machine: one execution per tagging run',
      value: this.taggingWorkflow.runStateMachine.stateMachineArn,
    });
    new CfnOutput(this, 'TaggingJobsStateMachineArn', {
      description: `Tagging jobs (a Distributed Map, at most ${this.taggingJobs.maxConcurrency} files and ${this.taggingJobs.maxJobConcurrency} Lambda functions in flight)`,
      value: this.taggingJobs.stateMachine.stateMachineArn,
    });
    new CfnOutput(this, 'TableName', { description: 'File records', value: this.storage.table.tableName });
  }
}

/**
 * Off unless asked for: a reservation comes out of the account's concurrency quota (10 in many new
 * accounts), of which Lambda keeps 100 unreserved, so a default reservation could fail `cdk deploy`.
 */
function reservedConcurrencyOf(name: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${name} (cdk -c ${name}=…) must be a whole number of concurrent executions, 1 or more; got ${value}`);
  }
  return value;
}

function providerQuotasOf(quotas: ProviderQuotas): ProviderQuotas {
  for (const [name, value] of Object.entries(quotas)) {
    if (!(typeof value === 'number' && value > 0)) throw new Error(`${name} (cdk -c ${name}=…) must be a positive number; got ${value}`);
  }
  return quotas;
}

function alarmEmailOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value))
    throw new Error(`alarmEmail (cdk -c alarmEmail=…) must be an email address; got ${JSON.stringify(value)}`);
  return value;
}

function defaultExtensionsOf(value: unknown) {
  try {
    return parseExtensions(value ?? []);
  } catch (error) {
    throw new Error(`defaultExtensions (cdk -c defaultExtensions='[…]') is invalid: ${(error as Error).message}`);
  }
}

function monthlyBudgetsOf(value: Record<string, number> | undefined) {
  try {
    return parseMonthlyBudgets(JSON.stringify(value ?? {}));
  } catch (error) {
    throw new Error(`monthlyBudgetUsd (cdk -c monthlyBudgetUsd='{…}') is invalid: ${(error as Error).message}`);
  }
}
