import { createHash } from 'node:crypto';
import type { AttemptRefusal } from './claims.js';
import type { ExtensionName } from './extension-names.js';
import type { FileObject } from './file-object.js';
import type { ExtensionError, ExtensionOutcome, FileRecord, PendingWebhook } from './file-record.js';

/**
 * Waits before attempts 2…8 of one webhook event: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (27.6 h in
 * all, longer than ImageKit's 24 h). Jitter only lengthens a wait, so the span never drops below that.
 */
export const WEBHOOK_RETRY_DELAYS_SECONDS = [5, 300, 1800, 7200, 18_000, 36_000, 36_000] as const;
export const MAX_WEBHOOK_ATTEMPTS = WEBHOOK_RETRY_DELAYS_SECONDS.length + 1;
export const WEBHOOK_JITTER = 0.2;
/** A receiver must answer 2xx within this, as with ImageKit. */
export const WEBHOOK_TIMEOUT_MS = 10_000;

/** The wait before attempt `attempt + 1`, jittered by `random` ∈ [0, 1). */
export function webhookRetryDelaySeconds(attempt: number, random: number): number {
  const base = WEBHOOK_RETRY_DELAYS_SECONDS[attempt - 1];
  if (base === undefined) throw new RangeError(`No retry after attempt ${attempt}`);
  return Math.round(base * (1 + WEBHOOK_JITTER * random));
}

/** State name of the Wait before attempt `attempt` (2…8): the local runtime scales it by name. */
export const webhookWaitStateName = (attempt: number) => `Wait before webhook attempt ${attempt}`;

/** One event per extension of one run: the same id on every retry (Standard Webhooks' `webhook-id`). */
export function webhookEventId(runId: string, name: ExtensionName): string {
  return `msg_${createHash('sha256').update(`${runId}:${name}`).digest('base64url').slice(0, 27)}`;
}

/**
 * Whether the final write of `name` in `runId` owes the caller an event: yes exactly when the
 * "reported pending" mark of this run was on the item before that write (both are conditional
 * writes to one item, so DynamoDB orders them and one of the two sides sees the other).
 */
export function webhookOwed(record: FileRecord, runId: string, name: ExtensionName): PendingWebhook | undefined {
  return record.pendingWebhooks?.[webhookEventId(runId, name)];
}

/** The outcome reported for a run whose result was dropped because a newer run or an overwrite came first. */
export const SUPERSEDED_ERROR = {
  message: 'A newer run of this extension, or a new upload to the same path, replaced this run before it finished',
  reason: 'SUPERSEDED',
} as const;

export type WebhookBody =
  | { service: ExtensionName; status: 'SUCCESS'; fileObject: FileObject }
  | { service: ExtensionName; status: 'FAILURE'; fileId: string; error: ExtensionError };

export function webhookBody(outcome: ExtensionOutcome, fileId: string, fileObject: FileObject | undefined): WebhookBody {
  if (outcome.status === 'success' && fileObject) return { service: outcome.name, status: 'SUCCESS', fileObject };
  const error = outcome.error ?? { message: 'The file was deleted before its result could be delivered', reason: 'FILE_DELETED' };
  return { service: outcome.name, status: 'FAILURE', fileId, error };
}

/**
 * What the webhook states carry from one attempt to the next: `attempt` is the attempt to make next
 * (the Choice before the waits picks the Wait by it).
 */
export interface WebhookProgress {
  url: string;
  eventId: string;
  attempt: number;
  delivered: boolean;
  gaveUp: boolean;
  waitSeconds?: number;
}

/** After attempt `progress.attempt`: delivered, given up (refused target, or the last attempt), or wait and retry. */
export function afterAttempt(progress: WebhookProgress, delivered: boolean, refused: boolean, random: number): WebhookProgress {
  const { url, eventId, attempt } = progress;
  if (delivered) return { url, eventId, attempt, delivered: true, gaveUp: false };
  if (refused || attempt >= MAX_WEBHOOK_ATTEMPTS) return { url, eventId, attempt, delivered: false, gaveUp: true };
  return { url, eventId, attempt: attempt + 1, delivered: false, gaveUp: false, waitSeconds: webhookRetryDelaySeconds(attempt, random) };
}

/**
 * Where a webhook goes when its attempt's claim was refused (`claims.ts`): an attempt this execution made
 * and recorded, whose answer was lost (its Lambda died after), is followed by the next one; otherwise
 * nothing more is sent from here — delivered, or given up for this execution (final, or another's).
 */
export function afterRefusedAttempt(progress: WebhookProgress, refusal: AttemptRefusal, owner: string, random: number): WebhookProgress {
  if (refusal.reason === 'attempted' && refusal.owner === owner) return afterAttempt(progress, false, false, random);
  const { url, eventId, attempt } = progress;
  return { url, eventId, attempt, delivered: refusal.reason === 'delivered', gaveUp: refusal.reason !== 'delivered' };
}
