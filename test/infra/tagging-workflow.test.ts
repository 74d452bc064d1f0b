import { beforeAll, describe, expect, it } from 'vitest';
import { allStates, type State, StackTemplate, type StateMachineDefinition } from './stack-template.js';

/** Task state → the handler module under functions/ it invokes. */
const TASKS = [
  ['Tag with Rekognition', 'tag-with-rekognition'],
  ['Tag with Vision', 'tag-with-vision'],
  ['Record extension failure', 'record-extension-failure'],
] as const;
const TAGGER_STATES = ['Tag with Rekognition', 'Tag with Vision'] as const;
const TAGGERS = ['tag-with-rekognition', 'tag-with-vision'] as const;
const WORKFLOW_FUNCTIONS = TASKS.map(([, entry]) => entry);

let synthesized: StackTemplate;
let stateMachineId: string;
let definition: StateMachineDefinition;
let states: Record<string, State>;

beforeAll(() => {
  synthesized = new StackTemplate();
  stateMachineId = synthesized.logicalId(synthesized.stack.tagging.stateMachine);
  definition = synthesized.definitionOf(stateMachineId);
  states = allStates(definition);
});

function state(name: string): State {
  const found = states[name];
  if (!found) throw new Error(`no state named '${name}' in ${Object.keys(states).join(', ')}`);
  return found;
}

function stateMachineProperties(): Record<string, unknown> {
  const properties = synthesized.resources[stateMachineId]?.Properties;
  if (!properties) throw new Error('no AWS::StepFunctions::StateMachine for the tagging workflow');
  return properties;
}

describe('tagging state machine', () => {
  it('is a STANDARD workflow that gives up after 48 hours', () => {
    expect(stateMachineProperties().StateMachineType).toBe('STANDARD');
    expect(definition.TimeoutSeconds).toBe(48 * 3600);
  });

  it('logs errors to its own log group kept for one month', () => {
    const logging = stateMachineProperties().LoggingConfiguration as {
      Level: string;
      Destinations: { CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [string, string] } } }[];
    };
    expect(logging.Level).toBe('ERROR');
    const [logGroupId] = logging.Destinations[0]?.CloudWatchLogsLogGroup.LogGroupArn['Fn::GetAtt'] ?? [];
    expect(synthesized.resources[logGroupId ?? '']).toMatchObject({
      Type: 'AWS::Logs::LogGroup',
      Properties: { RetentionInDays: 30 },
    });
  });

  it('tags each extension, then delivers webhooks', () => {
    expect(definition.StartAt).toBe('Tag each extension');
    expect(state('Tag each extension')).toMatchObject({ Type: 'Map', Next: 'Deliver webhooks' });
    expect(state('Deliver webhooks').End).toBe(true);
  });

  it('fans out one item per requested extension, carrying the file, the run and that extension', () => {
    const map = state('Tag each extension');
    expect(map).toMatchObject({ ItemsPath: '$.extensions', ResultPath: '$.outcomes', ItemProcessor: { StartAt: 'Pick the tagger' } });
    expect(map.ItemSelector).toEqual({ 'fileId.$': '$.fileId', 'runId.$': '$.runId', 'extension.$': '$$.Map.Item.Value' });
  });

  it('picks the tagger by extension name and fails an extension it does not know', () => {
    expect(state('Pick the tagger')).toEqual({
      Type: 'Choice',
      Choices: [
        { Variable: '$.extension.name', StringEquals: 'aws-auto-tagging', Next: 'Tag with Rekognition' },
        { Variable: '$.extension.name', StringEquals: 'google-auto-tagging', Next: 'Tag with Vision' },
      ],
      Default: 'Unknown extension',
    });
    expect(state('Unknown extension')).toEqual({ Type: 'Fail', Error: 'UnknownExtension' });
  });

  it.each(TASKS)("'%s' invokes functions/%s.ts with the item and passes on its result", (name, entry) => {
    expect(state(name)).toMatchObject({
      Type: 'Task',
      Resource: 'arn:Ref(AWS::Partition):states:::lambda:invoke',
      Parameters: { FunctionName: synthesized.functionArn(entry), 'Payload.$': '$' },
      OutputPath: '$.Payload',
    });
  });

  it.each(TAGGER_STATES)(
    "'%s' retries provider faults and timeouts with capped, jittered backoff, after CDK's retrier for Lambda service errors",
    (name) => {
      expect(state(name).Retry).toEqual([
        expect.objectContaining({ ErrorEquals: expect.arrayContaining(['Lambda.ServiceException']) }),
        {
          ErrorEquals: ['ProviderTransientError', 'States.Timeout', 'Lambda.TooManyRequestsException'],
          IntervalSeconds: 2,
          MaxAttempts: 4,
          BackoffRate: 2,
          MaxDelaySeconds: 30,
          JitterStrategy: 'FULL',
        },
      ]);
    },
  );

  it.each(TAGGER_STATES)("'%s' times out before its Lambda does, so a stuck call is retried as States.Timeout", (name) => {
    expect(state(name).TimeoutSeconds).toBe(55);
  });

  it.each(TAGGER_STATES)("'%s' hands any error left after its retries to 'Record extension failure'", (name) => {
    expect(state(name).Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Record extension failure' }]);
    expect(state(name).End).toBe(true);
  });

  it("'Record extension failure' retries every error with jittered backoff and ends the item", () => {
    expect(state('Record extension failure').Retry).toContainEqual({
      ErrorEquals: ['States.ALL'],
      IntervalSeconds: 2,
      MaxAttempts: 5,
      BackoffRate: 2,
      JitterStrategy: 'FULL',
    });
    expect(state('Record extension failure')).toMatchObject({ End: true });
    expect(state('Record extension failure')).not.toHaveProperty('Catch');
  });

  it('lets its role invoke the two taggers and the failure recorder, and no other function', () => {
    const permissions = synthesized.permissionsOfRole(stateMachineProperties().RoleArn);
    expect(permissions.filter((permission) => !permission.startsWith('logs:'))).toEqual(
      WORKFLOW_FUNCTIONS.flatMap((entry) => [`lambda:InvokeFunction ${entry}`, `lambda:InvokeFunction ${entry}:*`]).sort(),
    );
    // What Step Functions needs to deliver its own logs; these actions have no resource-level permissions.
    for (const permission of permissions.filter((permission) => permission.startsWith('logs:'))) {
      expect(permission).toMatch(/^logs:\w+ \*$/);
    }
  });
});

