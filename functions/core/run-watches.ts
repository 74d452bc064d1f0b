import { createHash } from 'node:crypto';
import { EXTENSION_NAMES, type ExtensionName } from './extension-names.js';
import type { FileRecord, PendingWebhook, WebhookAttemptRecord, WebhookDelivery } from './file-record.js';
import type { TaggingRunInput, WebhookTask } from './tagging-run.js';
import { SUPERSEDED_ERROR, WEBHOOK_JITTER, WEBHOOK_RETRY_DELAYS_SECONDS, webhookEventId } from './webhook-events.js';

/**
 * Watching tagging runs until they settle (docs/architecture.md, "Nothing stays pending"): whoever starts
 * a run records the latest it can still be under way; a run past that deadline with an extension still
 * `pending` lost its workflow, and the reconciler takes over.
 */

/**
 * The longest a run's Express execution can keep an extension pending: AWS stops it at 5 minutes (its
 * synthesized worst case is held under 240 s by a template test), and the margin lets the reconciler
 * tell a lost run from a slow one. A run that continues on Standard moves its watch to RUN_DEADLINE_SECONDS.
 */
export const EXPRESS_RUN_DEADLINE_SECONDS = 15 * 60;

/**
 * The longest a run continued on the Standard machine (or a webhook resumed there) can keep an extension
 * pending: its taggers' every retry spent, each attempt at its whole timeout (a template test holds the
 * synthesized worst case under this).
 */
export const RUN_DEADLINE_SECONDS = 3 * 3600;
/** A tagging job's file: its Express child's 5 minutes. */
export const JOB_FILE_DEADLINE_SECONDS = 5 * 60;

/** How often the reconciler looks for lost runs: a schedule on AWS, a timer under `npm start` (which also looks at start). */
export const RECONCILE_EVERY_MINUTES = 10;

export interface RunWatch {
  runId: string;
  fileId: string;
  /** The run's workflow input, to start it again. */
  input: TaggingRunInput;
  /** 1: the first execution; 2: re-run once; 3: started as lost (its extensions recorded failed, webhooks sent). */
  attempt: 1 | 2 | 3;
  deadline: string;
  /** Webhook events of the run resumed by the reconciler, each with the attempts it had made then. */
  resumedWebhooks?: Record<string, number>;
}

/** A run's first watch: its deadline `seconds` after `now`. */
export function firstWatch(input: TaggingRunInput, seconds: number, now: Date): RunWatch {
  return { runId: input.runId, fileId: input.fileId, input, attempt: 1, deadline: new Date(now.getTime() + seconds * 1000).toISOString() };
}

export type WatchStep =
  /** Nothing of the run is pending any more, and no webhook of it owed (or the file is gone): the watch ends. */
  | { action: 'forget' }
  /** Nothing of the run is pending any more, but webhooks of it are still owed: watched until delivered (webhookSteps). */
  | { action: 'webhooks'; owed: OwedWebhook[] }
  /** Start the run again, once, with the same run id (its webhooks keep their ids). */
  | { action: 'rerun'; names: ExtensionName[] }
  /** Start it as lost: each pending extension is recorded failed, WORKFLOW_LOST, and its webhook sent. */
  | { action: 'lose'; names: ExtensionName[] }
  /** Even that execution was lost: record them failed here (no webhook is left to send them). */
  | { action: 'fail'; names: ExtensionName[] };

/** The extensions of `runId` still pending on the record. */
export function pendingOfRun(record: Pick<FileRecord, 'extensionStatus' | 'extensionRuns'>, runId: string): ExtensionName[] {
  return (Object.entries(record.extensionStatus) as Array<[ExtensionName, string]>)
    .filter(([name, status]) => status === 'pending' && record.extensionRuns?.[name] === runId)
    .map(([name]) => name);
}

/** A webhook event of a run still owed to its caller, by the extension it reports. */
export interface OwedWebhook extends PendingWebhook {
  name: ExtensionName;
}

/** The events of `runId` the record still owes (their delivery not final yet). */
export function owedWebhooksOf(record: Partial<Pick<FileRecord, 'pendingWebhooks'>>, runId: string): OwedWebhook[] {
  return EXTENSION_NAMES.flatMap((name) => {
    const owed = record.pendingWebhooks?.[webhookEventId(runId, name)];
    return owed?.runId === runId ? [{ ...owed, name }] : [];
  });
}

/** What the reconciler does with a watch whose deadline passed. */
export function watchStep(
  record: (Pick<FileRecord, 'extensionStatus' | 'extensionRuns'> & Partial<Pick<FileRecord, 'pendingWebhooks'>>) | undefined,
  watch: Pick<RunWatch, 'runId' | 'attempt'>,
): WatchStep {
  const names = record ? pendingOfRun(record, watch.runId) : [];
  if (!names.length) {
    const owed = record ? owedWebhooksOf(record, watch.runId) : [];
    return owed.length ? { action: 'webhooks', owed } : { action: 'forget' };
  }
  if (watch.attempt === 1) return { action: 'rerun', names };
  if (watch.attempt === 2) return { action: 'lose', names };
  return { action: 'fail', names };
}

/**
 * How long past an owed webhook's next attempt (its longest jittered wait after the last one) the
 * reconciler waits before counting the execution that owes it lost: the deliver task's own retries
 * (≈ 5 min of backoff and timeouts) and one "Wait after a crashed webhook attempt" (5 min) fit in it.
 */
export const WEBHOOK_RESUME_GRACE_SECONDS = 15 * 60;

/** An event's delivery so far, as its own item records it (undefined: no attempt was recorded yet). */
export type DeliverySoFar = Pick<WebhookDelivery, 'state'> & { attempts: ReadonlyArray<Pick<WebhookAttemptRecord, 'at' | 'durationMs'>> };

