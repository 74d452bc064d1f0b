import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { beforeAll, describe, expect, it } from 'vitest';
import { JOB_FILES_LABEL } from '../../infra/tagging-jobs.js';
import { type CfnResource, StackTemplate } from './stack-template.js';

let synthesized: StackTemplate;

beforeAll(() => {
  synthesized = new StackTemplate();
});

const ofType = (template: StackTemplate, type: string): CfnResource[] =>
  Object.values(template.resources).filter((resource) => resource.Type === type);

function alarm(metricName: string): Record<string, unknown> {
  const found = ofType(synthesized, 'AWS::CloudWatch::Alarm').filter((resource) => resource.Properties?.MetricName === metricName);
  expect(found).toHaveLength(1);
  return found[0]?.Properties ?? {};
}

const topicRef = () => ({ Ref: synthesized.logicalId(synthesized.stack.alarms.topic) });

describe('alarms', () => {
  it('raises an alarm when deliver-webhook reports a webhook given up for good (Sum ≥ 1 over 5 minutes; no data is no failure)', () => {
    expect(alarm('WebhookFinalFailures')).toEqual({
      AlarmDescription: 'A webhook promised to a caller failed for good: no attempt of it will follow',
      Namespace: 'aitags',
      MetricName: 'WebhookFinalFailures',
      Dimensions: [{ Name: 'service', Value: 'aitags' }],
      Statistic: 'Sum',
      Period: 300,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [topicRef()],
    });
  });

  it('raises an alarm while an S3 event waits in the failed-objects queue', () => {
    expect(alarm('ApproximateNumberOfMessagesVisible')).toEqual({
      AlarmDescription: 'An S3 object in uploads/ or ingest/ could not be stored after retries; its event waits in the failed-objects queue',
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [synthesized.logicalId(synthesized.stack.trigger.failures), 'QueueName'] } }],
      Statistic: 'Maximum',
      Period: 300,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [topicRef()],
    });
  });

  it('raises an alarm when deliver-job-webhook reports a job webhook given up for good (Sum ≥ 1 over 5 minutes; no data is no failure)', () => {
    expect(alarm('JobWebhookFinalFailures')).toEqual({
      AlarmDescription: "A tagging job's webhook failed for good (its target refused, or every attempt spent): no attempt of it will follow",
      Namespace: 'aitags',
      MetricName: 'JobWebhookFinalFailures',
      Dimensions: [{ Name: 'service', Value: 'aitags' }],
      Statistic: 'Sum',
      Period: 300,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [topicRef()],
    });
  });

  /** An alarm on executions failed or timed out (AWS/States) of the state machine whose ARN is `stateMachineArn`. */
  function executionsAlarm(which: Alarm, stateMachineArn: unknown) {
    const properties = synthesized.resources[synthesized.logicalId(which)]?.Properties ?? {};
    const executions = (metricName: string) => ({
      Metric: { Namespace: 'AWS/States', MetricName: metricName, Dimensions: [{ Name: 'StateMachineArn', Value: stateMachineArn }] },
      Period: 300,
      Stat: 'Sum',
    });
    expect(properties).toMatchObject({
      Metrics: [
        { Id: 'expr_1', Expression: 'FILL(failed, 0) + FILL(timedOut, 0)', Label: 'Executions failed or timed out' },
        { Id: 'failed', MetricStat: executions('ExecutionsFailed'), ReturnData: false },
        { Id: 'timedOut', MetricStat: executions('ExecutionsTimedOut'), ReturnData: false },
      ],
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [topicRef()],
    });
    expect(properties.Metrics).toHaveLength(3);
    return properties;
  }

  it('raises an alarm when a tagging run’s execution fails or times out (not when one is stopped)', () => {
    const runs = synthesized.stack.taggingWorkflow.stateMachine;
    expect(executionsAlarm(synthesized.stack.alarms.taggingRunsFailed, { Ref: synthesized.logicalId(runs) }).AlarmDescription).toMatch(
      /^A tagging run's execution failed or timed out/,
    );
  });

  it('raises an alarm when a tagging run’s Express execution fails or times out', () => {
    const runs = synthesized.stack.taggingWorkflow.runStateMachine;
    expect(executionsAlarm(synthesized.stack.alarms.expressRunsFailed, { Ref: synthesized.logicalId(runs) }).AlarmDescription).toMatch(
      /^A tagging run's Express execution failed or timed out/,
    );
  });

  it('raises an alarm when a tagging job’s execution fails or times out (not when it is cancelled)', () => {
    const jobs = synthesized.stack.taggingJobs.stateMachine;
    expect(executionsAlarm(synthesized.stack.alarms.taggingJobsFailed, { Ref: synthesized.logicalId(jobs) }).AlarmDescription).toMatch(
      /^A tagging job's execution failed or timed out/,
    );
  });

  it('raises an alarm when a job’s file fails or times out in its child execution, counted under the state machine ARN and the Map’s label', () => {
    const jobs = synthesized.stack.taggingJobs.stateMachine;
    const childArn = { 'Fn::Join': ['', [{ Ref: synthesized.logicalId(jobs) }, `/${JOB_FILES_LABEL}`]] };
    expect(executionsAlarm(synthesized.stack.alarms.jobFilesFailed, childArn).AlarmDescription).toMatch(
      /^A tagging job's file ended with its child execution failed or timed out/,
    );
  });

  it('has these seven alarms and no other, each notifying the topic', () => {
    const alarms = ofType(synthesized, 'AWS::CloudWatch::Alarm');
    expect(alarms.map((resource) => resource.Properties?.MetricName ?? resource.Properties?.AlarmDescription)).toEqual([
      'WebhookFinalFailures',
      'JobWebhookFinalFailures',
      'ApproximateNumberOfMessagesVisible',
      expect.stringMatching(/^A tagging run's execution/),
      expect.stringMatching(/^A tagging run's Express execution/),
      expect.stringMatching(/^A tagging job's execution/),
      expect.stringMatching(/^A tagging job's file/),
    ]);
    for (const resource of alarms) expect(resource.Properties?.AlarmActions).toEqual([topicRef()]);
  });
});

describe('alarm topic', () => {
  it('refuses to be published to without TLS', () => {
    const policies = ofType(synthesized, 'AWS::SNS::TopicPolicy');
    expect(policies.map((policy) => policy.Properties)).toEqual([
      {
        Topics: [topicRef()],
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'AllowPublishThroughSSLOnly',
              Effect: 'Deny',
              Principal: '*',
              Action: 'sns:Publish',
              Resource: topicRef(),
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            },
          ],
        },
      },
    ]);
  });

  it('has no subscription unless an email is given', () => {
    expect(ofType(synthesized, 'AWS::SNS::Subscription')).toEqual([]);
  });

  it('sends alarms to the email given with -c alarmEmail=…', () => {
    const withEmail = new StackTemplate({ alarmEmail: 'ops@example.com' });
    expect(ofType(withEmail, 'AWS::SNS::Subscription').map((subscription) => subscription.Properties)).toEqual([
      { Protocol: 'email', Endpoint: 'ops@example.com', TopicArn: { Ref: withEmail.logicalId(withEmail.stack.alarms.topic) } },
    ]);
  });

  it('refuses an alarm email that is not an address when the stack is built', () => {
    expect(() => new StackTemplate({ alarmEmail: 'ops at example' })).toThrow(
      'alarmEmail (cdk -c alarmEmail=…) must be an email address; got "ops at example"',
    );
  });
});

