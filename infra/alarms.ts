import { Duration, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** Where deliver-webhook counts webhooks given up on (Powertools Metrics: namespace, metric, service). */
export const WEBHOOK_FINAL_FAILURES_METRIC = { namespace: 'aitags', metricName: 'WebhookFinalFailures', service: 'aitags' } as const;

export interface AlarmsProps {
  /** The S3 trigger's failed-objects queue. */
  failedObjects: Queue;
  /** Subscribed to the alarm topic when given. */
  email?: string;
}

/** The two things nobody would otherwise notice: a promised webhook given up, an S3 object left unprocessed. */
export class Alarms extends Construct {
  /** Every alarm notifies this topic. */
  readonly topic: Topic;
  readonly webhookFinalFailures: Alarm;
  readonly failedObjects: Alarm;

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    this.topic = new Topic(this, 'Topic', { displayName: 'aitags alarms', enforceSSL: true });
    Validations.of(this.topic).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason:
        'Alarm notifications carry alarm names and states, no data. CloudWatch cannot publish to a topic encrypted with the AWS-managed SNS key, and a customer-managed key is a monthly cost for this alone.',
    });
    if (props.email) this.topic.addSubscription(new EmailSubscription(props.email));
    const notify = new SnsAction(this.topic);

    const { namespace, metricName, service } = WEBHOOK_FINAL_FAILURES_METRIC;
    this.webhookFinalFailures = new Alarm(this, 'WebhookFinalFailures', {
      alarmDescription: 'A webhook promised to a caller failed for good: no attempt of it will follow',
      metric: new Metric({ namespace, metricName, dimensionsMap: { service }, statistic: 'Sum', period: Duration.minutes(5) }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      // No datapoint means no webhook was given up.
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    this.failedObjects = new Alarm(this, 'FailedObjects', {
      alarmDescription: 'An S3 object in uploads/ or ingest/ could not be stored after retries; its event waits in the failed-objects queue',
      metric: props.failedObjects.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: Duration.minutes(5) }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    for (const alarm of [this.webhookFinalFailures, this.failedObjects]) alarm.addAlarmAction(notify);
  }
}
