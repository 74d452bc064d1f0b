import { CfnOutput, type RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Api } from './api.js';
import { Delivery } from './delivery.js';
import { Storage } from './storage.js';
import { TaggingWorkflow } from './tagging-workflow.js';

export interface AitagsStackProps extends StackProps {
  /** Direct upload cap (AITAGS_MAX_UPLOAD_BYTES). @default 4194304 */
  maxUploadBytes?: number;
  /** How long upload and update wait for tagging (AITAGS_SYNC_WINDOW_MS). @default 3000 */
  syncWindowMs?: number;
  /** For the bucket and the table. @default RemovalPolicy.RETAIN */
  dataRemovalPolicy?: RemovalPolicy;
}

export const DEFAULT_MAX_UPLOAD_BYTES = 4_194_304;
export const DEFAULT_SYNC_WINDOW_MS = 3000;

/** aitags on AWS: files and records, the CDN for public files, and the HTTP API. */
export class AitagsStack extends Stack {
  readonly storage: Storage;
  readonly delivery: Delivery;
  readonly api: Api;
  readonly tagging: TaggingWorkflow;

  constructor(scope: Construct, id: string, props: AitagsStackProps = {}) {
    super(scope, id, props);
    this.storage = new Storage(this, 'Storage', { removalPolicy: props.dataRemovalPolicy });
    this.delivery = new Delivery(this, 'Delivery', { bucket: this.storage.bucket });
    this.tagging = new TaggingWorkflow(this, 'Tagging', { storage: this.storage, deliveryBaseUrl: this.delivery.baseUrl });
    this.api = new Api(this, 'Api', {
      storage: this.storage,
      taggingWorkflow: this.tagging.stateMachine,
      deliveryBaseUrl: this.delivery.baseUrl,
      maxUploadBytes: props.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES,
      syncWindowMs: props.syncWindowMs ?? DEFAULT_SYNC_WINDOW_MS,
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
      description:
        'The private API key. Read it with: aws secretsmanager get-secret-value --secret-id <this ARN> --query SecretString --output text',
      value: this.api.privateKey.secretArn,
    });
    new CfnOutput(this, 'BucketName', {
      description: 'Files: public/ and private/ prefixes',
      value: this.storage.bucket.bucketName,
    });
    new CfnOutput(this, 'VisionCredentialsSecretArn', {
      description:
        'Put a Google Cloud Vision API key or service-account JSON key here for google-auto-tagging: aws secretsmanager put-secret-value --secret-id <this ARN> --secret-string <key>',
      value: this.tagging.visionCredentials.secretArn,
    });
    new CfnOutput(this, 'WebhookSecretArn', {
      description:
        'Webhook signing secret: whsec_ followed by: aws secretsmanager get-secret-value --secret-id <this ARN> --query SecretString --output text',
      value: this.tagging.webhookSecret.secretArn,
    });
    new CfnOutput(this, 'StateMachineArn', { description: 'The tagging workflow', value: this.tagging.stateMachine.stateMachineArn });
    new CfnOutput(this, 'TableName', { description: 'File records', value: this.storage.table.tableName });
  }
}
