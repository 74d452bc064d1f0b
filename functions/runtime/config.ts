import { DEFAULT_PROVIDER_QUOTAS, type ProviderQuotas } from '../core/provider-quotas.js';
import { parseMonthlyBudgets } from '../core/budget.js';
import type { WebhookTargetPolicy } from '../core/webhook-target.js';
import { once } from './once.js';

/**
 * Every environment variable a handler reads, with its default. Each reader covers one concern and is
 * read and checked once per container, by the wiring module that needs it: a function reads only the
 * variables of what it is built with (the table alone for the failure recorder, the whole upload path for
 * upload), and a missing one fails its cold start naming the variable.
 */

function text(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Environment variable ${name} is not set`);
  return value;
}

const optional = (name: string) => process.env[name] || undefined;

/** Space-separated origins (`https://host[:port]`), each checked: they go into a Content-Security-Policy. */
function origins(name: string): string[] {
  return (process.env[name] ?? '')
    .split(/\s+/)
    .filter(Boolean)
    .map((raw) => {
      let origin: string | undefined;
      try {
        origin = new URL(raw).origin;
      } catch {}
      if (origin !== raw || !/^https?:/.test(raw))
        throw new Error(`Environment variable ${name} must list origins such as https://cdn.example.com (got "${raw}")`);
      return raw;
    });
}

function integer(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`Environment variable ${name} must be a non-negative integer (got "${raw}")`);
  return value;
}

/** DynamoDB table of file records, path claims, upload intents and S3-event claims. */
export const tableConfig = once(() => ({ table: text('AITAGS_TABLE') }));

/** The aitags version deployed (package.json's, set by the stack). */
export const versionConfig = once(() => ({ version: text('AITAGS_VERSION') }));

/** Whether AI tag names removed by hand are remembered as rejected (AITAGS_REMEMBER_REJECTIONS, default true). */
export const rejectionsConfig = once(() => {
  const raw = process.env.AITAGS_REMEMBER_REJECTIONS;
  if (raw !== undefined && raw !== '' && raw !== 'true' && raw !== 'false')
    throw new Error(`Environment variable AITAGS_REMEMBER_REJECTIONS must be true or false (got "${raw}")`);
  return { rememberRejections: raw !== 'false' };
});

/** S3 bucket that holds the files (public/ and private/) and the inbox (uploads/, ingest/). */
export const bucketConfig = once(() => ({ bucket: text('AITAGS_BUCKET') }));

/** Base URL that serves the bucket's public/ prefix (CloudFront on AWS, the local server locally). */
export const deliveryConfig = once(() => ({ deliveryBaseUrl: text('AITAGS_DELIVERY_BASE_URL').replace(/\/+$/, '') }));

/** The private API key itself (local), or the Secrets Manager secret that holds it (AWS). */
export const privateKeyConfig = once(() => {
  const privateKey = optional('AITAGS_PRIVATE_KEY');
  const privateKeySecretArn = optional('AITAGS_PRIVATE_KEY_SECRET_ARN');
  if (!privateKey && !privateKeySecretArn) throw new Error('Set AITAGS_PRIVATE_KEY or AITAGS_PRIVATE_KEY_SECRET_ARN');
  return { privateKey, privateKeySecretArn };
});

/** Largest file the upload route takes in its body. */
export const uploadConfig = once(() => ({ maxUploadBytes: integer('AITAGS_MAX_UPLOAD_BYTES', 4 * 1024 * 1024) }));

/** The tagging workflow (the Express state machine) that upload, update, the S3 trigger and the reconciler start runs of. */
export const taggingWorkflowConfig = once(() => ({ stateMachineArn: text('AITAGS_STATE_MACHINE_ARN') }));

/** The Standard state machine that continues what a run's Express execution has no time for, and resumes lost webhooks. */
export const continuationWorkflowConfig = once(() => ({ stateMachineArn: text('AITAGS_CONTINUATION_STATE_MACHINE_ARN') }));

/** How many files a search without an indexable term may check before it answers 400. */
export const searchConfig = once(() => ({ scanLimit: integer('AITAGS_SEARCH_SCAN_LIMIT', 20_000) }));

/** How long upload and update wait for a run's extensions before answering `pending`. */
export const syncWindowConfig = once(() => ({ syncWindowMs: integer('AITAGS_SYNC_WINDOW_MS', 3000) }));

/**
 * Which non-public webhook targets are allowed: unset → loopback only (the local default), `true` →
 * loopback, private and link-local too, `false` → none (the cloud rule; the stack always sets it on AWS).
 */
export const webhookTargetConfig = once((): { policy: WebhookTargetPolicy } => {
  const raw = process.env.AITAGS_ALLOW_PRIVATE_WEBHOOKS;
  if (raw === undefined || raw === '') return { policy: 'loopback' };
  if (raw === 'true') return { policy: 'private' };
  if (raw === 'false') return { policy: 'public-only' };
  throw new Error(`AITAGS_ALLOW_PRIVATE_WEBHOOKS must be unset, true or false (got "${raw}")`);
});

/** Signing and sending webhooks. */
export const webhookConfig = once(() => ({
  /** The Standard Webhooks secret `whsec_…` itself (local), or the secret that holds it (AWS). */
  secret: optional('AITAGS_WEBHOOK_SECRET'),
  secretArn: optional('AITAGS_WEBHOOK_SECRET_ARN'),
  /** How long a receiver has to answer 2xx (10 s, as ImageKit; shorter only to speed up tests). */
  timeoutMs: integer('AITAGS_WEBHOOK_TIMEOUT_MS', 10_000),
}));

