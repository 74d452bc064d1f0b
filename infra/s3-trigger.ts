import { Duration } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { EventType } from 'aws-cdk-lib/aws-s3';
import { LambdaDestination } from 'aws-cdk-lib/aws-s3-notifications';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { INGEST_PREFIX, UPLOADS_PREFIX } from '../functions/core/direct-upload.js';
import type { Extension } from '../functions/core/extensions.js';
import { AitagsFunction } from './lambda-function.js';
import type { Storage } from './storage.js';

export interface S3TriggerProps {
  storage: Storage;
  taggingWorkflow: StateMachine;
  /** Extensions for objects other tools write under ingest/ (validated before synthesis). */
  defaultExtensions: Extension[];
  /** Objects larger than this are not read into memory: refused and reported. */
  maxS3UploadBytes: number;
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
    this.handler = new AitagsFunction(this, 'OnObjectCreated', {
      entry: 'on-object-created',
      description: 'aitags: an object in uploads/ or ingest/ becomes a tagged file',
      // Up to 50 MB of bytes in memory, decoded by sharp for metadata and a thumbnail.
      memorySize: 2048,
      timeout: Duration.seconds(120),
      nativeModules: ['sharp'],
      retryAttempts: 2,
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
    // (whose object was already moved) would look like a failure instead of a duplicate.
    this.handler.addToRolePolicy(new PolicyStatement({ actions: ['s3:ListBucket'], resources: [storage.bucket.bucketArn] }));
    for (const prefix of [UPLOADS_PREFIX, INGEST_PREFIX]) {
      storage.bucket.addEventNotification(EventType.OBJECT_CREATED, new LambdaDestination(this.handler), { prefix });
    }
  }
}