/** When attempt `attempts + 1` is due at the latest, after the last attempt ended (epoch ms), and at the earliest. */
function nextAttemptDue(delivery: DeliverySoFar): { latest: number; earliest: number } | undefined {
  const attempts = delivery.attempts.length;
  const last = delivery.attempts[attempts - 1];
  const delay = WEBHOOK_RETRY_DELAYS_SECONDS[attempts - 1];
  if (!last || delay === undefined) return undefined;
  const ended = Date.parse(last.at) + last.durationMs;
  return { earliest: ended + delay * 1000, latest: ended + Math.ceil(delay * (1 + WEBHOOK_JITTER)) * 1000 };
}

export interface WebhooksPlan {
  /** Resumed in a new execution of the run, each with the webhook-id it was promised. */
  resume: WebhookTask[];
  /** Lost again after a resume at the same attempt: given up, recorded failed and no longer owed. */
  giveUp: Array<OwedWebhook & { attempts: number }>;
  /** Final already (only the file's mark was left behind): no longer owed. */
  settle: OwedWebhook[];
  /** When the watch looks again (the soonest an event still owed could be lost); undefined: nothing left to watch. */
  deadline?: string;
  /** The watch's record of resumes, this plan's included. */
  resumedWebhooks: Record<string, number>;
}

/**
 * What becomes of the webhooks a settled run still owes (docs/architecture.md, "Nothing stays pending"):
 * an event whose next attempt is past due by WEBHOOK_RESUME_GRACE_SECONDS — or any, when `everyWatch`
 * (a local start: the executions before it died with their process) — was lost with its execution, and
 * is resumed at the attempt it had reached; one lost again at that same attempt is given up, so nothing
 * is resumed forever. The others are watched until they are due.
 */
export function webhookSteps(
  record: Pick<FileRecord, 'fileId' | 'extensionStatus' | 'extensionRuns' | 'extensionErrors'>,
  watch: Pick<RunWatch, 'runId' | 'resumedWebhooks'>,
  owed: readonly OwedWebhook[],
  deliveries: Readonly<Record<string, DeliverySoFar | undefined>>,
  now: Date,
  everyWatch: boolean,
): WebhooksPlan {
  const plan: WebhooksPlan = { resume: [], giveUp: [], settle: [], resumedWebhooks: { ...watch.resumedWebhooks } };
  const lookAgain: number[] = [];
  const grace = WEBHOOK_RESUME_GRACE_SECONDS * 1000;
  for (const webhook of owed) {
    const delivery = deliveries[webhook.eventId];
    if (delivery && delivery.state !== 'pending') {
      plan.settle.push(webhook);
      continue;
    }
    const attempts = delivery?.attempts.length ?? 0;
    const due = delivery && nextAttemptDue(delivery);
    if (attempts > 0 && !due) {
      // Its last attempt was made and not recorded final: nothing is left to try.
      plan.giveUp.push({ ...webhook, attempts });
      continue;
    }
    if (due && !everyWatch && now.getTime() <= due.latest + grace) {
      lookAgain.push(due.latest + grace);
      continue;
    }
    if (watch.resumedWebhooks?.[webhook.eventId] === attempts) {
      plan.giveUp.push({ ...webhook, attempts });
      continue;
    }
    const waitSeconds = due ? Math.max(0, Math.ceil((due.earliest - now.getTime()) / 1000)) : 0;
    plan.resume.push(resumedTask(record, watch.runId, webhook, attempts + 1, waitSeconds));
    plan.resumedWebhooks[webhook.eventId] = attempts;
    lookAgain.push(now.getTime() + waitSeconds * 1000 + grace);
  }
  if (lookAgain.length) plan.deadline = new Date(Math.min(...lookAgain)).toISOString();
  return plan;
}

/** The deliver task an execution lost between attempts would have made next, its outcome read from the record. */
function resumedTask(
  record: Pick<FileRecord, 'fileId' | 'extensionStatus' | 'extensionRuns' | 'extensionErrors'>,
  runId: string,
  webhook: OwedWebhook,
  attempt: number,
  waitSeconds: number,
): WebhookTask {
  const { name, url, eventId } = webhook;
  return {
    fileId: record.fileId,
    runId,
    name,
    ...outcomeOf(record, runId, name),
    webhook: { url, eventId, attempt, delivered: false, gaveUp: false, waitSeconds },
  };
}

/** The extension's final outcome in `runId`; a newer run (or an overwrite) took it over since: reported as the tagger reports it then. */
function outcomeOf(
  record: Pick<FileRecord, 'extensionStatus' | 'extensionRuns' | 'extensionErrors'>,
  runId: string,
  name: ExtensionName,
): Pick<WebhookTask, 'status' | 'error'> {
  const status = record.extensionRuns[name] === runId ? record.extensionStatus[name] : undefined;
  if (status === 'success') return { status };
  const error = record.extensionErrors[name];
  if (status === 'failed') return { status, ...(error && { error }) };
  return { status: 'failed', error: { ...SUPERSEDED_ERROR } };
}

/**
 * The execution that resumes `tasks`: named by what it resumes, so a schedule that fires twice starts it
 * once, and a later resume (another event, or a later attempt) is another execution.
 */
export function webhookResumeName(runId: string, tasks: readonly WebhookTask[]): string {
  const resumed = tasks.map((task) => `${task.webhook.eventId}:${task.webhook.attempt}`).sort();
  return `${runId}-webhooks-${createHash('sha256').update(resumed.join(',')).digest('hex').slice(0, 16)}`;
}
