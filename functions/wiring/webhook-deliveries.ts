import { WebhookDeliveries } from '../adapters/webhook-deliveries.js';
import { tableConfig } from '../runtime/config.js';
import { once } from '../runtime/once.js';

const { table } = tableConfig();

export const webhookDeliveries = once(() => new WebhookDeliveries(table));
