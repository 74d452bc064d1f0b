import { type AutoTagging, parseExtensions } from './core/extensions.js';

/**
 * Every environment variable the handlers read, read and checked once per container. Grouped by who
 * needs them, so a tagger does not demand the API's settings and vice versa.
 */

function text(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Environment variable ${name} is not set`);
  return value;
}

const optional = (name: string) => process.env[name] || undefined;

function integer(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`Environment variable ${name} must be a non-negative integer (got "${raw}")`);
  return value;
}

function once<T>(read: () => T): () => T {
  let value: { read: T } | undefined;
  return () => {
    value ??= { read: read() };
    return value.read;
  };
}

export interface StorageConfig {
  /** S3 bucket that holds the files (public/ and private/ prefixes). */
  bucket: string;
  /** DynamoDB table of file records and path claims. */
  table: string;
}

export interface DeliveryConfig {
  /** Base URL that serves the bucket's public/ prefix (CloudFront on AWS, the local server locally). */
  deliveryBaseUrl: string;
}

export interface WebhookConfig {
  /** The Standard Webhooks secret `whsec_…` itself (local), or the secret that holds it (AWS). */
  secret: string | undefined;
  secretArn: string | undefined;
  /** Allow webhookUrl hosts on loopback/private/link-local addresses (local development only). */
  allowPrivateTargets: boolean;
  /** How long a receiver has to answer 2xx (10 s, as ImageKit; shorter only to speed up tests). */
  timeoutMs: number;
}

export interface ApiConfig {
  /** The private API key itself (local), or the Secrets Manager secret that holds it (AWS). */
  privateKey: string | undefined;
  privateKeySecretArn: string | undefined;
  maxUploadBytes: number;
  syncWindowMs: number;
}

export interface TaggerConfig {
  /** Rekognition reads JPEG/PNG originals straight from S3 (true on AWS; a local fake cannot). */
  rekognitionReadsS3: boolean;
  /** How long one provider call may take before it counts as a transient fault. */
  providerTimeoutMs: number;
  visionEndpoint: string | undefined;
  visionApiKey: string | undefined;
  /** Secrets Manager secret holding a Vision API key or service-account JSON key (AWS). */
  visionCredentialsSecretArn: string | undefined;
  /** A path to Google Application Default Credentials, which the Google client reads itself. */
  googleApplicationCredentials: string | undefined;
}

export const storageConfig = once((): StorageConfig => ({ bucket: text('AITAGS_BUCKET'), table: text('AITAGS_TABLE') }));

export const apiConfig = once((): ApiConfig => {
  const privateKey = optional('AITAGS_PRIVATE_KEY');
  const privateKeySecretArn = optional('AITAGS_PRIVATE_KEY_SECRET_ARN');
  if (!privateKey && !privateKeySecretArn) throw new Error('Set AITAGS_PRIVATE_KEY or AITAGS_PRIVATE_KEY_SECRET_ARN');
  return {
    privateKey,
    privateKeySecretArn,
    maxUploadBytes: integer('AITAGS_MAX_UPLOAD_BYTES', 4 * 1024 * 1024),
    syncWindowMs: integer('AITAGS_SYNC_WINDOW_MS', 3000),
  };
});

/** The tagging state machine that upload, update and the S3 trigger start. */
export const workflowConfig = once((): { stateMachineArn: string } => ({ stateMachineArn: text('AITAGS_STATE_MACHINE_ARN') }));

export const deliveryConfig = once((): DeliveryConfig => ({ deliveryBaseUrl: text('AITAGS_DELIVERY_BASE_URL').replace(/\/+$/, '') }));

export const webhookConfig = once((): WebhookConfig => {
  const secret = optional('AITAGS_WEBHOOK_SECRET');
  const secretArn = optional('AITAGS_WEBHOOK_SECRET_ARN');
  return {
    secret,
    secretArn,
    allowPrivateTargets: process.env.AITAGS_ALLOW_PRIVATE_WEBHOOKS === 'true',
    timeoutMs: integer('AITAGS_WEBHOOK_TIMEOUT_MS', 10_000),
  };
});

export interface InboxConfig {
  /** Largest presigned upload (50 MB by default). */
  maxS3UploadBytes: number;
  /** Extensions applied to objects other tools write under ingest/ (a JSON extensions array). */
  defaultExtensions: AutoTagging[];
}

export const inboxConfig = once((): InboxConfig => {
  let defaultExtensions: AutoTagging[];
  try {
    defaultExtensions = parseExtensions(JSON.parse(process.env.AITAGS_DEFAULT_EXTENSIONS || '[]'));
  } catch (error) {
    throw new Error(`AITAGS_DEFAULT_EXTENSIONS is not a valid extensions array: ${(error as Error).message}`);
  }
  return { maxS3UploadBytes: integer('AITAGS_MAX_S3_UPLOAD_BYTES', 50 * 1024 * 1024), defaultExtensions };
});

export const taggerConfig = once(
  (): TaggerConfig => ({
    rekognitionReadsS3: process.env.AITAGS_REKOGNITION_READS_S3 === 'true',
    providerTimeoutMs: integer('AITAGS_PROVIDER_TIMEOUT_MS', 10_000),
    visionEndpoint: optional('AITAGS_VISION_ENDPOINT'),
    visionApiKey: optional('AITAGS_VISION_API_KEY'),
    visionCredentialsSecretArn: optional('AITAGS_VISION_CREDENTIALS_SECRET_ARN'),
    googleApplicationCredentials: optional('GOOGLE_APPLICATION_CREDENTIALS'),
  }),
);