describe('tagging functions', () => {
  it.each(TAGGERS)('%s runs Node.js 22 on arm64 with 1024 MB and 60 s for one provider call and its retries', (entry) => {
    expect(synthesized.functionProperties(entry)).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 1024,
      Timeout: 60,
    });
  });

  it.each(WORKFLOW_FUNCTIONS)('%s logs to its own log group kept for one month', (entry) => {
    const logGroup = (synthesized.functionProperties(entry).LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
    expect(synthesized.resources[logGroup]).toMatchObject({ Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 30 } });
  });

  it('tells the Rekognition tagger to let Rekognition read originals straight from S3', () => {
    const environment = synthesized.environmentOf('tag-with-rekognition');
    expect(environment).toMatchObject({ AITAGS_BUCKET: 'bucket', AITAGS_TABLE: 'table', AITAGS_REKOGNITION_READS_S3: 'true' });
    expect(environment).not.toHaveProperty('AITAGS_VISION_CREDENTIALS_SECRET_ARN');
  });

  it('tells the Vision tagger which secret holds its Google credentials', () => {
    const environment = synthesized.environmentOf('tag-with-vision');
    expect(environment).toMatchObject({
      AITAGS_BUCKET: 'bucket',
      AITAGS_TABLE: 'table',
      AITAGS_VISION_CREDENTIALS_SECRET_ARN: 'visionCredentials',
    });
    expect(environment).not.toHaveProperty('AITAGS_REKOGNITION_READS_S3');
  });

  it('tells the failure recorder which table holds the records', () => {
    expect(synthesized.environmentOf('record-extension-failure')).toMatchObject({ AITAGS_TABLE: 'table' });
  });

  it('creates the Vision credentials secret holding {} (no credentials) for an operator to fill in', () => {
    const secret = synthesized.resources[synthesized.logicalId(synthesized.stack.tagging.visionCredentials)];
    expect(secret).toMatchObject({ Type: 'AWS::SecretsManager::Secret', Properties: { SecretString: '{}' } });
    expect(secret?.Properties).not.toHaveProperty('GenerateSecretString');
  });
});

describe('tagging permissions', () => {
  const readOriginalsAndUpdateRecords = [
    's3:GetObject bucket/public/*',
    's3:GetObject bucket/private/*',
    'dynamodb:GetItem table',
    'dynamodb:UpdateItem table',
  ];

  it('lets tag-with-rekognition detect labels, read originals under public/ and private/ and update records', () => {
    expect(synthesized.permissionsOf('tag-with-rekognition')).toEqual(
      [...readOriginalsAndUpdateRecords, 'rekognition:DetectLabels *'].sort(),
    );
  });

  it('lets tag-with-vision read its credentials secret, read originals and update records, but not call Rekognition', () => {
    const permissions = synthesized.permissionsOf('tag-with-vision');
    expect(permissions).toEqual(
      [
        ...readOriginalsAndUpdateRecords,
        'secretsmanager:DescribeSecret visionCredentials',
        'secretsmanager:GetSecretValue visionCredentials',
      ].sort(),
    );
    expect(permissions.filter((permission) => permission.startsWith('rekognition:'))).toEqual([]);
  });

  it.each(TAGGERS)('%s can neither write nor remove objects, nor create, remove or scan records', (entry) => {
    for (const permission of synthesized.permissionsOf(entry)) {
      expect(permission).not.toMatch(/^s3:(PutObject|DeleteObject|\*)/);
      expect(permission).not.toMatch(/^dynamodb:(PutItem|DeleteItem|Scan|Query|Batch|\*)/);
    }
  });

  it('lets record-extension-failure update records and nothing else', () => {
    expect(synthesized.permissionsOf('record-extension-failure')).toEqual(['dynamodb:UpdateItem table']);
  });

  it.each(WORKFLOW_FUNCTIONS)("%s's role otherwise carries only the basic execution policy, for its logs", (entry) => {
    expect(synthesized.managedPoliciesOf(entry)).toEqual(['AWSLambdaBasicExecutionRole']);
  });
});
