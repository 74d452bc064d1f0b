import { beforeAll, describe, expect, it } from 'vitest';
import { type CfnResource, type GetAtt, StackTemplate, statementsOf } from './stack-template.js';

/** The handler module the bucket notification invokes. */
const TRIGGER = 'on-object-created';
const INBOX_PREFIXES = ['uploads/', 'ingest/'];

let synthesized: StackTemplate;

beforeAll(() => {
  synthesized = new StackTemplate();
});

const arnOf = (construct: { node: { defaultChild?: unknown } }): GetAtt => ({
  'Fn::GetAtt': [synthesized.logicalId(construct), 'Arn'],
});
const bucketArn = () => arnOf(synthesized.stack.storage.bucket);
const queueArn = () => arnOf(synthesized.stack.trigger.failures);

function resourcesOfType(type: string): CfnResource[] {
  return Object.values(synthesized.resources).filter((resource) => resource.Type === type);
}

function only(type: string): CfnResource {
  const [resource, ...others] = resourcesOfType(type);
  if (!resource || others.length) throw new Error(`expected one ${type}, found ${others.length + (resource ? 1 : 0)}`);
  return resource;
}

interface LambdaNotification {
  Events: string[];
  Filter?: { Key: { FilterRules: { Name: string; Value: string }[] } };
  LambdaFunctionArn: unknown;
}

describe('bucket notifications', () => {
  it('sends every ObjectCreated event under uploads/ and under ingest/ to on-object-created, and nothing else', () => {
    const notifications = only('Custom::S3BucketNotifications').Properties;
    expect(notifications?.BucketName).toEqual({ Ref: synthesized.logicalId(synthesized.stack.storage.bucket) });
    expect(notifications?.NotificationConfiguration).toEqual({
      LambdaFunctionConfigurations: INBOX_PREFIXES.map((prefix) => ({
        Events: ['s3:ObjectCreated:*'],
        Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: prefix }] } },
        LambdaFunctionArn: synthesized.functionArn(TRIGGER),
      })),
    });
  });

  it('subscribes nothing to public/ or private/, so the files the trigger writes start no event', () => {
    const configurations = (
      only('Custom::S3BucketNotifications').Properties!.NotificationConfiguration as {
        LambdaFunctionConfigurations: LambdaNotification[];
      }
    ).LambdaFunctionConfigurations;
    for (const configuration of configurations) {
      // A subscription without a prefix filter would see every key of the bucket.
      const prefixes = (configuration.Filter?.Key.FilterRules ?? []).filter((rule) => rule.Name === 'prefix').map((rule) => rule.Value);
      expect(prefixes).toHaveLength(1);
      for (const key of ['public/photos/cat.jpg', 'private/photos/cat.jpg', 'public/photos/ik-thumbnail.cat.jpg']) {
        expect(key.startsWith(prefixes[0] ?? '')).toBe(false);
      }
    }
  });

  it('lets only this bucket, in this account, invoke on-object-created', () => {
    const permissions = resourcesOfType('AWS::Lambda::Permission').filter(
      (permission) => JSON.stringify(permission.Properties?.FunctionName) === JSON.stringify(synthesized.functionArn(TRIGGER)),
    );
    expect(permissions.map((permission) => permission.Properties)).toEqual([
      {
        Action: 'lambda:InvokeFunction',
        FunctionName: synthesized.functionArn(TRIGGER),
        Principal: 's3.amazonaws.com',
        SourceAccount: { Ref: 'AWS::AccountId' },
        SourceArn: bucketArn(),
      },
    ]);
  });
});

describe('on-object-created function', () => {
  it('runs Node.js 22 on arm64 with 2048 MB and 120 s to read, inspect and store an object of up to 50 MB', () => {
    expect(synthesized.functionProperties(TRIGGER)).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 2048,
      Timeout: 120,
    });
  });

  it('logs to its own log group kept for one month', () => {
    const logGroup = (synthesized.functionProperties(TRIGGER).LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
    expect(synthesized.resources[logGroup]).toMatchObject({ Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 30 } });
  });

  it('is retried twice after a failed invocation, then hands the event to the failed-objects queue', () => {
    expect(only('AWS::Lambda::EventInvokeConfig').Properties).toEqual({
      FunctionName: { Ref: synthesized.functionId(TRIGGER) },
      Qualifier: '$LATEST',
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: queueArn() } },
    });
  });

  it('keeps failed events for 14 days in a queue encrypted with SQS-managed keys', () => {
    const queue = synthesized.resources[synthesized.logicalId(synthesized.stack.trigger.failures)];
    expect(queue).toMatchObject({ Type: 'AWS::SQS::Queue' });
    expect(queue?.Properties).toEqual({ MessageRetentionPeriod: 14 * 24 * 3600, SqsManagedSseEnabled: true });
  });

  it('denies every request to the failed-objects queue made without TLS', () => {
    const policy = only('AWS::SQS::QueuePolicy');
    expect(policy.Properties?.Queues).toEqual([{ Ref: synthesized.logicalId(synthesized.stack.trigger.failures) }]);
    expect(statementsOf(policy)).toEqual([
      {
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'sqs:*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        Resource: queueArn(),
      },
    ]);
  });

  it('gets the house variables, the bucket, the table, the state machine and no default extensions', () => {
    expect(synthesized.environmentOf(TRIGGER)).toEqual({
      NODE_OPTIONS: '--enable-source-maps',
      POWERTOOLS_SERVICE_NAME: 'aitags',
      AITAGS_BUCKET: 'bucket',
      AITAGS_TABLE: 'table',
      AITAGS_STATE_MACHINE_ARN: 'runStateMachine',
      AITAGS_DEFAULT_EXTENSIONS: '[]',
      AITAGS_MAX_S3_UPLOAD_BYTES: '52428800',
    });
  });
});

