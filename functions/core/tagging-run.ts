import * as z from 'zod/mini';
import { type RunExtension, runExtensionSchema } from './extensions.js';
import { EXTENSION_NAMES, type ExtensionName } from './extension-names.js';
import type { ExtensionError, ExtensionOutcome, ExtensionState, FileRecord } from './file-record.js';
import { THROTTLED_PROVIDER_ERROR, TRANSIENT_PROVIDER_ERROR } from './provider-errors.js';
import { SUPERSEDED_ERROR, type WebhookProgress, webhookOwed } from './webhook-events.js';

/** The Error a run started as lost hands Record extension failure: recorded as reason WORKFLOW_LOST. */
export const WORKFLOW_LOST_ERROR = 'WorkflowLost';

/** The failure recorded for an extension whose workflow was lost, and lost again when run once more. */
export const WORKFLOW_LOST_FAILURE = {
  message: 'The tagging workflow was lost before this extension finished, and again when it was run once more; tag the file again',
  reason: 'WORKFLOW_LOST',
} as const;

/** What the webhook task receives: a tagger's result that owes the caller a webhook. */
export const webhookTaskSchema = z.object({
  fileId: z.string(),
  runId: z.string(),
  name: z.enum(EXTENSION_NAMES),
  status: z.enum(['success', 'failed']),
  tagCount: z.optional(z.number()),
  error: z.optional(z.object({ message: z.string(), reason: z.string() })),
  webhook: z.object({
    url: z.string(),
    eventId: z.string(),
    attempt: z.int().check(z.minimum(1)),
    delivered: z.boolean(),
    gaveUp: z.boolean(),
    waitSeconds: z.optional(z.number()),
  }),
  /** The execution delivering it (the tagger's, handed on): the owner of its attempts' claims (core/claims.ts). */
  execution: z.optional(z.string()),
});
export type WebhookTask = z.infer<typeof webhookTaskSchema>;

/** A tagging run: the tagging workflow's input, one execution per upload or PATCH that asked for extensions. */
export const taggingRunInputSchema = z.object({
  fileId: z.string(),
  runId: z.string(),
  /**
   * `resume`, set by the reconciler only (requests' extension schemas are strict): the webhook an execution
   * lost between attempts owed, delivered from its next attempt on, with no tagger run.
   */
  extensions: z.array(z.extend(runExtensionSchema, { resume: z.optional(webhookTaskSchema) })),
  /**
   * When the caller's sync window closes (epoch ms). Recorded in the execution's input for the history:
   * which extensions owe a webhook is decided by conditional writes, not by comparing clocks.
   */
  syncDeadline: z.number(),
  webhookUrl: z.optional(z.string()),
  /** The tag policy version current when the run started ('' while none was ever saved): its taggers apply that one. */
  policyVersion: z.string(),
  /**
   * Set by the reconciler when the run's workflow was lost twice: no tagger runs, each extension is recorded
   * failed (WORKFLOW_LOST) and its webhook sent. Always present (false) so the Map's ItemSelector finds it.
   */
  lost: z.optional(z.boolean()),
  /**
   * An object written under `ingest/`: nobody waits for it, so each extension takes its turn at the
   * provider's background pacer (core/pacer.ts) before its tagger runs. Always present (false) in new
   * runs, like `lost`.
   */
  paced: z.optional(z.boolean()),
});
export type TaggingRunInput = z.infer<typeof taggingRunInputSchema>;

/** What one tagger Lambda receives: the Map state's item. */
export const extensionTaskSchema = z.object({
  fileId: z.string(),
  runId: z.string(),
  extension: runExtensionSchema,
  /** The library's policy version when the run started; the extension's own `policyVersion`, when it has one, comes first. */
  policyVersion: z.string(),
  /**
   * The execution running the item (`$$.Execution.Id`, set by the upload run's item selector): the owner of
   * the extension's claim, the same on every retry of the task, another in a duplicate execution.
   */
  execution: z.optional(z.string()),
});
export type ExtensionTask = z.infer<typeof extensionTaskSchema>;

/** "Take a turn": one extension of a paced run, with the ticket of its place in line when it waits in one. */
export const turnTaskSchema = z.extend(extensionTaskSchema, {
  turn: z.optional(
    z.object({
      ticket: z.optional(z.number()),
      /** Times the provider throttled this extension since its first turn. */
      throttles: z.optional(z.number()),
      /** Set by the paced tagger's Catch: the provider throttled the call just made. */
      throttled: z.optional(z.unknown()),
      /**
       * false: a run's Express execution asks, which waits for a turn within the horizon only; further back,
       * it takes no place in line (its Standard continuation takes one).
       */
      inLine: z.optional(z.boolean()),
    }),
  ),
});
export type TurnTask = z.infer<typeof turnTaskSchema>;

/** What "Take a turn" answers in `turn`: when to call the provider, or when to ask again (ISO timestamps, for Wait states). */
export type TurnAnswer = ({ at: string } | { askAgainAt: string; ticket: number } | { beyondHorizon: true }) & { throttles: number };

/** The state machine's Catch hands over Step Functions' own error object. */
export const extensionFailureTaskSchema = z.extend(extensionTaskSchema, {
  error: z.object({ Error: z.string(), Cause: z.optional(z.string()) }),
});
export type ExtensionFailureTask = z.infer<typeof extensionFailureTaskSchema>;

