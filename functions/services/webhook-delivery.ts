import type { DeliveryUrlBuilder } from '../adapters/delivery-urls.js';
import type { FileTable } from '../adapters/file-table.js';
import type { WebhookDeliveries } from '../adapters/webhook-deliveries.js';
import type { WebhookAttemptResult, WebhookSender } from '../adapters/webhook-sender.js';
import { toFileObject } from '../core/file-object.js';
import type { WebhookDelivery } from '../core/file-record.js';
import type { TaggerResult, WebhookTask } from '../core/tagging-run.js';
import { claimOwner } from '../core/claims.js';
import { afterAttempt, afterRefusedAttempt, webhookBody } from '../core/webhook-events.js';
import { logger } from '../runtime/logger.js';
import { METRIC, recordMetric } from '../runtime/metrics.js';

export interface WebhookDeliveryDeps {
  table: FileTable;
  deliveries: WebhookDeliveries;
  deliveryUrls: DeliveryUrlBuilder;
  sender: WebhookSender;
}

/**
 * Records the attempt on the delivery item and, once final, drops the file's mark. A failure here only
 * logs: the receiver already has (or was offered) the event, and failing the task would make the state
 * machine send it again and again — the attempt record is what is lost, never the webhook.
 */
async function recordAttempt(
  task: WebhookTask,
  result: WebhookAttemptResult,
  state: WebhookDelivery['state'],
  deps: WebhookDeliveryDeps,
): Promise<void> {
  const { webhook } = task;
  const now = new Date();
  try {
    await deps.deliveries.recordAttempt(
      webhook.eventId,
      { fileId: task.fileId, service: task.name, url: webhook.url },
      {
        at: new Date(now.getTime() - result.durationMs).toISOString(),
        durationMs: result.durationMs,
        ...(result.status !== undefined && { status: result.status }),
        ...(result.error && { error: result.error }),
      },
      state,
      now,
    );
    if (state !== 'pending') await deps.table.settleWebhook(task.fileId, webhook.eventId);
  } catch (error) {
    logger.error('Could not record the webhook attempt; the attempt stands and is not repeated', { state, error: error as Error });
  }
}

/**
 * One attempt at delivering one extension's final status to the caller's webhookUrl, recorded on the
 * file. It never sleeps: the state machine waits between attempts (Wait states). The attempt is claimed
 * first: an event delivered or given up is never sent again, nor an attempt another execution of the run
 * is making or made.
 */
export async function deliverWebhookAttempt(task: WebhookTask, deps: WebhookDeliveryDeps): Promise<TaggerResult> {
  const { webhook } = task;
  const owner = claimOwner(task);
  const claim = await deps.deliveries.claimAttempt(webhook.eventId, webhook.attempt, owner, new Date());
  if (!claim.claimed) {
    logger.info('Webhook attempt not made: made already, delivered, given up, or in the hands of another execution of the run', {
      reason: claim.reason,
    });
    return { ...task, webhook: afterRefusedAttempt(webhook, claim, owner, Math.random()) };
  }
  const record = await deps.table.get(task.fileId);
  const fileObject = record && task.status === 'success' ? toFileObject(record, await deps.deliveryUrls.urlsFor(record)) : undefined;
  const result = await deps.sender.send(webhook.url, webhook.eventId, webhookBody(task, task.fileId, fileObject));
  const next = afterAttempt(webhook, result.delivered, result.refused, Math.random());
  const state = next.delivered ? 'delivered' : next.gaveUp ? 'failed' : 'pending';
  recordMetric(METRIC.webhookAttempts, 1);
  if (state === 'failed') recordMetric(METRIC.webhookFinalFailures, 1);
  await recordAttempt(task, result, state, deps);
  const details = { url: webhook.url, status: result.status, error: result.error, durationMs: result.durationMs };
  if (state === 'delivered') logger.info('Webhook delivered', details);
  else if (state === 'failed') logger.error(result.refused ? 'Webhook target refused: not sent' : 'Webhook given up after the last attempt', details);
  else logger.warn('Webhook attempt failed; retrying later', { ...details, waitSeconds: next.waitSeconds });
  return { ...task, webhook: next };
}
