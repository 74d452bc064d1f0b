import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { once } from '../../runtime/once.js';

/** The Secrets Manager client (default credential chain), built on first use. */
export const secretsManagerClient = once(() => new SecretsManagerClient({}));
