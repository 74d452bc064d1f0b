import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/**
 * CloudWatch metrics as Embedded Metric Format log lines (namespace `aitags`, dimension `service`): no
 * API call, no extra latency. Each is written when it happens, so a crash later in the invocation
 * cannot lose it. The alarms in infra/ watch these names.
 */
const metrics = new Metrics({ namespace: 'aitags', serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'aitags' });

export const METRIC = {
  extensionSucceeded: 'ExtensionSucceeded',
  extensionFailed: 'ExtensionFailed',
  extensionLatency: 'ExtensionLatency',
  pendingAtWindowEnd: 'ExtensionsPendingAtWindowEnd',
  syncWindowReads: 'SyncWindowRecordReads',
  webhookAttempts: 'WebhookAttempts',
  webhookFinalFailures: 'WebhookFinalFailures',
  jobWebhookFinalFailures: 'JobWebhookFinalFailures',
  budgetUsed: 'MonthlyBudgetUsed',
} as const;
export type MetricName = (typeof METRIC)[keyof typeof METRIC];

export function recordMetric(
  name: MetricName,
  value: number,
  unit: 'Count' | 'Milliseconds' | 'Percent' = 'Count',
  dimensions: Record<string, string> = {},
): void {
  const single = metrics.singleMetric();
  if (Object.keys(dimensions).length) single.addDimensions(dimensions);
  single.addMetric(name, unit === 'Count' ? MetricUnit.Count : unit === 'Percent' ? MetricUnit.Percent : MetricUnit.Milliseconds, value);
}
