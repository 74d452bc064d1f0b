import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { toFileObject } from './core/file-object.js';
import { type TaggerResult, taggerResultSchema } from './core/tagging-run.js';
import { afterAttempt, webhookBody } from './core/webhook-events.js';
import { delivery, sender, table } from './webhook-deployment.js';
import { logger } from './logger.js';

/**
 * State machine task: one attempt at delivering one extension's final status to the caller's
 * webhookUrl. It never sleeps: the state machine waits between attempts (Wait states).
 */
export const handler = middy(async (event: unknown): Promise<TaggerResult> => {
  const task = taggerResultSchema.parse(event);
  const { webhook } = task;
  logger.appendKeys({ fileId: task.fileId, runId: task.runId, extension: task.name, webhookId: webhook.eventId, attempt: webhook.attempt });

  const record = await table.get(task.fileId);
  const fileObject = record && task.status === 'success' ? toFileObject(record, await delivery.urlsFor(record)) : undefined;
  const body = webhookBody(task, task.fileId, fileObject);
  const result = await sender.send(webhook.url, webhook.eventId, body);
  const next = afterAttempt(webhook, result.delivered, result.refused, Math.random());
  const state = next.delivered ? 'delivered' : next.gaveUp ? 'failed' : 'pending';
  await table.recordWebhookAttempt(
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
}).use(injectLambdaContext(logger, { resetKeys: true }));