describe('monthly budgets (-c monthlyBudgetUsd=…)', () => {
  const budgeted = new StackTemplate({ monthlyBudgetUsd: { 'aws-auto-tagging': 50 }, providerPrices: { 'aws-auto-tagging': 0.8 } });

  it('raises an alarm at 80 % of each budget, from the taggers’ MonthlyBudgetUsed (Maximum over 5 minutes), and none for an extension without one', () => {
    const alarms = ofType(budgeted, 'AWS::CloudWatch::Alarm').filter((resource) => resource.Properties?.MetricName === 'MonthlyBudgetUsed');
    expect(alarms.map((resource) => resource.Properties)).toEqual([
      {
        AlarmDescription: expect.stringMatching(/^80 % or more of the monthly budget of aws-auto-tagging is spent/),
        Namespace: 'aitags',
        MetricName: 'MonthlyBudgetUsed',
        Dimensions: [
          { Name: 'extension', Value: 'aws-auto-tagging' },
          { Name: 'service', Value: 'aitags' },
        ],
        Statistic: 'Maximum',
        Period: 300,
        EvaluationPeriods: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Threshold: 80,
        TreatMissingData: 'notBreaching',
        AlarmActions: [{ Ref: budgeted.logicalId(budgeted.stack.alarms.topic) }],
      },
    ]);
  });

  it('gives the budgets and the prices they count to both taggers, the status and jobs routes, the job planner and start step; none without a budget', () => {
    for (const entry of ['tag-with-rekognition', 'tag-with-vision', 'get-status', 'tagging-jobs', 'plan-tagging-job', 'start-job-file']) {
      expect({ entry, ...budgeted.environmentOf(entry) }).toMatchObject({
        entry,
        AITAGS_MONTHLY_BUDGET_USD: '{"aws-auto-tagging":50}',
        AITAGS_PROVIDER_PRICES: '{"aws-auto-tagging":0.8}',
      });
      expect(synthesized.environmentOf(entry)).not.toHaveProperty('AITAGS_MONTHLY_BUDGET_USD');
    }
  });

  it('refuses a budget that is not one when the stack is built', () => {
    expect(() => new StackTemplate({ monthlyBudgetUsd: { 'aws-auto-taging': 5 } })).toThrow(
      `monthlyBudgetUsd (cdk -c monthlyBudgetUsd='{…}') is invalid: AITAGS_MONTHLY_BUDGET_USD names no extension "aws-auto-taging"`,
    );
    expect(() => new StackTemplate({ monthlyBudgetUsd: { 'aws-auto-tagging': -1 } })).toThrow('must be a non-negative number');
  });
});
