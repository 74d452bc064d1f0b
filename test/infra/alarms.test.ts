import { beforeAll, describe, expect, it } from 'vitest';
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

  it('has these two alarms and no other', () => {
    expect(ofType(synthesized, 'AWS::CloudWatch::Alarm').map((resource) => resource.Properties?.MetricName)).toEqual([
      'WebhookFinalFailures',
      'ApproximateNumberOfMessagesVisible',
    ]);
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
