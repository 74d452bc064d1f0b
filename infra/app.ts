import { App } from 'aws-cdk-lib';
import {
  AitagsStack,
  DEFAULT_API_BURST_LIMIT,
  DEFAULT_API_RATE_LIMIT,
  DEFAULT_MAX_JOB_CONCURRENCY,
  DEFAULT_MAX_S3_UPLOAD_BYTES,
  DEFAULT_MAX_UPLOAD_BYTES,
  DEFAULT_PROVIDER_QUOTAS,
  DEFAULT_SYNC_WINDOW_MS,
} from './aitags-stack.js';

const app = new App();

/** A context value (`cdk synth -c name=value` or cdk.json) as a non-negative integer. */
function integerContext(name: string, fallback: number): number {
  return optionalIntegerContext(name) ?? fallback;
}

/** A context value as a non-negative integer, or undefined when it is not set. */
function optionalIntegerContext(name: string): number | undefined {
  const raw: unknown = app.node.tryGetContext(name);
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`Context ${name} must be a non-negative integer (got ${JSON.stringify(raw)})`);
  }
  return value;
}

/** A context value as a positive number. */
function numberContext(name: string, fallback: number): number {
  const raw: unknown = app.node.tryGetContext(name);
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`Context ${name} must be a positive number (got ${JSON.stringify(raw)})`);
  return value;
}

/** A context value as text, or undefined when it is not set. */
function stringContext(name: string): string | undefined {
  const raw: unknown = app.node.tryGetContext(name);
  if (raw === undefined || raw === '') return undefined;
  return String(raw);
}

/** A context value `true` or `false` (text on the command line, a boolean in cdk.json). */
function booleanContext(name: string, fallback: boolean): boolean {
  const raw: unknown = app.node.tryGetContext(name);
  if (raw === undefined || raw === '') return fallback;
  if (raw === true || raw === 'true') return true;
  if (raw === false || raw === 'false') return false;
  throw new Error(`Context ${name} must be true or false (got ${JSON.stringify(raw)})`);
}

/** A context value given as JSON text (on the command line) or as JSON (in cdk.json). */
function jsonContext(name: string, fallback: unknown): unknown {
  const raw: unknown = app.node.tryGetContext(name);
  if (raw === undefined || raw === '') return fallback;
  if (typeof raw !== 'string') return raw;
  try {
    return JSON.parse(raw);
  } catch {
    throw new Error(`Context ${name} must be JSON (got ${raw})`);
  }
}

/** `expressLogLevel`: ERROR or ALL. */
function expressLogLevelContext(): 'ERROR' | 'ALL' | undefined {
  const raw = stringContext('expressLogLevel');
  if (raw === undefined) return undefined;
  if (raw !== 'ERROR' && raw !== 'ALL') throw new Error(`Context expressLogLevel must be ERROR or ALL (got ${JSON.stringify(raw)})`);
  return raw;
}

// No env: the stack is environment-agnostic and deploys to the account and region of the CLI's credentials.
new AitagsStack(app, 'Aitags', {
  description: 'aitags: self-hosted, ImageKit-compatible AI auto-tagging',
  maxUploadBytes: integerContext('maxUploadBytes', DEFAULT_MAX_UPLOAD_BYTES),
  syncWindowMs: integerContext('syncWindowMs', DEFAULT_SYNC_WINDOW_MS),
  maxS3UploadBytes: integerContext('maxS3UploadBytes', DEFAULT_MAX_S3_UPLOAD_BYTES),
  // -c defaultExtensions='[{"name":"aws-auto-tagging","minConfidence":80,"maxTags":10}]'
  defaultExtensions: jsonContext('defaultExtensions', []),
  apiRateLimit: integerContext('apiRateLimit', DEFAULT_API_RATE_LIMIT),
  apiBurstLimit: integerContext('apiBurstLimit', DEFAULT_API_BURST_LIMIT),
  taggerConcurrency: optionalIntegerContext('taggerConcurrency'),
  webhookConcurrency: optionalIntegerContext('webhookConcurrency'),
  triggerConcurrency: optionalIntegerContext('triggerConcurrency'),
  alarmEmail: stringContext('alarmEmail'),
  // -c rekognitionTps=50 -c visionRpm=1800: the account's quotas, which pace tagging jobs (80 % of each).
  providerQuotas: {
    rekognitionTps: numberContext('rekognitionTps', DEFAULT_PROVIDER_QUOTAS.rekognitionTps),
    visionRpm: numberContext('visionRpm', DEFAULT_PROVIDER_QUOTAS.visionRpm),
  },
  // -c maxJobConcurrency=20: the most Lambda functions one tagging job runs at once (the account's concurrency is shared).
  maxJobConcurrency: integerContext('maxJobConcurrency', DEFAULT_MAX_JOB_CONCURRENCY),
  // -c providerPrices='{"aws-auto-tagging":0.8}': USD per 1,000 images for jobs' estimates.
  providerPrices: jsonContext('providerPrices', {}) as Record<string, number>,
  // -c monthlyBudgetUsd='{"aws-auto-tagging":50}': each extension's provider budget per calendar month (UTC).
  monthlyBudgetUsd: jsonContext('monthlyBudgetUsd', {}) as Record<string, number>,
  // -c rememberRejections=false: AI tags removed by hand are not remembered as rejected.
  rememberRejections: booleanContext('rememberRejections', true),
  // -c expressLogLevel=ALL: the Express run machine logs every event with its data (default ERROR).
  expressLogLevel: expressLogLevelContext(),
});

app.synth();
