import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DeliveryUrlBuilder } from './adapters/delivery-urls.js';
import { S3FileStore } from './adapters/file-store.js';
import { DynamoFileTable } from './adapters/file-table.js';
import { WebhookSender } from './adapters/webhook-sender.js';
import { deliveryConfig, storageConfig, webhookConfig } from './config.js';

/** The adapters the webhook Lambda runs with, built once per container from configuration. */
const storage = storageConfig();
const webhooks = webhookConfig();
export const table = new DynamoFileTable(storage.table);
export const delivery = new DeliveryUrlBuilder(deliveryConfig().deliveryBaseUrl, new S3FileStore(storage.bucket));

let secret: Promise<string> | undefined;
/** `AITAGS_WEBHOOK_SECRET`, or the generated secret in Secrets Manager (stored without the `whsec_` prefix). */
function webhookSecret(): Promise<string> {
  if (webhooks.secret) return Promise.resolve(webhooks.secret);
  if (!webhooks.secretArn) return Promise.reject(new Error('Set AITAGS_WEBHOOK_SECRET or AITAGS_WEBHOOK_SECRET_ARN'));
  secret ??= new SecretsManagerClient({})
    .send(new GetSecretValueCommand({ SecretId: webhooks.secretArn }))
    .then(({ SecretString = '' }) => (SecretString.startsWith('whsec_') ? SecretString : `whsec_${SecretString}`));
  secret.catch(() => {
    secret = undefined;
  });
  return secret;
}

export const sender = new WebhookSender(webhookSecret, webhooks.allowPrivateTargets, webhooks.timeoutMs);
