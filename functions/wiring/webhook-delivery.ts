import { secretSetting } from '../adapters/secrets.js';
import { WebhookSender } from '../adapters/webhook-sender.js';
import { webhookConfig, webhookTargetConfig } from '../runtime/config.js';
import { once } from '../runtime/once.js';
import type { WebhookDeliveryDeps } from '../services/webhook-delivery.js';
import { deliveryUrls } from './delivery-urls.js';
import { fileTable } from './file-table.js';
import { webhookDeliveries } from './webhook-deliveries.js';

const webhooks = webhookConfig();
const { policy } = webhookTargetConfig();

/** `AITAGS_WEBHOOK_SECRET`, or the generated secret in Secrets Manager (stored without the `whsec_` prefix). */
const webhookSecret = secretSetting(webhooks.secret, webhooks.secretArn, (text) => (text.startsWith('whsec_') ? text : `whsec_${text}`));

export const webhookDelivery = once(
  (): WebhookDeliveryDeps => ({
    table: fileTable(),
    deliveries: webhookDeliveries(),
    deliveryUrls: deliveryUrls(),
    sender: new WebhookSender(webhookSecret, policy, webhooks.timeoutMs),
  }),
);
