import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { secretsManagerClient } from './clients/secrets-manager.js';

/** Re-read after this, so a rotated or newly set secret takes effect within minutes. */
const SECRET_CACHE_MS = 5 * 60 * 1000;

/**
 * A setting that comes either as a value in the configuration (local runs) or from a Secrets Manager
 * secret (AWS): read on first use, cached per container, a failed read not cached.
 */
export function secretSetting<T>(configured: T | undefined, secretArn: string | undefined, parse: (text: string) => T): () => Promise<T> {
  if (configured !== undefined) return () => Promise.resolve(configured);
  if (!secretArn) return () => Promise.reject(new Error('Neither a value nor a secret is configured'));
  let cached: { value: Promise<T>; until: number } | undefined;
  return () => {
    if (!cached || cached.until < Date.now()) {
      const value = secretsManagerClient()
        .send(new GetSecretValueCommand({ SecretId: secretArn }))
        .then(({ SecretString }) => parse(SecretString ?? ''));
      value.catch(() => {
        cached = undefined;
      });
      cached = { value, until: Date.now() + SECRET_CACHE_MS };
    }
    return cached.value;
  };
}