describe('on-object-created permissions', () => {
  it('reads and removes inbox objects, writes and removes files, writes records, starts tagging and reports failures, and nothing else', () => {
    expect(synthesized.permissionsOf(TRIGGER)).toEqual(
      [
        's3:GetObject bucket/uploads/*',
        's3:GetObject bucket/ingest/*',
        's3:PutObject bucket/public/*',
        's3:PutObject bucket/private/*',
        's3:DeleteObject bucket/uploads/*',
        's3:DeleteObject bucket/ingest/*',
        's3:DeleteObject bucket/public/*',
        's3:DeleteObject bucket/private/*',
        'dynamodb:GetItem table',
        'dynamodb:PutItem table',
        'dynamodb:UpdateItem table',
        'dynamodb:DeleteItem table',
        'states:StartExecution runStateMachine',
        // So that HeadObject on a key already moved answers 404 (a duplicate event), not 403.
        's3:ListBucket bucket',
        // The on-failure destination; CDK's SqsDestination adds the two read-only queue lookups to SendMessage.
        'sqs:SendMessage failedObjects',
        'sqs:GetQueueAttributes failedObjects',
        'sqs:GetQueueUrl failedObjects',
      ].sort(),
    );
  });

  it('may list only keys under uploads/ and ingest/, which is all HeadObject on a moved inbox object needs to answer 404', () => {
    const roleId = (synthesized.functionProperties(TRIGGER).Role as GetAtt)['Fn::GetAtt'][0];
    const listing = resourcesOfType('AWS::IAM::Policy')
      .filter((policy) => ((policy.Properties?.Roles ?? []) as { Ref: string }[]).some((role) => role.Ref === roleId))
      .flatMap(statementsOf)
      .filter((statement) => statement.Action === 's3:ListBucket');
    expect(listing).toEqual([
      {
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: bucketArn(),
        Condition: { StringLike: { 's3:prefix': INBOX_PREFIXES.map((prefix) => `${prefix}*`) } },
      },
    ]);
  });

  it('has only the basic execution role besides, so it writes its logs and calls no other service', () => {
    expect(synthesized.managedPoliciesOf(TRIGGER)).toEqual(['AWSLambdaBasicExecutionRole']);
  });
});

describe('storage for the inbox', () => {
  it("expires objects under uploads/ and prepared images after a day and tagging jobs' manifests and results after a month, aborts incomplete multipart uploads after a day, and expires nothing else", () => {
    const bucket = synthesized.resources[synthesized.logicalId(synthesized.stack.storage.bucket)];
    expect(bucket?.Properties?.LifecycleConfiguration).toEqual({
      Rules: [
        { Prefix: 'uploads/', ExpirationInDays: 1, Status: 'Enabled' },
        { Prefix: 'jobs/', ExpirationInDays: 30, Status: 'Enabled' },
        { Prefix: 'prepared/', ExpirationInDays: 1, Status: 'Enabled' },
        { AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, Status: 'Enabled' },
      ],
    });
  });

  it('lets DynamoDB delete upload intents and event claims through their ttl attribute', () => {
    const table = synthesized.resources[synthesized.logicalId(synthesized.stack.storage.table)];
    expect(table?.Properties?.TimeToLiveSpecification).toEqual({ AttributeName: 'ttl', Enabled: true });
  });
});

describe('default extensions', () => {
  const chosen = [{ name: 'aws-auto-tagging', minConfidence: 80, maxTags: 10 }];

  it('hands chosen default extensions to on-object-created as JSON', () => {
    const custom = new StackTemplate({ defaultExtensions: chosen });
    expect(custom.environmentOf(TRIGGER).AITAGS_DEFAULT_EXTENSIONS).toBe('[{"name":"aws-auto-tagging","minConfidence":80,"maxTags":10}]');
  });

  it('hands a saved-extension reference to on-object-created, and to saved-extensions, which must not delete it', () => {
    const withReference = [{ name: 'saved-extension', id: '0123456789abcdef01234567' }];
    const custom = new StackTemplate({ defaultExtensions: withReference });
    const json = JSON.stringify(withReference);
    expect(custom.environmentOf(TRIGGER).AITAGS_DEFAULT_EXTENSIONS).toBe(json);
    expect(custom.environmentOf('saved-extensions').AITAGS_DEFAULT_EXTENSIONS).toBe(json);
    expect(custom.environmentOf('upload').AITAGS_DEFAULT_EXTENSIONS).toBeUndefined();
  });

  it.each([
    {
      value: [{ name: 'nope' }],
      description: 'an unknown extension name',
      message: 'extensions[0].name must be one of aws-auto-tagging, google-auto-tagging, saved-extension (got "nope")',
    },
    { value: 'x', description: 'a value that is not an array', message: 'extensions must be a JSON array' },
  ])('refuses $description when the stack is built, naming the field', ({ value, message }) => {
    expect(() => new StackTemplate({ defaultExtensions: value })).toThrow(message);
  });
});
