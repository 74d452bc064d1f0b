import '../../local/promise-with-resolvers.js';
import { StateMachine } from 'aws-local-stepfunctions';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CfnTemplate, taggingWorkflowOf } from '../../local/synthesized-template.js';
import {
  MAX_WEBHOOK_ATTEMPTS,
  WEBHOOK_JITTER,
  WEBHOOK_RETRY_DELAYS_SECONDS,
  WEBHOOK_TIMEOUT_MS,
  webhookWaitStateName,
} from '../../functions/core/webhook-events.js';
import { allStates, type GetAtt, type State, StackTemplate, type StateMachineDefinition, statementsOf } from './stack-template.js';
import { TAGGER_MEMORY } from '../../infra/tagging-workflow.js';

/** Task state → the handler module under functions/ it invokes. */
const TASKS = [
  ['Tag with Rekognition', 'tag-with-rekognition'],
  ['Tag with Vision', 'tag-with-vision'],
  ['Record extension failure', 'record-extension-failure'],
  ['Deliver webhook', 'deliver-webhook'],
  ['Take a turn', 'take-turn'],
] as const;
const TAGGER_STATES = ['Tag with Rekognition', 'Tag with Vision'] as const;
/** The same taggers on an ingested object's paced path: throttling is not retried there but takes another turn. */
const PACED_TAGGER_STATES = ['Tag with Rekognition, paced', 'Tag with Vision, paced'] as const;
const TAGGERS = ['tag-with-rekognition', 'tag-with-vision'] as const;
const WORKFLOW_FUNCTIONS = TASKS.map(([, entry]) => entry);
/** The attempts that follow a Wait: 2 … MAX_WEBHOOK_ATTEMPTS. */
const RETRIED_ATTEMPTS = WEBHOOK_RETRY_DELAYS_SECONDS.map((_, index) => index + 2);
const HOUR = 3600;

let synthesized: StackTemplate;
let stateMachineId: string;
let definition: StateMachineDefinition;
let states: Record<string, State>;

