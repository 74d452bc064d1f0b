import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { EventType } from 'aws-cdk-lib/aws-s3';
import { LambdaDestination } from 'aws-cdk-lib/aws-s3-notifications';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { INGEST_PREFIX, UPLOADS_PREFIX } from '../functions/core/direct-upload.js';
import type { RequestedExtension } from '../functions/core/extensions.js';
import { AitagsFunction } from './lambda-function.js';
import { BASIC_EXECUTION_ROLE_FINDING } from './nag-findings.js';
import type { Storage } from './storage.js';

export interface S3TriggerProps {
  storage: Storage;
  taggingWorkflow: StateMachine;
  /** Extensions for objects other tools write under ingest/ (validated before synthesis; saved-extension references resolved as objects arrive). */
  defaultExtensions: RequestedExtension[];
  /** Objects larger than this are not read into memory: refused and reported. */
  maxS3UploadBytes: number;
  /** Reserved concurrency of on-object-created. @default none (the account's unreserved pool) */
  reservedConcurrency?: number;
}

/**
 * Bucket notification → on-object-created: presigned uploads (uploads/) and files other tools drop into
 * ingest/ become stored, tagged files. Failed invocations are retried twice by Lambda, then kept in a
 * queue: no object is silently lost.
 */
export class S3Trigger extends Construct {
  readonly handler: AitagsFunction;
  readonly failures: Queue;

  constructor(scope: Construct, id: string, props: S3TriggerProps) {
    super(scope, id);
    const { storage } = props;
    this.failures = new Queue(this, 'FailedObjects', {
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    Validations.of(this.failures).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter destination of on-object-created (its EventInvokeConfig on-failure destination, which the rule does not recognise); nothing consumes it, so a DLQ behind it would never receive a message.',
    });
    this.handler = new AitagsFunction(this, 'OnObjectCreated', {
      entry: 'on-object-created',
      description: 'aitags: an object in uploads/ or ingest/ becomes a tagged file',
      // Up to 50 MB of bytes in memory, decoded by sharp for metadata and a thumbnail.
      memorySize: 2048,
      timeout: Duration.seconds(120),
      nativeModules: ['sharp'],
      retryAttempts: 2,
      // Throttled S3 events wait in Lambda's async queue (up to 6 hours) and are retried, not dropped.
      reservedConcurrentExecutions: props.reservedConcurrency,
      onFailure: new SqsDestination(this.failures),
      environment: {
        AITAGS_DEFAULT_EXTENSIONS: JSON.stringify(props.defaultExtensions),
        AITAGS_STATE_MACHINE_ARN: props.taggingWorkflow.stateMachineArn,
        AITAGS_MAX_S3_UPLOAD_BYTES: String(props.maxS3UploadBytes),
      },
    });
    storage.bindBucket(this.handler, {
      's3:GetObject': ['uploads', 'ingest'],
      's3:PutObject': ['public', 'private'],
      's3:DeleteObject': ['uploads', 'ingest', 'public', 'private'],
    });
    storage.bindTable(this.handler, ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem']);
    props.taggingWorkflow.grantStartExecution(this.handler);
    // Without it, HeadObject on a key that is gone answers 403 instead of 404, and a redelivered event
    // (whose object was already moved) would look like a failure instead of a duplicate. S3 checks that
    // ListBucket with the object's key as s3:prefix, so the inbox prefixes are all it needs.
    this.handler.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [storage.bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [UPLOADS_PREFIX, INGEST_PREFIX].map((prefix) => `${prefix}*`) } },
      }),
    );
    for (const prefix of [UPLOADS_PREFIX, INGEST_PREFIX]) {
      storage.bucket.addEventNotification(EventType.OBJECT_CREATED, new LambdaDestination(this.handler), { prefix });
    }
    // CDK's own singleton that writes the bucket's notification configuration at deploy time.
    const notificationsHandler = Stack.of(this).node.children.find((child) => child.node.id.startsWith('BucketNotificationsHandler'));
    if (notificationsHandler) {
      Validations.of(notificationsHandler).acknowledge({
        id: BASIC_EXECUTION_ROLE_FINDING,
        reason:
          "CDK's bucket-notifications handler runs at deploy time only; AWS's basic execution policy lets it write CloudWatch Logs and nothing else.",
      });
    }
  }
}
