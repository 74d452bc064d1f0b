import { CfnOutput, type RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Api } from './api.js';
import { Delivery } from './delivery.js';
import { Storage } from './storage.js';
import { TaggingWorkflow } from './tagging-workflow.js';
import { S3Trigger } from './s3-trigger.js';
import { parseExtensions } from '../functions/core/extensions.js';
import { INGEST_PREFIX } from '../functions/core/direct-upload.js';

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
}

export const DEFAULT_MAX_UPLOAD_BYTES = 4_194_304;
export const DEFAULT_SYNC_WINDOW_MS = 3000;
export const DEFAULT_MAX_S3_UPLOAD_BYTES = 50 * 1024 * 1024;

/** aitags on AWS: files and records, the CDN for public files, and the HTTP API. */
export class AitagsStack extends Stack {
  readonly storage: Storage;
  readonly delivery: Delivery;
  readonly api: Api;
  readonly taggingWorkflow: TaggingWorkflow;
  readonly trigger: S3Trigger;

  constructor(scope: Construct, id: string, props: AitagsStackProps = {}) {
    super(scope, id, props);
    this.storage = new Storage(this, 'Storage', { removalPolicy: props.dataRemovalPolicy });
    this.delivery = new Delivery(this, 'Delivery', { bucket: this.storage.bucket });
    this.taggingWorkflow = new TaggingWorkflow(this, 'TaggingWorkflow', { storage: this.storage, deliveryBaseUrl: this.delivery.baseUrl });
    this.api = new Api(this, 'Api', {
      storage: this.storage,
      taggingWorkflow: this.taggingWorkflow.stateMachine,
      deliveryBaseUrl: this.delivery.baseUrl,
      maxUploadBytes: props.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES,
      maxS3UploadBytes: props.maxS3UploadBytes ?? DEFAULT_MAX_S3_UPLOAD_BYTES,
      syncWindowMs: props.syncWindowMs ?? DEFAULT_SYNC_WINDOW_MS,
    });

    // Validated here, so a bad default fails `cdk synth` instead of every ingest at run time.
    this.trigger = new S3Trigger(this, 'Trigger', {
      storage: this.storage,
      taggingWorkflow: this.taggingWorkflow.stateMachine,
      defaultExtensions: defaultExtensionsOf(props.defaultExtensions),
      maxS3UploadBytes: props.maxS3UploadBytes ?? DEFAULT_MAX_S3_UPLOAD_BYTES,
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
    new CfnOutput(this, 'StateMachineArn', { description: 'The tagging workflow', value: this.taggingWorkflow.stateMachine.stateMachineArn });
    new CfnOutput(this, 'TableName', { description: 'File records', value: this.storage.table.tableName });
  }
}

function defaultExtensionsOf(value: unknown) {
  try {
    return parseExtensions(value ?? []);
  } catch (error) {
    throw new Error(`defaultExtensions (cdk -c defaultExtensions='[…]') is invalid: ${(error as Error).message}`);
  }
}