beforeAll(() => {
  synthesized = new StackTemplate();
  stateMachineId = synthesized.logicalId(synthesized.stack.taggingWorkflow.stateMachine);
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

  it('logs every event, without the items it carries, to its own log group kept for one month', () => {
    const logging = stateMachineProperties().LoggingConfiguration as {
      Level: string;
      IncludeExecutionData: boolean;
      Destinations: { CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [string, string] } } }[];
    };
    expect(logging.Level).toBe('ALL');
    expect(logging.IncludeExecutionData).toBe(false);
    const [logGroupId] = logging.Destinations[0]?.CloudWatchLogsLogGroup.LogGroupArn['Fn::GetAtt'] ?? [];
    expect(synthesized.resources[logGroupId ?? '']).toMatchObject({
      Type: 'AWS::Logs::LogGroup',
      Properties: { RetentionInDays: 30 },
    });
  });

  it('logs under /aws/vendedlogs/states/ (no growth of the account’s Logs resource policy), named by the stack and its id', () => {
    const logging = stateMachineProperties().LoggingConfiguration as {
      Destinations: { CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [string, string] } } }[];
    };
    const [logGroupId] = logging.Destinations[0]?.CloudWatchLogsLogGroup.LogGroupArn['Fn::GetAtt'] ?? [];
    expect(synthesized.resources[logGroupId ?? '']?.Properties?.LogGroupName).toEqual({
      'Fn::Join': ['', ['/aws/vendedlogs/states/Aitags-TaggingWorkflow-', { 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] }]],
    });
  });

  it('sends traces to X-Ray', () => {
    expect(stateMachineProperties().TracingConfiguration).toEqual({ Enabled: true });
  });

  it('runs one Map over the extensions and ends when every item has ended', () => {
    expect(definition.StartAt).toBe('Tag each extension');
    expect(Object.keys(definition.States)).toEqual(['Tag each extension', 'Tagging run failed']);
    expect(state('Tag each extension')).toMatchObject({ Type: 'Map', End: true });
    expect(state('Tag each extension')).not.toHaveProperty('Next');
  });

  it("ends the run as failed, with the error and cause it caught, when the Map itself fails ('Tagging run failed')", () => {
    expect(state('Tag each extension').Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.runError', Next: 'Tagging run failed' }]);
    expect(state('Tagging run failed')).toEqual({ Type: 'Fail', ErrorPath: '$.runError.Error', CausePath: '$.runError.Cause' });
  });

  it('lets no item fail, since a failed item makes Step Functions stop its siblings: no Fail state, and every Task catches States.ALL', () => {
    const item = (state('Tag each extension').ItemProcessor as StateMachineDefinition).States;
    expect(Object.entries(item).filter(([, inner]) => inner.Type === 'Fail')).toEqual([]);
    const tasks = Object.entries(item).filter(([, inner]) => inner.Type === 'Task');
    expect(tasks.map(([name]) => name).sort()).toEqual([...TASKS.map(([name]) => name), ...PACED_TAGGER_STATES].sort());
    for (const [name, task] of tasks) {
      // A paced tagger hands a provider's throttling back to the pacer (Take a turn) before anything else.
      const throttled = (PACED_TAGGER_STATES as readonly string[]).includes(name) ? [['ProviderThrottledError']] : [];
      expect({ name, catches: (task.Catch as { ErrorEquals: string[] }[] | undefined)?.map((handler) => handler.ErrorEquals) }).toEqual({
        name,
        catches: [...throttled, ['States.ALL']],
      });
    }
    for (const name of PACED_TAGGER_STATES) {
      expect((state(name).Catch as Array<Record<string, unknown>>)[0]).toMatchObject({ Next: 'Take a turn', ResultPath: '$.turn.throttled' });
    }
  });

  it('sends every transition of an item to a state of that item', () => {
    const item = (state('Tag each extension').ItemProcessor as StateMachineDefinition).States;
    const targets = Object.values(item).flatMap((inner) => [
      inner.Next,
      inner.Default,
      ...((inner.Choices as { Next: string }[] | undefined) ?? []).map((choice) => choice.Next),
      ...((inner.Catch as { Next: string }[] | undefined) ?? []).map((handler) => handler.Next),
    ]);
    for (const target of targets.filter((name) => name !== undefined)) expect(Object.keys(item)).toContain(target);
  });

  it('fans out one item per requested extension, carrying the file, the run, that extension and the tag policy version the run carries', () => {
    const map = state('Tag each extension');
    // A run the reconciler starts as lost goes to Record extension failure instead (test/infra/reconciler.test.ts).
    expect(map).toMatchObject({ ItemsPath: '$.extensions', ResultPath: '$.outcomes', ItemProcessor: { StartAt: 'Pick the tagger' } });
    expect(map.ItemSelector).toEqual({
      'fileId.$': '$.fileId',
      'runId.$': '$.runId',
      'extension.$': '$$.Map.Item.Value',
      'policyVersion.$': '$.policyVersion',
      'lost.$': '$.lost',
      'paced.$': '$.paced',
      // The owner of the item's claims: one per execution, the same on every retry of its tasks.
      'execution.$': '$$.Execution.Id',
    });
  });

  it('picks the tagger by extension name, and ends an extension it does not know with the error in its output', () => {
    expect(state('Pick the tagger')).toEqual({
      Type: 'Choice',
      Choices: [
        { Variable: '$.lost', BooleanEquals: true, Next: 'Workflow lost' },
        // Webhooks the reconciler resumes (test/infra/reconciler.test.ts).
        {
          And: [
            { Variable: '$.extension.resume', IsPresent: true },
            { Variable: '$.extension.resume.webhook.attempt', NumericEquals: 1 },
          ],
          Next: 'Resume the webhook',
        },
        { Variable: '$.extension.resume', IsPresent: true, Next: 'Resume the webhook retries' },
        {
          And: [
            { Variable: '$.paced', BooleanEquals: true },
            { Variable: '$.extension.maxTags', NumericGreaterThan: 0 },
          ],
          Next: 'Take a turn',
        },
        { Variable: '$.extension.name', StringEquals: 'aws-auto-tagging', Next: 'Tag with Rekognition' },
        { Variable: '$.extension.name', StringEquals: 'google-auto-tagging', Next: 'Tag with Vision' },
      ],
      Default: 'Unknown extension',
    });
    expect(state('Unknown extension')).toEqual({
      Type: 'Pass',
      Result: { Error: 'UnknownExtension', Cause: 'No tagger runs this extension name' },
      ResultPath: '$.error',
      End: true,
    });
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
          ErrorEquals: ['ProviderTransientError', 'States.Timeout'],
          IntervalSeconds: 2,
          MaxAttempts: 4,
          BackoffRate: 2,
          MaxDelaySeconds: 30,
          JitterStrategy: 'FULL',
        },
        // Throttling: its own schedule (test/infra/tagger-retries.test.ts).
        expect.objectContaining({ ErrorEquals: ['ProviderThrottledError', 'Lambda.TooManyRequestsException'] }),
      ]);
    },
  );

  it.each(TAGGER_STATES)("'%s' times out before its Lambda does, so a stuck call is retried as States.Timeout", (name) => {
    expect(state(name).TimeoutSeconds).toBe(55);
  });

  it.each(TAGGER_STATES)("'%s' hands any error left after its retries to 'Record extension failure'", (name) => {
    expect(state(name).Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Record extension failure' }]);
  });

  it.each(TAGGER_STATES)("'%s' goes on to ask whether a webhook is owed", (name) => {
    expect(state(name)).toMatchObject({ Next: 'Webhook owed?' });
    expect(state(name)).not.toHaveProperty('End');
  });

  it("'Record extension failure' retries every error with jittered backoff, then asks whether a webhook is owed", () => {
    expect(state('Record extension failure').Retry).toContainEqual({
      ErrorEquals: ['States.ALL'],
      IntervalSeconds: 2,
      MaxAttempts: 5,
      BackoffRate: 2,
      JitterStrategy: 'FULL',
    });
    expect(state('Record extension failure')).toMatchObject({ Next: 'Webhook owed?' });
    expect(state('Record extension failure')).not.toHaveProperty('End');
  });

  it("'Record extension failure' still failing after its retries ends its item, keeping both errors, instead of failing the Map", () => {
    expect(state('Record extension failure').Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.recordFailureError', Next: 'Extension failure not recorded' },
    ]);
    expect(state('Extension failure not recorded')).toEqual({ Type: 'Succeed' });
  });

  it('lets its role invoke the two taggers, the failure recorder, deliver-webhook and take-turn, and no other function', () => {
    const permissions = synthesized.permissionsOfRole(stateMachineProperties().RoleArn);
    const delivery = (permission: string) => permission.startsWith('logs:') || permission.startsWith('xray:');
    expect(permissions.filter((permission) => !delivery(permission))).toEqual(
      WORKFLOW_FUNCTIONS.flatMap((entry) => [`lambda:InvokeFunction ${entry}`, `lambda:InvokeFunction ${entry}:*`]).sort(),
    );
    // What Step Functions needs to deliver its own logs and traces; these actions have no resource-level permissions.
    expect(permissions.filter(delivery)).toEqual(
      [
        'logs:CreateLogDelivery *',
        'logs:DeleteLogDelivery *',
        'logs:DescribeLogGroups *',
        'logs:DescribeResourcePolicies *',
        'logs:GetLogDelivery *',
        'logs:ListLogDeliveries *',
        'logs:PutResourcePolicy *',
        'logs:UpdateLogDelivery *',
        'xray:GetSamplingRules *',
        'xray:GetSamplingTargets *',
        'xray:PutTelemetryRecords *',
        'xray:PutTraceSegments *',
      ].sort(),
    );
  });
});