/** Largest presigned upload (50 MB by default). */
export const directUploadConfig = once(() => ({ maxS3UploadBytes: integer('AITAGS_MAX_S3_UPLOAD_BYTES', 50 * 1024 * 1024) }));

/**
 * Extensions applied to objects other tools write under ingest/: a JSON extensions array, checked against
 * the extension rules by the trigger's wiring (core/extensions.ts, which this module stays free of).
 */
export const defaultExtensionsConfig = once((): { defaultExtensions: unknown } => {
  try {
    return { defaultExtensions: JSON.parse(process.env.AITAGS_DEFAULT_EXTENSIONS || '[]') };
  } catch (error) {
    throw new Error(`AITAGS_DEFAULT_EXTENSIONS is not valid JSON: ${(error as Error).message}`);
  }
});

/** How long one provider call may take before it counts as a transient fault. */
export const providerConfig = once(() => ({ providerTimeoutMs: integer('AITAGS_PROVIDER_TIMEOUT_MS', 10_000) }));

/** Rekognition reads JPEG/PNG originals straight from S3 (true on AWS; a local fake cannot). */
export const rekognitionConfig = once(() => ({ readsS3: process.env.AITAGS_REKOGNITION_READS_S3 === 'true' }));

/** Where Vision is and how the tagger authenticates to it. */
export const visionConfig = once(() => ({
  endpoint: optional('AITAGS_VISION_ENDPOINT'),
  apiKey: optional('AITAGS_VISION_API_KEY'),
  /** Secrets Manager secret holding a Vision API key or service-account JSON key (AWS). */
  credentialsSecretArn: optional('AITAGS_VISION_CREDENTIALS_SECRET_ARN'),
  /** A path to Google Application Default Credentials, which the Google client reads itself. */
  googleApplicationCredentials: optional('GOOGLE_APPLICATION_CREDENTIALS'),
}));

/** The built media library page (index.html and its assets), and the origins its images may come from besides its own. */
export const pageConfig = once(() => ({ pageDir: text('AITAGS_PAGE_DIR'), imageOrigins: origins('AITAGS_PAGE_IMAGE_ORIGINS') }));

/** The tagging-jobs workflow (a state machine with a Distributed Map) that POST /v1/tagging-jobs starts. */
export const jobWorkflowConfig = once(() => ({ jobStateMachineArn: text('AITAGS_JOB_STATE_MACHINE_ARN') }));

function positiveNumber(read: (name: string) => string | undefined, name: string, fallback: number): number {
  const raw = read(name);
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`Environment variable ${name} must be a positive number (got "${raw}")`);
  return value;
}

/** The providers' quotas from these settings (the local runtime checks its own before it starts). */
export function providerQuotasFrom(read: (name: string) => string | undefined): ProviderQuotas {
  return {
    rekognitionTps: positiveNumber(read, 'AITAGS_REKOGNITION_TPS', DEFAULT_PROVIDER_QUOTAS.rekognitionTps),
    visionRpm: positiveNumber(read, 'AITAGS_VISION_RPM', DEFAULT_PROVIDER_QUOTAS.visionRpm),
  };
}

/** The providers' quotas that pace tagging jobs (a job uses at most 80 % of each). */
export const quotaConfig = once(() => providerQuotasFrom((name) => process.env[name]));

/**
 * The most Lambda functions one tagging job runs at once (the stack always sets it on AWS, from the deploy
 * context maxJobConcurrency); unset, no cap (locally nothing shares a concurrency quota).
 */
export const jobConcurrencyConfig = once(() => ({
  maxJobConcurrency: optional('AITAGS_MAX_JOB_CONCURRENCY') === undefined ? undefined : integer('AITAGS_MAX_JOB_CONCURRENCY', 0),
}));

/** USD per 1,000 images by extension for the jobs' estimates: list prices unless AITAGS_PROVIDER_PRICES (JSON) says otherwise. */
export const priceConfig = once((): { prices: Record<string, unknown> } => {
  try {
    const prices: unknown = JSON.parse(process.env.AITAGS_PROVIDER_PRICES || '{}');
    if (typeof prices !== 'object' || prices === null || Array.isArray(prices)) throw new Error('not a JSON object');
    return { prices: prices as Record<string, unknown> };
  } catch (error) {
    throw new Error(`AITAGS_PROVIDER_PRICES must be a JSON object such as {"aws-auto-tagging":1}: ${(error as Error).message}`);
  }
});

/** Each extension's monthly provider budget in micro-dollars (AITAGS_MONTHLY_BUDGET_USD, JSON USD); none set, no cap. */
export const budgetConfig = once(() => ({ budgets: parseMonthlyBudgets(process.env.AITAGS_MONTHLY_BUDGET_USD) }));

/**
 * How the handlers' logs are written: Powertools' JSON (what CloudWatch reads; always on Lambda), or one
 * short line per event for a person at a terminal. AITAGS_LOG_FORMAT chooses locally; unset, a terminal
 * gets lines and a pipe or file gets JSON.
 */
export function logFormatFrom(read: (name: string) => string | undefined, stdoutIsTerminal: boolean): 'json' | 'pretty' {
  if (read('AWS_LAMBDA_FUNCTION_NAME')) return 'json';
  const raw = read('AITAGS_LOG_FORMAT');
  if (raw === 'json' || raw === 'pretty') return raw;
  if (raw) throw new Error(`Environment variable AITAGS_LOG_FORMAT must be json or pretty (got "${raw}")`);
  return stdoutIsTerminal ? 'pretty' : 'json';
}
