import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

const SECRET_CACHE_MS = 5 * 60 * 1000;

/** The deployment's private API key: from configuration, or from Secrets Manager (cached, so rotation lands within minutes). */
export class PrivateKeySource {
  private cached: { value: Promise<string>; until: number } | undefined;
  private client: SecretsManagerClient | undefined;

  constructor(private readonly source: { privateKey?: string; privateKeySecretArn?: string }) {}

  get(): Promise<string> {
    if (this.source.privateKey) return Promise.resolve(this.source.privateKey);
    const now = Date.now();
    if (!this.cached || this.cached.until < now) {
      const value = this.fetch();
      value.catch(() => {
        this.cached = undefined;
      });
      this.cached = { value, until: now + SECRET_CACHE_MS };
    }
    return this.cached.value;
  }

  private async fetch(): Promise<string> {
    this.client ??= new SecretsManagerClient({});
    const { SecretString } = await this.client.send(new GetSecretValueCommand({ SecretId: this.source.privateKeySecretArn }));
    if (!SecretString) throw new Error('The private key secret is empty');
    return SecretString;
  }
}