describe('webhook delivery loop', () => {
  it("delivers a webhook only for an item that carries one ('Webhook owed?')", () => {
    expect(state('Webhook owed?')).toEqual({
      Type: 'Choice',
      Choices: [{ Variable: '$.webhook', IsPresent: true, Next: 'Deliver webhook' }],
      Default: 'No webhook owed',
    });
    expect(state('No webhook owed')).toEqual({ Type: 'Succeed' });
  });

  it("'Deliver webhook' makes one attempt and hands its result to 'After the webhook attempt'", () => {
    expect(state('Deliver webhook')).toMatchObject({ Next: 'After the webhook attempt' });
    expect(state('Deliver webhook')).not.toHaveProperty('TimeoutSeconds');
  });

  it("'Deliver webhook' retries every error with jittered backoff, after CDK's retrier for Lambda service errors", () => {
    expect(state('Deliver webhook').Retry).toEqual([
      expect.objectContaining({ ErrorEquals: expect.arrayContaining(['Lambda.ServiceException']) }),
      { ErrorEquals: ['States.ALL'], IntervalSeconds: 5, MaxAttempts: 5, BackoffRate: 2, JitterStrategy: 'FULL' },
    ]);
  });

  it("'Deliver webhook' never drops the event when its own retries are spent: it waits 5 minutes and tries again", () => {
    expect(state('Deliver webhook').Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.webhookError', Next: 'Wait after a crashed webhook attempt' },
    ]);
    expect(state('Wait after a crashed webhook attempt')).toEqual({ Type: 'Wait', Seconds: 300, Next: 'Deliver webhook' });
  });

  it('ends delivered and given-up events, and waits before attempts 2 to 8 by the attempt the Lambda asks for next', () => {
    expect(state('After the webhook attempt')).toEqual({
      Type: 'Choice',
      Choices: [
        { Variable: '$.webhook.delivered', BooleanEquals: true, Next: 'Webhook delivered' },
        { Variable: '$.webhook.gaveUp', BooleanEquals: true, Next: 'Webhook given up' },
        ...[2, 3, 4, 5, 6, 7, 8].map((attempt) => ({
          Variable: '$.webhook.attempt',
          NumericEquals: attempt,
          Next: `Wait before webhook attempt ${attempt}`,
        })),
      ],
      Default: 'Webhook given up',
    });
    expect(state('Webhook delivered')).toEqual({ Type: 'Succeed' });
    expect(state('Webhook given up')).toEqual({ Type: 'Succeed' });
  });

  it.each(RETRIED_ATTEMPTS)("'Wait before webhook attempt %i' waits the seconds the Lambda chose, then delivers again", (attempt) => {
    expect(state(webhookWaitStateName(attempt))).toEqual({
      Type: 'Wait',
      SecondsPath: '$.webhook.waitSeconds',
      Next: 'Deliver webhook',
    });
  });

  it('has one Wait per retry of the schedule, and one for a crashed attempt, and no other', () => {
    const waits = Object.entries(states)
      .filter(([, inner]) => inner.Type === 'Wait')
      .map(([name]) => name);
    const webhookWaits = waits.filter((name) => !['Wait for the turn', 'Wait in line'].includes(name));
    expect(webhookWaits.sort()).toEqual([...RETRIED_ATTEMPTS.map(webhookWaitStateName), 'Wait after a crashed webhook attempt'].sort());
  });

  it('retries over at least 24 hours, in 8 attempts', () => {
    const span = WEBHOOK_RETRY_DELAYS_SECONDS.reduce((sum, seconds) => sum + seconds, 0);
    expect(span).toBeGreaterThanOrEqual(24 * HOUR);
    expect(MAX_WEBHOOK_ATTEMPTS).toBe(8);
    expect(RETRIED_ATTEMPTS.at(-1)).toBe(MAX_WEBHOOK_ATTEMPTS);
  });

  it('lets an execution outlive the whole schedule, jittered to its longest, and every attempt running to its timeout', () => {
    const span = WEBHOOK_RETRY_DELAYS_SECONDS.reduce((sum, seconds) => sum + seconds, 0);
    const attemptTimeout = synthesized.functionProperties('deliver-webhook').Timeout as number;
    expect(definition.TimeoutSeconds).toBe(48 * HOUR);
    expect(span * (1 + WEBHOOK_JITTER) + MAX_WEBHOOK_ATTEMPTS * attemptTimeout).toBeLessThan(48 * HOUR);
  });
});

