/** Every environment variable the handlers read, read and checked once at cold start. */

function text(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Environment variable ${name} is not set`);
  return value;
}

function integer(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`Environment variable ${name} must be a non-negative integer (got "${raw}")`);
  return value;
}

export interface Config {
  /** S3 bucket that holds the files (public/ and private/ prefixes). */
  bucket: string;
  /** DynamoDB table of file records and path claims. */
  table: string;
  /** Base URL that serves the bucket's public/ prefix (CloudFront on AWS, the local server locally). */
  deliveryBaseUrl: string;
  /** The private API key itself (local), or the Secrets Manager secret that holds it (AWS). */
  privateKey: string | undefined;
  privateKeySecretArn: string | undefined;
  maxUploadBytes: number;
  syncWindowMs: number;
}

export function readConfig(): Config {
  const privateKey = process.env.AITAGS_PRIVATE_KEY || undefined;
  const privateKeySecretArn = process.env.AITAGS_PRIVATE_KEY_SECRET_ARN || undefined;
  if (!privateKey && !privateKeySecretArn) {
    throw new Error('Set AITAGS_PRIVATE_KEY or AITAGS_PRIVATE_KEY_SECRET_ARN');
  }
  return {
    bucket: text('AITAGS_BUCKET'),
    table: text('AITAGS_TABLE'),
    deliveryBaseUrl: text('AITAGS_DELIVERY_BASE_URL').replace(/\/+$/, ''),
    privateKey,
    privateKeySecretArn,
    maxUploadBytes: integer('AITAGS_MAX_UPLOAD_BYTES', 4 * 1024 * 1024),
    syncWindowMs: integer('AITAGS_SYNC_WINDOW_MS', 3000),
  };
}

export const config: Config = readConfig();
