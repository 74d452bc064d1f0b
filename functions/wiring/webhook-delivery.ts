import { once } from '../runtime/once.js';
import type { WebhookDeliveryDeps } from '../services/webhook-delivery.js';
import { deliveryUrls } from './delivery-urls.js';
import { fileTable } from './file-table.js';
import { webhookDeliveries } from './webhook-deliveries.js';
import { webhookSender } from './webhook-sender.js';

export const webhookDelivery = once(
  (): WebhookDeliveryDeps => ({
    table: fileTable(),
    deliveries: webhookDeliveries(),
    deliveryUrls: deliveryUrls(),
    sender: webhookSender(),
  }),
);