describe('tagging functions', () => {
  it.each(TAGGERS)(
    '%s runs Node.js 22 on arm64 with 512 MB (over the measured floor for the largest image) and 60 s for one provider call and its retries',
    (entry) => {
      expect(synthesized.functionProperties(entry)).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: 512,
        Timeout: 60,
      });
      expect(TAGGER_MEMORY.mb).toBeGreaterThanOrEqual(TAGGER_MEMORY.floorMb);
    },
  );

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

  it('runs deliver-webhook on Node.js 22 on arm64 with 256 MB and 20 s, more than the 10 s a receiver gets', () => {
    const properties = synthesized.functionProperties('deliver-webhook');
    expect(properties).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 256,
      Timeout: 20,
    });
    expect(WEBHOOK_TIMEOUT_MS).toBe(10_000);
    expect(properties.Timeout as number).toBeGreaterThan(WEBHOOK_TIMEOUT_MS / 1000);
  });

  it('tells deliver-webhook where records, files, public URLs and the signing secret are, and to refuse private targets', () => {
    const environment = synthesized.environmentOf('deliver-webhook');
    expect(environment).toEqual({
      NODE_OPTIONS: '--enable-source-maps',
      POWERTOOLS_SERVICE_NAME: 'aitags',
      AITAGS_TABLE: 'table',
      AITAGS_BUCKET: 'bucket',
      AITAGS_DELIVERY_BASE_URL: 'https://distribution.DomainName',
      AITAGS_WEBHOOK_SECRET_ARN: 'webhookSecret',
      AITAGS_ALLOW_PRIVATE_WEBHOOKS: 'false',
    });
    // Neither the secret itself in plain text, nor a receiver timeout other than the 10 s default.
    expect(environment).not.toHaveProperty('AITAGS_WEBHOOK_SECRET');
    expect(environment).not.toHaveProperty('AITAGS_WEBHOOK_TIMEOUT_MS');
  });

  it('generates the webhook signing secret: 32 characters without punctuation', () => {
    const secret = synthesized.resources[synthesized.logicalId(synthesized.stack.taggingWorkflow.webhookSecret)];
    expect(secret).toMatchObject({
      Type: 'AWS::SecretsManager::Secret',
      Properties: { GenerateSecretString: { ExcludePunctuation: true, IncludeSpace: false, PasswordLength: 32 } },
    });
    expect(secret?.Properties).not.toHaveProperty('SecretString');
    expect(secret?.Properties?.GenerateSecretString).not.toHaveProperty('SecretStringTemplate');
  });

  it('creates the Vision credentials secret holding {} (no credentials) for an operator to fill in', () => {
    const secret = synthesized.resources[synthesized.logicalId(synthesized.stack.taggingWorkflow.visionCredentials)];
    expect(secret).toMatchObject({ Type: 'AWS::SecretsManager::Secret', Properties: { SecretString: '{}' } });
    expect(secret?.Properties).not.toHaveProperty('GenerateSecretString');
  });
});

