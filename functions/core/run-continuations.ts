import * as z from 'zod/mini';
import { runExtensionSchema } from './extensions.js';
import type { ExtensionName } from './extension-names.js';
import { type TaggingRunInput, type WebhookTask, webhookTaskSchema } from './tagging-run.js';

/**
 * The part of a run that needs more time than its Express execution has (docs/architecture.md, "Standard
 * or Express"), handed over to the Standard machine: an extension the provider still throttles when its
 * Express retries are spent (or an ingested one sent to wait in line at the pacer), and a webhook whose
 * first attempt failed, delivered from its next attempt on its ≥ 24 h schedule.
 */
export const continuationSchema = z.union([
  z.object({
    tagging: z.object({
      fileId: z.string(),
      runId: z.string(),
      extension: runExtensionSchema,
      policyVersion: z.string(),
      paced: z.optional(z.boolean()),
    }),
  }),
  z.object({ webhook: webhookTaskSchema }),
]);
export type Continuation = z.infer<typeof continuationSchema>;

/** The Standard machine's input for a webhook it delivers from `resume.webhook.attempt` on: no tagger runs. */
export interface WebhookResumeInput extends Omit<TaggingRunInput, 'extensions'> {
  extensions: Array<{ name: ExtensionName; resume: WebhookTask }>;
}

/** What the Standard machine runs for a continuation, and the execution's name. */
export interface ContinuedRun {
  input: TaggingRunInput | WebhookResumeInput;
  /**
   * `<runId>-<extension>` for tagging, the event id (the receiver's `webhook-id`) for a webhook: a duplicate
   * Express execution (at least once) that continues the same work again is refused as ExecutionAlreadyExists.
   */
  name: string;
  fileId: string;
  runId: string;
  extension: ExtensionName;
}

export function continuedRun(continuation: Continuation): ContinuedRun {
  if ('tagging' in continuation) {
    const { fileId, runId, extension, policyVersion, paced } = continuation.tagging;
    return {
      input: { fileId, runId, extensions: [extension], syncDeadline: 0, policyVersion, lost: false, paced: paced ?? false },
      name: `${runId}-${extension.name}`,
      fileId,
      runId,
      extension: extension.name,
    };
  }
  const { webhook } = continuation;
  return {
    // The Standard machine's Map reads policyVersion, lost and paced whatever the item does.
    input: {
      fileId: webhook.fileId,
      runId: webhook.runId,
      extensions: [{ name: webhook.name, resume: webhook }],
      syncDeadline: 0,
      policyVersion: '',
      lost: false,
      paced: false,
    },
    name: webhook.webhook.eventId,
    fileId: webhook.fileId,
    runId: webhook.runId,
    extension: webhook.name,
  };
}

/**
 * The ARN a Standard execution named `name` of `stateMachineArn` gets (AWS's documented form): the
 * `$$.Execution.Id` its tasks claim their extension with, known before it starts.
 */
export function standardExecutionArn(stateMachineArn: string, name: string): string {
  const [prefix, machine] = stateMachineArn.split(':stateMachine:');
  if (!machine) throw new Error(`Not a state machine ARN: ${stateMachineArn}`);
  return `${prefix}:execution:${machine}:${name}`;
}
