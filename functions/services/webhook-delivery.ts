import type { DeliveryUrlBuilder } from '../adapters/delivery-urls.js';
import type { FileTable } from '../adapters/file-table.js';
import type { WebhookSender } from '../adapters/webhook-sender.js';
import { toFileObject } from '../core/file-object.js';
import type { TaggerResult, WebhookTask } from '../core/tagging-run.js';
import { afterAttempt, webhookBody } from '../core/webhook-events.js';
import { logger } from '../runtime/logger.js';

export interface WebhookDeliveryDeps {
  table: FileTable;
  deliveryUrls: DeliveryUrlBuilder;
  sender: WebhookSender;
}

/**
 * One attempt at delivering one extension's final status to the caller's webhookUrl, recorded on the
 * file. It never sleeps: the state machine waits between attempts (Wait states).
 */
export async function deliverWebhookAttempt(task: WebhookTask, deps: WebhookDeliveryDeps): Promise<TaggerResult> {
  const { webhook } = task;
  const record = await deps.table.get(task.fileId);
  const fileObject = record && task.status === 'success' ? toFileObject(record, await deps.deliveryUrls.urlsFor(record)) : undefined;
  const result = await deps.sender.send(webhook.url, webhook.eventId, webhookBody(task, task.fileId, fileObject));
  const next = afterAttempt(webhook, result.delivered, result.refused, Math.random());
  const state = next.delivered ? 'delivered' : next.gaveUp ? 'failed' : 'pending';
  await deps.table.recordWebhookAttempt(
    task.fileId,
    webhook.eventId,
    {
      at: new Date(Date.now() - result.durationMs).toISOString(),
      durationMs: result.durationMs,
      ...(result.status !== undefined && { status: result.status }),
      ...(result.error && { error: result.error }),
    },
    state,
  );
  const details = { url: webhook.url, status: result.status, error: result.error, durationMs: result.durationMs };
  if (state === 'delivered') logger.info('Webhook delivered', details);
  else if (state === 'failed') logger.error(result.refused ? 'Webhook target refused: not sent' : 'Webhook given up after the last attempt', details);
  else logger.warn('Webhook attempt failed; retrying later', { ...details, waitSeconds: next.waitSeconds });
  return { ...task, webhook: next };
}