describe('tagging permissions', () => {
  const readOriginalsAndUpdateRecords = [
    's3:GetObject bucket/public/*',
    's3:GetObject bucket/private/*',
    's3:GetObject bucket/prepared/*',
    's3:PutObject bucket/prepared/*',
    // So that GetObject on a prepared image not yet made answers 404, not 403.
    's3:ListBucket bucket',
    'dynamodb:GetItem table',
    'dynamodb:UpdateItem table',
  ];

  it('lets tag-with-rekognition detect labels, read originals under public/ and private/, keep prepared images and update records', () => {
    expect(synthesized.permissionsOf('tag-with-rekognition')).toEqual([...readOriginalsAndUpdateRecords, 'rekognition:DetectLabels *'].sort());
  });

  it('lets tag-with-vision read its credentials secret, read originals, keep prepared images and update records, but not call Rekognition', () => {
    const permissions = synthesized.permissionsOf('tag-with-vision');
    expect(permissions).toEqual(
      [...readOriginalsAndUpdateRecords, 'secretsmanager:DescribeSecret visionCredentials', 'secretsmanager:GetSecretValue visionCredentials'].sort(),
    );
    expect(permissions.filter((permission) => permission.startsWith('rekognition:'))).toEqual([]);
  });

  it.each(TAGGERS)('%s writes objects under prepared/ only, removes none, and neither creates, removes nor scans records', (entry) => {
    for (const permission of synthesized.permissionsOf(entry)) {
      expect(permission).not.toMatch(/^s3:(PutObject (?!bucket\/prepared\/\*$)|DeleteObject|\*)/);
      expect(permission).not.toMatch(/^dynamodb:(PutItem|DeleteItem|Scan|Query|Batch|\*)/);
    }
  });

  it.each(TAGGERS)('%s may list only keys under prepared/, which is all GetObject on a missing prepared image needs to answer 404', (entry) => {
    const roleId = (synthesized.functionProperties(entry).Role as GetAtt)['Fn::GetAtt'][0];
    const listing = Object.values(synthesized.resources)
      .filter((resource) => resource.Type === 'AWS::IAM::Policy')
      .filter((policy) => ((policy.Properties?.Roles ?? []) as { Ref: string }[]).some((role) => role.Ref === roleId))
      .flatMap(statementsOf)
      .filter((statement) => statement.Action === 's3:ListBucket');
    expect(listing.map((statement) => statement.Condition)).toEqual([{ StringLike: { 's3:prefix': ['prepared/*'] } }]);
  });

  it('lets record-extension-failure read and update records and nothing else', () => {
    expect(synthesized.permissionsOf('record-extension-failure')).toEqual(['dynamodb:GetItem table', 'dynamodb:UpdateItem table']);
  });

  it('lets deliver-webhook read and update records, sign private-file URLs and read the webhook secret, and nothing else', () => {
    expect(synthesized.permissionsOf('deliver-webhook')).toEqual(
      [
        'dynamodb:GetItem table',
        'dynamodb:UpdateItem table',
        's3:GetObject bucket/private/*',
        'secretsmanager:DescribeSecret webhookSecret',
        'secretsmanager:GetSecretValue webhookSecret',
      ].sort(),
    );
  });

  it('keeps deliver-webhook from writing or removing objects, creating, removing or scanning records, and calling providers', () => {
    for (const permission of synthesized.permissionsOf('deliver-webhook')) {
      expect(permission).not.toMatch(/^s3:(PutObject|DeleteObject|\*)/);
      expect(permission).not.toMatch(/^dynamodb:(PutItem|DeleteItem|Scan|Query|Batch|\*)/);
      expect(permission).not.toMatch(/^rekognition:/);
      expect(permission).not.toMatch(/^secretsmanager:\S+ (privateKey|visionCredentials)$/);
    }
  });

  it.each(WORKFLOW_FUNCTIONS)("%s's role otherwise carries only the basic execution policy, for its logs", (entry) => {
    expect(synthesized.managedPoliciesOf(entry)).toEqual(['AWSLambdaBasicExecutionRole']);
  });
});