/** Why a file cannot be auto-tagged at all (no provider is asked), or undefined. */
export function untaggable(record: Pick<FileRecord, 'fileType' | 'mime'>): ExtensionError | undefined {
  return record.fileType === 'image' ? undefined : { message: `Only images can be auto-tagged; this file is ${record.mime}`, reason: 'NOT_AN_IMAGE' };
}

/** `maxTags: 0` keeps nothing, so the provider is not asked (and not paid). */
export const needsProviderCall = (extension: RunExtension) => extension.maxTags > 0;

/**
 * A tagger's status: its extension's outcome, or `duplicate` — another execution of the same run holds the
 * extension's claim, so this one called no provider, wrote nothing and owes no webhook: its branch ends.
 */
export type TaggerStatus = ExtensionOutcome['status'] | 'duplicate';

/** What a tagger hands on in the state machine: its outcome, and the webhook it owes, if any. */
export interface TaggerResult extends Omit<ExtensionOutcome, 'status'> {
  status: TaggerStatus;
  fileId: string;
  runId: string;
  /** The execution that ran it, handed on to Deliver webhook as the owner of its attempts' claims. */
  execution?: string;
  webhook?: WebhookProgress;
}

/** The result of a tagger whose extension another execution of the run holds. */
export const duplicateResult = (task: ExtensionTask): TaggerResult => ({
  name: task.extension.name,
  status: 'duplicate',
  fileId: task.fileId,
  runId: task.runId,
  ...(task.execution && { execution: task.execution }),
});

/** `name`'s final outcome in `runId` as `record` holds it; undefined while it is pending, or another run's. */
export function recordedOutcome(record: FileRecord, runId: string, name: ExtensionName): ExtensionOutcome | undefined {
  if (record.extensionRuns[name] !== runId) return undefined;
  const status = record.extensionStatus[name];
  if (status === 'success') return { name, status, tagCount: record.aiTags[name]?.length ?? 0 };
  if (status === 'failed')
    return { name, status, error: record.extensionErrors[name] ?? { message: 'The extension failed', reason: 'INTERNAL_ERROR' } };
  return undefined;
}

/** Statuses of one run's extensions as the record shows them now, and whether all are final. */
export function runProgress(
  record: FileRecord,
  extensions: readonly RunExtension[],
): {
  extensionStatus: Partial<Record<ExtensionName, ExtensionState>>;
  settled: boolean;
} {
  const extensionStatus = Object.fromEntries(
    extensions.map((extension) => [extension.name, record.extensionStatus[extension.name] ?? 'pending']),
  ) as Partial<Record<ExtensionName, ExtensionState>>;
  return { extensionStatus, settled: Object.values(extensionStatus).every((state) => state !== 'pending') };
}

/**
 * Step Functions' Catch output → the reason recorded for the extension. The Lambda's own error type is
 * the `Error`; `Cause` is the runtime's JSON `{errorType, errorMessage}` (or plain text).
 */
export function failureFromStepError(error: ExtensionFailureTask['error']): ExtensionError {
  let detail = error.Cause ?? '';
  try {
    const cause = JSON.parse(detail) as { errorMessage?: unknown };
    if (typeof cause.errorMessage === 'string') detail = cause.errorMessage;
  } catch {
    // Cause was plain text.
  }
  if (error.Error === TRANSIENT_PROVIDER_ERROR || error.Error === THROTTLED_PROVIDER_ERROR) {
    return { message: `The provider kept failing after retries: ${detail}`, reason: 'PROVIDER_UNAVAILABLE' };
  }
  if (error.Error === 'States.Timeout') return { message: 'The tagger timed out', reason: 'TIMEOUT' };
  if (error.Error === WORKFLOW_LOST_ERROR) return { ...WORKFLOW_LOST_FAILURE };
  // Internal detail (ARNs, stack text) stays in the logs; the caller and its webhook get a plain sentence.
  return { message: 'The tagger failed unexpectedly; see the service logs', reason: 'INTERNAL_ERROR' };
}

/**
 * The result a tagger (or the failure recorder) hands on. `written` is the record its final write
 * produced; when that write was dropped, `current` is the record as it is now. Dropped because this run's
 * result is recorded already (this execution's own earlier attempt wrote it, then died; or the execution
 * that did took its claim and ended), what the record holds is handed on, with the webhook if still owed
 * (Deliver webhook's claim keeps it from being sent twice). Dropped because a newer run or an overwrite
 * came first: if this run had promised the caller a webhook, the event still goes out, as SUPERSEDED.
 */
export function taggerResult(task: ExtensionTask, outcome: ExtensionOutcome, written: FileRecord | undefined, current?: FileRecord): TaggerResult {
  const recorded = !written && current ? recordedOutcome(current, task.runId, outcome.name) : undefined;
  const promised = written ? webhookOwed(written, task.runId, outcome.name) : current && webhookOwed(current, task.runId, outcome.name);
  const reported: ExtensionOutcome = written ? outcome : (recorded ?? { name: outcome.name, status: 'failed', error: { ...SUPERSEDED_ERROR } });
  return {
    ...reported,
    fileId: task.fileId,
    runId: task.runId,
    ...(task.execution && { execution: task.execution }),
    ...(promised && { webhook: { url: promised.url, eventId: promised.eventId, attempt: 1, delivered: false, gaveUp: false } }),
  };
}
