import * as z from 'zod/mini';
import { EXTENSION_NAMES } from './extension-names.js';
import { type RunExtension, runExtensionSchema } from './extensions.js';

/** What the tagging-jobs state machine hands its Lambdas (infra/tagging-jobs.ts builds the states). */

export const jobStepSchema = z.object({
  jobId: z.string(),
  /** A Catch's error, when a step before Finish failed past its retries. */
  error: z.optional(z.object({ Error: z.string(), Cause: z.optional(z.string()) })),
  /** The Catch's error once the job webhook's attempts are spent: the webhook step then counts it given up. */
  webhookError: z.optional(z.object({ Error: z.string(), Cause: z.optional(z.string()) })),
});
export type JobStep = z.infer<typeof jobStepSchema>;

/** The Distributed Map's ItemSelector: one file of the manifest, with what the job asks of it. */
export const jobFileTaskSchema = z.object({
  jobId: z.string(),
  fileId: z.string(),
  index: z.int().check(z.minimum(0)),
  extensions: z.array(runExtensionSchema),
  removeAITags: z.boolean(),
  reapplyPolicy: z.boolean(),
  startedAtMs: z.number(),
  rate: z.number().check(z.positive()),
});
export type JobFileTask = z.infer<typeof jobFileTaskSchema>;

/** What Count the file receives: the started (or skipped) file and, when tagged, each extension's outcome. */
export const jobFileCountSchema = z.object({
  jobId: z.string(),
  index: z.int().check(z.minimum(0)),
  fileId: z.string(),
  skip: z.optional(z.string()),
  /** With skip `budget-spent`: the extensions whose monthly budget was spent. */
  spentBudgets: z.optional(z.array(z.enum(EXTENSION_NAMES))),
  /** The file's stored AI tags were re-decided by the policy (a reapplyPolicy job): nothing to tag. */
  reapplied: z.optional(z.boolean()),
  outcomes: z.optional(
    z.array(
      z.object({
        name: z.optional(z.enum(EXTENSION_NAMES)),
        status: z.optional(z.string()),
        error: z.optional(z.object({ reason: z.optional(z.string()), Error: z.optional(z.string()) })),
      }),
    ),
  ),
});
export type JobFileCount = z.infer<typeof jobFileCountSchema>;

/** Where the planner put the manifest: the Distributed Map's ItemReader reads it. */
export interface JobPlan {
  jobId: string;
  /** False when there is nothing to tag (no match, a dry run, or cancelled while planning). */
  tag: boolean;
  manifest?: { bucket: string; key: string };
  extensions?: RunExtension[];
  removeAITags?: boolean;
  reapplyPolicy?: boolean;
  startedAtMs?: number;
  rate?: number;
  /** Why planning ended the job (a selection over the limit, or over what remains of a budget); Finish fails it with this. */
  error?: { Error: string; Cause?: string };
  /** The Distributed Map's MaxConcurrencyPath. */
  maxConcurrency?: number;
}

/** The manifest's key: one JSON array of `{ "fileId" }` items per job, under the prefix only jobs use. */
export const manifestKey = (jobId: string) => `jobs/manifests/${jobId}.json`;
export const JOB_RESULTS_PREFIX = 'jobs/results';