describe('a run of the synthesized definition (aws-local-stepfunctions, stub tasks)', () => {
  type Payload = Record<string, unknown>;
  type JsonValue = Parameters<StateMachine['run']>[0];
  const EXECUTION_ID = 'arn:aws:states:us-east-1:000000000000:execution:aitags-tagging:r1';
  const thrown = (name: string, message: string) => Object.assign(new Error(message), { name });

  /** Runs the definition as synthesized, each Lambda task answered by a stub for its handler module, every Retry and Wait shortened. */
  function runWith(stubs: Record<string, (payload: Payload, call: number) => Payload>, waitMs: Record<string, number>, input: Payload = {}) {
    const workflow = taggingWorkflowOf(synthesized.template.toJSON() as CfnTemplate);
    const calls: Record<string, number> = {};
    const taskResourceLocalHandlers = Object.fromEntries(
      Object.entries(workflow.taskEntries).map(([stateName, entry]) => [
        stateName,
        (input: unknown) => {
          calls[entry] = (calls[entry] ?? 0) + 1;
          const stub = stubs[entry];
          if (!stub) throw new Error(`no stub for ${entry}`);
          return { Payload: stub((input as { Payload: Payload }).Payload, calls[entry]) } as JsonValue;
        },
      ]),
    );
    const machine = new StateMachine(workflow.definition as unknown as ConstructorParameters<typeof StateMachine>[0]);
    const execution = machine.run(
      {
        fileId: 'f1',
        runId: 'r1',
        extensions: [{ name: 'aws-auto-tagging' }, { name: 'google-auto-tagging' }],
        policyVersion: 'v1',
        lost: false,
        paced: false,
        ...input,
      } as JsonValue,
      {
        // The Map hands each item its execution's id (the owner of its claims).
        context: { Execution: { Id: EXECUTION_ID } },
        overrides: {
          taskResourceLocalHandlers,
          retryIntervalOverrides: Object.fromEntries(TASKS.map(([name]) => [name, 0])),
          waitTimeOverrides: waitMs,
        },
      },
    );
    return { result: execution.result as Promise<{ outcomes: Payload[] }>, calls };
  }

  it("keeps delivering one extension's webhook while the other's failure recorder keeps failing", async () => {
    const webhook = { url: 'https://receiver.example/hooks', eventId: 'evt_1', attempt: 1, delivered: false, gaveUp: false };
    const { result, calls } = runWith(
      {
        'tag-with-rekognition': () => {
          throw thrown('ProviderError', 'Rekognition refused the image');
        },
        'record-extension-failure': () => {
          throw thrown('RecordFailed', 'the table is unavailable');
        },
        'tag-with-vision': (item) => ({ ...item, webhook }),
        // The receiver fails the first attempt; the second, after a Wait, gets through.
        'deliver-webhook': (item, call) => ({
          ...item,
          webhook: call === 1 ? { ...webhook, attempt: 2, waitSeconds: 5 } : { ...webhook, attempt: 2, delivered: true },
        }),
      },
      // Long enough for the sibling's failure to happen while this webhook waits; retries take no time.
      { [webhookWaitStateName(2)]: 300 },
    );

    const { outcomes } = await result;

    expect(calls).toEqual({ 'tag-with-rekognition': 1, 'record-extension-failure': 6, 'tag-with-vision': 1, 'deliver-webhook': 2 });
    expect(outcomes).toEqual([
      {
        fileId: 'f1',
        runId: 'r1',
        extension: { name: 'aws-auto-tagging' },
        policyVersion: 'v1',
        lost: false,
        paced: false,
        execution: EXECUTION_ID,
        error: { Error: 'ProviderError', Cause: expect.stringContaining('Rekognition refused the image') },
        recordFailureError: { Error: 'RecordFailed', Cause: expect.stringContaining('the table is unavailable') },
      },
      {
        fileId: 'f1',
        runId: 'r1',
        extension: { name: 'google-auto-tagging' },
        policyVersion: 'v1',
        lost: false,
        paced: false,
        execution: EXECUTION_ID,
        webhook: { ...webhook, attempt: 2, delivered: true },
      },
    ]);
  });

  it('has a paced run’s extension take its turn first — waiting in line and asking again with its ticket — and one with maxTags 0 take none', async () => {
    const now = Date.now();
    const asked: Payload[] = [];
    const { result, calls } = runWith(
      {
        // First sent to wait in line, then given a turn.
        'take-turn': (item, call) => {
          asked.push(item);
          return { ...item, turn: call === 1 ? { askAgainAt: new Date(now).toISOString(), ticket: 7 } : { at: new Date(now).toISOString() } };
        },
        'tag-with-rekognition': (item) => ({ fileId: item.fileId, runId: item.runId, name: 'aws-auto-tagging', status: 'success' }),
        'tag-with-vision': (item) => ({ fileId: item.fileId, runId: item.runId, name: 'google-auto-tagging', status: 'success' }),
      },
      {},
      {
        fileId: 'f1',
        runId: 'r1',
        extensions: [
          { name: 'aws-auto-tagging', maxTags: 5 },
          { name: 'google-auto-tagging', maxTags: 0 },
        ],
        policyVersion: 'v1',
        lost: false,
        paced: true,
      },
    );
    const { outcomes } = await result;
    expect(calls).toEqual({ 'take-turn': 2, 'tag-with-rekognition': 1, 'tag-with-vision': 1 });
    expect(asked.map((item) => item.turn)).toEqual([undefined, { askAgainAt: new Date(now).toISOString(), ticket: 7 }]);
    expect(outcomes).toEqual([
      { fileId: 'f1', runId: 'r1', name: 'aws-auto-tagging', status: 'success' },
      { fileId: 'f1', runId: 'r1', name: 'google-auto-tagging', status: 'success' },
    ]);
  });

  it('has a paced extension the provider throttles take another turn, told it was throttled, instead of retrying at once', async () => {
    const asked: Payload[] = [];
    const at = new Date().toISOString();
    const { result, calls } = runWith(
      {
        'take-turn': (item) => {
          asked.push(item);
          return { ...item, turn: { at, throttles: asked.length - 1 } };
        },
        'tag-with-rekognition': (item, call) => {
          if (call === 1) throw thrown('ProviderThrottledError', 'Rate exceeded');
          return { fileId: item.fileId, runId: item.runId, name: 'aws-auto-tagging', status: 'success' };
        },
      },
      {},
      { extensions: [{ name: 'aws-auto-tagging', maxTags: 5 }], paced: true },
    );
    expect((await result).outcomes).toEqual([{ fileId: 'f1', runId: 'r1', name: 'aws-auto-tagging', status: 'success' }]);
    expect(calls).toEqual({ 'take-turn': 2, 'tag-with-rekognition': 2 });
    expect(asked[1]?.turn).toMatchObject({ at, throttles: 0, throttled: { Error: 'ProviderThrottledError' } });
  });

  it('tags a paced run’s extension unpaced when its turn cannot be taken, its retries spent', async () => {
    const { result, calls } = runWith(
      {
        'take-turn': () => {
          throw thrown('ResourceNotFoundException', 'the table is unavailable');
        },
        'tag-with-rekognition': (item) => ({ fileId: item.fileId, runId: item.runId, name: 'aws-auto-tagging', status: 'success' }),
      },
      {},
      { fileId: 'f1', runId: 'r1', extensions: [{ name: 'aws-auto-tagging', maxTags: 5 }], policyVersion: 'v1', lost: false, paced: true },
    );
    expect((await result).outcomes).toEqual([{ fileId: 'f1', runId: 'r1', name: 'aws-auto-tagging', status: 'success' }]);
    expect(calls).toEqual({ 'take-turn': 5, 'tag-with-rekognition': 1 });
  });

  it('resumes a webhook the reconciler hands it: its next attempt after the Wait for that attempt, or its first at once, and no tagger', async () => {
    const webhook = (attempt: number, eventId: string) => ({
      url: 'https://receiver.example/hooks',
      eventId,
      attempt,
      delivered: false,
      gaveUp: false,
      waitSeconds: 0,
    });
    const resume = (name: string, attempt: number, eventId: string) => ({
      fileId: 'f1',
      runId: 'r1',
      name,
      status: 'success',
      webhook: webhook(attempt, eventId),
    });
    const delivered: Payload[] = [];
    const { result, calls } = runWith(
      {
        'deliver-webhook': (task) => {
          delivered.push(task);
          return { ...task, webhook: { ...(task.webhook as Payload), delivered: true } };
        },
      },
      { [webhookWaitStateName(3)]: 0 },
      {
        extensions: [
          { name: 'aws-auto-tagging', minConfidence: 50, maxTags: 5, resume: resume('aws-auto-tagging', 3, 'msg_aws') },
          { name: 'google-auto-tagging', minConfidence: 50, maxTags: 5, resume: resume('google-auto-tagging', 1, 'msg_google') },
        ],
      },
    );

    const { outcomes } = await result;

    expect(calls).toEqual({ 'deliver-webhook': 2 });
    expect(delivered).toEqual(expect.arrayContaining([resume('aws-auto-tagging', 3, 'msg_aws'), resume('google-auto-tagging', 1, 'msg_google')]));
    expect(outcomes.map((outcome) => outcome.webhook)).toEqual([
      { ...webhook(3, 'msg_aws'), delivered: true },
      { ...webhook(1, 'msg_google'), delivered: true },
    ]);
  });
});
