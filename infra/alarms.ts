import { Duration, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, MathExpression, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { BUDGET_ALARM_SHARE } from '../functions/core/budget.js';
import type { ExtensionName } from '../functions/core/extension-names.js';

/** Where deliver-webhook counts webhooks given up on (Powertools Metrics: namespace, metric, service). */
export const WEBHOOK_FINAL_FAILURES_METRIC = { namespace: 'aitags', metricName: 'WebhookFinalFailures', service: 'aitags' } as const;
/** Where deliver-job-webhook counts job webhooks given up on: refused, or every attempt spent. */
export const JOB_WEBHOOK_FINAL_FAILURES_METRIC = { namespace: 'aitags', metricName: 'JobWebhookFinalFailures', service: 'aitags' } as const;

/** Where the taggers report the share of their extension's monthly budget held (dimensions service and extension). */
export const BUDGET_USED_METRIC = { namespace: 'aitags', metricName: 'MonthlyBudgetUsed', service: 'aitags' } as const;

/** Every alarm looks at 5-minute sums, and one occurrence raises it. */
const PERIOD = Duration.minutes(5);

export interface AlarmsProps {
  /** The S3 trigger's failed-objects queue. */
  failedObjects: Queue;
  /** The Standard tagging state machine's ARN (continuations of runs, and resumed webhooks). */
  taggingRuns: string;
  /** The Express run state machine's ARN (one execution per tagging run). */
  expressRuns: string;
  /** The tagging-jobs state machine ARN (one execution per job). */
  taggingJobs: string;
  /**
   * The ARN the jobs' child executions report their metrics under: the jobs state machine's ARN, `/`, the
   * Distributed Map's label (Step Functions developer guide, "Viewing a Distributed Map Run execution").
   */
  jobFiles: string;
  /** Extensions with a monthly budget: each gets an alarm at 80 % of it. */
  budgetedExtensions: readonly ExtensionName[];
  /** Subscribed to the alarm topic when given. */
  email?: string;
}

/**
 * What nobody would otherwise notice: a promised webhook (a file's or a job's) given up, an S3 object
 * left unprocessed, a tagging run or job whose execution failed or timed out, a job's file whose child
 * execution failed or timed out (it is counted failed, and may have been left `pending`).
 */
export class Alarms extends Construct {
  /** Every alarm notifies this topic. */
  readonly topic: Topic;
  readonly webhookFinalFailures: Alarm;
  readonly jobWebhookFinalFailures: Alarm;
  readonly failedObjects: Alarm;
  readonly taggingRunsFailed: Alarm;
  readonly expressRunsFailed: Alarm;
  readonly taggingJobsFailed: Alarm;
  readonly jobFilesFailed: Alarm;
  /** One per budgeted extension, at 80 % of its monthly budget. */
  readonly budgetUsed: Alarm[];

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

    // One occurrence in 5 minutes raises each alarm; no datapoint means nothing happened.
    const once = { threshold: 1, comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD, evaluationPeriods: 1 } as const;
    const counted = ({ namespace, metricName, service }: { namespace: string; metricName: string; service: string }) =>
      new Metric({ namespace, metricName, dimensionsMap: { service }, statistic: 'Sum', period: PERIOD });

    this.webhookFinalFailures = new Alarm(this, 'WebhookFinalFailures', {
      alarmDescription: 'A webhook promised to a caller failed for good: no attempt of it will follow',
      metric: counted(WEBHOOK_FINAL_FAILURES_METRIC),
      ...once,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    this.jobWebhookFinalFailures = new Alarm(this, 'JobWebhookFinalFailures', {
      alarmDescription: "A tagging job's webhook failed for good (its target refused, or every attempt spent): no attempt of it will follow",
      metric: counted(JOB_WEBHOOK_FINAL_FAILURES_METRIC),
      ...once,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    this.failedObjects = new Alarm(this, 'FailedObjects', {
      alarmDescription: 'An S3 object in uploads/ or ingest/ could not be stored after retries; its event waits in the failed-objects queue',
      metric: props.failedObjects.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: PERIOD }),
      ...once,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    this.taggingRunsFailed = new Alarm(this, 'TaggingRunsFailed', {
      alarmDescription:
        "A tagging run's execution failed or timed out (48 h): its extensions may stay pending, its webhooks undelivered; see the execution's history",
      metric: failedOrTimedOut(props.taggingRuns),
      ...once,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    this.expressRunsFailed = new Alarm(this, 'ExpressRunsFailed', {
      alarmDescription:
        "A tagging run's Express execution failed or timed out (5 minutes): the reconciler runs what it left pending again; see the TaggingRuns state machine log and the Lambdas' logs by runId",
      metric: failedOrTimedOut(props.expressRuns),
      ...once,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    this.taggingJobsFailed = new Alarm(this, 'TaggingJobsFailed', {
      alarmDescription:
        "A tagging job's execution failed or timed out (7 days): the job may stay running, its webhook unsent; see the execution (named by its jobId)",
      metric: failedOrTimedOut(props.taggingJobs),
      ...once,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    this.jobFilesFailed = new Alarm(this, 'JobFilesFailed', {
      alarmDescription:
        "A tagging job's file ended with its child execution failed or timed out (Express's 5 minutes): counted failed, its extensions possibly left pending",
      metric: failedOrTimedOut(props.jobFiles),
      ...once,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    this.budgetUsed = props.budgetedExtensions.map(
      (extension) =>
        new Alarm(this, `BudgetUsed-${extension}`, {
          alarmDescription: `${BUDGET_ALARM_SHARE * 100} % or more of the monthly budget of ${extension} is spent (AITAGS_MONTHLY_BUDGET_USD); past 100 %, its runs end failed, BUDGET_EXCEEDED, until the month ends (UTC)`,
          metric: new Metric({
            namespace: BUDGET_USED_METRIC.namespace,
            metricName: BUDGET_USED_METRIC.metricName,
            dimensionsMap: { service: BUDGET_USED_METRIC.service, extension },
            statistic: 'Maximum',
            period: PERIOD,
          }),
          threshold: BUDGET_ALARM_SHARE * 100,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
    );

    for (const alarm of [
      ...this.budgetUsed,
      this.webhookFinalFailures,
      this.jobWebhookFinalFailures,
      this.failedObjects,
      this.taggingRunsFailed,
      this.expressRunsFailed,
      this.taggingJobsFailed,
      this.jobFilesFailed,
    ]) {
      alarm.addAlarmAction(notify);
    }
  }
}

/**
 * Executions of one state machine (AWS/States, dimension StateMachineArn) that failed or timed out in a
 * period: the two summed, a missing one counted as 0. Aborted ones are not counted: cancelling a job stops
 * its execution and its children.
 */
function failedOrTimedOut(stateMachineArn: string): MathExpression {
  const executions = (metricName: string) =>
    new Metric({ namespace: 'AWS/States', metricName, dimensionsMap: { StateMachineArn: stateMachineArn }, statistic: 'Sum', period: PERIOD });
  return new MathExpression({
    expression: 'FILL(failed, 0) + FILL(timedOut, 0)',
    usingMetrics: { failed: executions('ExecutionsFailed'), timedOut: executions('ExecutionsTimedOut') },
    label: 'Executions failed or timed out',
    period: PERIOD,
  });
}
