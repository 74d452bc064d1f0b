import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { JOB_RESULTS_PREFIX } from '../../functions/core/job-steps.js';
import { AitagsStack } from '../../infra/aitags-stack.js';
import { JOB_FILES_LABEL, JOB_STATES, JOB_WEBHOOK_RETRY, TOLERATED_FAILURE_PERCENTAGE } from '../../infra/tagging-jobs.js';
import { StackTemplate } from './stack-template.js';

let synthesized: StackTemplate;
let states: Record<string, Record<string, unknown>>;

beforeAll(() => {
  synthesized = new StackTemplate();
  const definition = synthesized.definitionOf(synthesized.logicalId(synthesized.stack.taggingJobs.stateMachine));
  states = definition.States as Record<string, Record<string, unknown>>;
});

describe('the tagging-jobs state machine', () => {
  it('runs each file in a Distributed Map over the planner’s manifest in S3, with Express children, a failure tolerance and results in S3', () => {
    const map = states[JOB_STATES.tagEachFile];
    expect(map).toMatchObject({
      Type: 'Map',
      ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' }, StartAt: JOB_STATES.startFile },
      ItemReader: {
        Resource: 'arn:Ref(AWS::Partition):states:::s3:getObject',
        ReaderConfig: { InputType: 'JSON' },
        Parameters: { 'Bucket.$': '$.manifest.bucket', 'Key.$': '$.manifest.key' },
      },
      ItemSelector: {
        'jobId.$': '$.jobId',
        'fileId.$': '$$.Map.Item.Value.fileId',
        'index.$': '$$.Map.Item.Index',
        'rate.$': '$.rate',
        'startedAtMs.$': '$.startedAtMs',
      },
      MaxConcurrencyPath: '$.maxConcurrency',
      // Its children report their metrics under `<state machine ARN>/TagEachFile` (the JobFilesFailed alarm's).
      Label: JOB_FILES_LABEL,
      ToleratedFailurePercentage: TOLERATED_FAILURE_PERCENTAGE,
      ResultWriter: { Parameters: { 'Bucket.$': '$.manifest.bucket', Prefix: JOB_RESULTS_PREFIX } },
      ResultPath: '$.mapResult',
      Next: JOB_STATES.finish,
    });
    expect(map?.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: JOB_STATES.finish }]);
  });

  it('makes each file wait for its turn before its providers are called, then tags it with the same taggers and counts it', () => {
    const processor =
      (states[JOB_STATES.tagEachFile]?.ItemProcessor as { States: Record<string, Record<string, unknown>> } | undefined)?.States ?? {};
    expect(processor[JOB_STATES.startFile]?.Next).toBe(JOB_STATES.fileSkipped);
    expect(processor[JOB_STATES.fileSkipped]).toMatchObject({
      Choices: [
        { Variable: '$.skip', IsPresent: true, Next: JOB_STATES.countFile },
        { Variable: '$.reapplied', IsPresent: true, Next: JOB_STATES.countFile },
      ],
      Default: JOB_STATES.waitForTurn,
    });
    expect(processor[JOB_STATES.waitForTurn]).toEqual({ Type: 'Wait', TimestampPath: '$.notBefore', Next: JOB_STATES.tagEachExtension });
    const tagging = processor[JOB_STATES.tagEachExtension] as {
      ItemProcessor: { States: Record<string, { Resource?: string; Parameters?: { FunctionName?: unknown } }> };
    };
    const taggers = Object.values(tagging.ItemProcessor.States)
      .map((state) => state.Parameters?.FunctionName)
      .filter(Boolean)
      .map((arn) => synthesized.render(arn));
    expect(new Set(taggers)).toEqual(new Set(['tag-with-rekognition', 'tag-with-vision', 'record-extension-failure']));
    expect(processor[JOB_STATES.countFile]?.End).toBe(true);
  });

  it('retries the job webhook for more than a day, then gives up without failing the job', () => {
    const deliver = states[JOB_STATES.deliverWebhook] as { Retry: Array<Record<string, unknown>>; Catch: unknown[] };
    expect(deliver.Retry.find((retrier) => JSON.stringify(retrier.ErrorEquals) === '["JobWebhookNotDelivered"]')).toMatchObject({
      ErrorEquals: ['JobWebhookNotDelivered'],
      IntervalSeconds: JOB_WEBHOOK_RETRY.intervalSeconds,
      MaxAttempts: JOB_WEBHOOK_RETRY.maxAttempts,
      MaxDelaySeconds: JOB_WEBHOOK_RETRY.maxDelaySeconds,
    });
    let total = 0;
    for (let attempt = 0; attempt < JOB_WEBHOOK_RETRY.maxAttempts; attempt++) {
      total += Math.min(JOB_WEBHOOK_RETRY.intervalSeconds * JOB_WEBHOOK_RETRY.backoffRate ** attempt, JOB_WEBHOOK_RETRY.maxDelaySeconds);
    }
    expect(total).toBeGreaterThan(24 * 3600);
    expect(deliver.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.webhookError', Next: JOB_STATES.recordWebhookGivenUp }]);
  });

  it('counts a job webhook given up (deliver-job-webhook, handed the error), and fails the execution only if even that fails', () => {
    const record = states[JOB_STATES.recordWebhookGivenUp] as { Type: string; Parameters: { FunctionName: unknown }; Next: string; Catch: unknown[] };
    expect(record.Type).toBe('Task');
    expect(synthesized.render(record.Parameters.FunctionName)).toBe('deliver-job-webhook');
    expect(record.Next).toBe(JOB_STATES.webhookGivenUp);
    expect(states[JOB_STATES.webhookGivenUp]).toEqual({ Type: 'Succeed' });
    expect(record.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.recordError', Next: JOB_STATES.webhookGiveUpNotCounted }]);
    expect(states[JOB_STATES.webhookGiveUpNotCounted]).toEqual({
      Type: 'Fail',
      Error: 'JobWebhookGivenUp',
      Cause: 'The job webhook was given up, and counting it failed too',
    });
  });

  it('logs every event, without the data, under /aws/vendedlogs/states/, named by the stack and its id, kept for one month', () => {
    const logging = synthesized.resources[synthesized.logicalId(synthesized.stack.taggingJobs.stateMachine)]?.Properties?.LoggingConfiguration as {
      Level: string;
      IncludeExecutionData: boolean;
      Destinations: { CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [string, string] } } }[];
    };
    expect(logging).toMatchObject({ Level: 'ALL', IncludeExecutionData: false });
    const [logGroupId] = logging.Destinations[0]?.CloudWatchLogsLogGroup.LogGroupArn['Fn::GetAtt'] ?? [];
    expect(synthesized.resources[logGroupId ?? '']).toMatchObject({
      Type: 'AWS::Logs::LogGroup',
      Properties: {
        RetentionInDays: 30,
        LogGroupName: {
          'Fn::Join': ['', ['/aws/vendedlogs/states/Aitags-TaggingJobs-', { 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] }]],
        },
      },
    });
  });

  it('lets the state machine read manifests and write results under jobs/ only, nothing else of the bucket', () => {
    const role = (
      synthesized.resources[synthesized.logicalId(synthesized.stack.taggingJobs.stateMachine)]?.Properties as { RoleArn: unknown } | undefined
    )?.RoleArn;
    const s3 = synthesized.permissionsOfRole(role).filter((permission) => permission.startsWith('s3:'));
    expect(s3).toEqual(
      [
        's3:GetObject bucket/jobs/manifests/*',
        ...['s3:AbortMultipartUpload', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:PutObject'].map(
          (action) => `${action} bucket/${JOB_RESULTS_PREFIX}/*`,
        ),
      ].sort(),
    );
  });

  it('lets the planner write manifests only, and the API function start and stop job executions only', () => {
    expect(synthesized.permissionsOf('plan-tagging-job').filter((permission) => permission.startsWith('s3:'))).toEqual([
      's3:PutObject bucket/jobs/manifests/*',
    ]);
    const states_ = synthesized.permissionsOf('tagging-jobs').filter((permission) => permission.startsWith('states:'));
    expect(states_).toHaveLength(2);
    expect(states_[0]).toMatch(/^states:StartExecution /);
    expect(states_[1]).toMatch(/^states:StopExecution arn:.*:execution:.*:\*$/);
    for (const entry of ['start-job-file', 'count-job-file', 'finish-tagging-job', 'deliver-job-webhook']) {
      expect(synthesized.permissionsOf(entry).filter((permission) => permission.startsWith('s3:'))).toEqual([]);
    }
  });

  it('lets Count the file read and update the table only (its roll-up reads the progress and summary items)', () => {
    expect(synthesized.permissionsOf('count-job-file').filter((permission) => permission.startsWith('dynamodb:'))).toEqual([
      'dynamodb:GetItem table',
      'dynamodb:UpdateItem table',
    ]);
  });

  it('paces jobs from the quotas given at deploy (default 5 TPS and 1800 RPM), and takes others by context', () => {
    expect(synthesized.environmentOf('plan-tagging-job')).toMatchObject({ AITAGS_REKOGNITION_TPS: '5', AITAGS_VISION_RPM: '1800' });
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new AitagsStack(app, 'Quotas', { providerQuotas: { rekognitionTps: 50, visionRpm: 600 } });
    const functions = Template.fromStack(stack).findResources('AWS::Lambda::Function');
    const plan = Object.values(functions).find((resource) => String(resource.Properties?.Description).includes('selects the files'));
    expect(plan?.Properties?.Environment?.Variables).toMatchObject({ AITAGS_REKOGNITION_TPS: '50', AITAGS_VISION_RPM: '600' });
    // Without bundling: the constructor throws part way, after bundling the functions built before it.
    const bad = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    expect(() => new AitagsStack(bad, 'Bad', { providerQuotas: { rekognitionTps: 0, visionRpm: 600 } })).toThrow(/rekognitionTps/);
  });

  it('tells the planner to keep each job within 5 Lambda functions at once unless told otherwise (-c maxJobConcurrency=…)', () => {
    expect(synthesized.environmentOf('plan-tagging-job')).toMatchObject({ AITAGS_MAX_JOB_CONCURRENCY: '5' });
    expect(synthesized.stack.taggingJobs.maxConcurrency).toBe(5);
    const raised = new StackTemplate({ maxJobConcurrency: 400 });
    expect(raised.environmentOf('plan-tagging-job')).toMatchObject({ AITAGS_MAX_JOB_CONCURRENCY: '400' });
    // Then the rate binds again: ten seconds of Vision's 24 files/s share.
    expect(raised.stack.taggingJobs.maxConcurrency).toBe(240);
  });

  it.each([1, 0, 2.5])('refuses maxJobConcurrency %s when the stack is built, naming the context key', (maxJobConcurrency) => {
    expect(() => new StackTemplate({ maxJobConcurrency })).toThrow(
      `maxJobConcurrency (cdk -c maxJobConcurrency=…) must be a whole number of Lambda functions, at least 2 (one file runs its taggers side by side); got ${maxJobConcurrency}`,
    );
  });
});
