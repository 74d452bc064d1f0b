import { secretSetting } from '../adapters/secrets.js';
import { WebhookSender } from '../adapters/webhook-sender.js';
import { webhookConfig, webhookTargetConfig } from '../runtime/config.js';
import { once } from '../runtime/once.js';

const webhooks = webhookConfig();
const { policy } = webhookTargetConfig();

/** `AITAGS_WEBHOOK_SECRET`, or the generated secret in Secrets Manager (stored without the `whsec_` prefix). */
const webhookSecret = secretSetting(webhooks.secret, webhooks.secretArn, (text) => (text.startsWith('whsec_') ? text : `whsec_${text}`));

export const webhookSender = once(() => new WebhookSender(webhookSecret, policy, webhooks.timeoutMs));
