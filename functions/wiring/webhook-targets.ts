import { checkWebhookUrl } from '../adapters/webhook-target.js';
import { webhookTargetConfig } from '../runtime/config.js';

const { policy } = webhookTargetConfig();

/** Request-time check of a webhookUrl: a 400 for a target this deployment will not call. */
export const checkWebhookTarget = (webhookUrl: string | undefined) => checkWebhookUrl(webhookUrl, policy);
