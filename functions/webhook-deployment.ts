import { DeliveryUrlBuilder } from './adapters/delivery-urls.js';
import { S3FileStore } from './adapters/file-store.js';
import { secretSetting } from './adapters/secrets.js';
import { DynamoFileTable } from './adapters/file-table.js';
import { WebhookSender } from './adapters/webhook-sender.js';
import { deliveryConfig, storageConfig, webhookConfig } from './config.js';

/** The adapters the webhook Lambda runs with, built once per container from configuration. */
const storage = storageConfig();
const webhooks = webhookConfig();
export const table = new DynamoFileTable(storage.table);
export const delivery = new DeliveryUrlBuilder(deliveryConfig().deliveryBaseUrl, new S3FileStore(storage.bucket));

/** `AITAGS_WEBHOOK_SECRET`, or the generated secret in Secrets Manager (stored without the `whsec_` prefix). */
const webhookSecret = secretSetting(webhooks.secret, webhooks.secretArn, (text) => (text.startsWith('whsec_') ? text : `whsec_${text}`));

export const sender = new WebhookSender(webhookSecret, webhooks.allowPrivateTargets, webhooks.timeoutMs);
