import { webhookTaskSchema } from './core/tagging-run.js';
import { deliverWebhookAttempt } from './services/webhook-delivery.js';
import { task } from './task/handler.js';
import { webhookDelivery } from './wiring/webhook-delivery.js';

/** State machine task: one attempt at delivering one extension's final status to the caller's webhookUrl. */
export const handler = task(
  webhookTaskSchema,
  ({ fileId, runId, name, webhook }) => ({ fileId, runId, extension: name, webhookId: webhook.eventId, attempt: webhook.attempt }),
  (input) => deliverWebhookAttempt(input, webhookDelivery()),
);
