import type { ExtensionName } from './extension-names.js';
import type { FileRecord } from './file-record.js';
import type { TaggingRunInput } from './tagging-run.js';

/**
 * Watching tagging runs until they settle (docs/architecture.md, "Nothing stays pending"): whoever starts
 * a run records the latest it can still be under way; a run past that deadline with an extension still
 * `pending` lost its workflow, and the reconciler takes over.
 */

/**
 * The longest an upload's, a PATCH's or an ingested object's run can keep an extension pending: its
 * taggers' every retry spent, each attempt at its whole timeout (a template test holds the synthesized
 * worst case under this).
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
}

/** A run's first watch: its deadline `seconds` after `now`. */
export function firstWatch(input: TaggingRunInput, seconds: number, now: Date): RunWatch {
  return { runId: input.runId, fileId: input.fileId, input, attempt: 1, deadline: new Date(now.getTime() + seconds * 1000).toISOString() };
}

export type WatchStep =
  /** Nothing of the run is pending any more (or the file is gone): the watch ends. */
  | { action: 'forget' }
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

/** What the reconciler does with a watch whose deadline passed. */
export function watchStep(
  record: Pick<FileRecord, 'extensionStatus' | 'extensionRuns'> | undefined,
  watch: Pick<RunWatch, 'runId' | 'attempt'>,
): WatchStep {
  const names = record ? pendingOfRun(record, watch.runId) : [];
  if (!names.length) return { action: 'forget' };
  if (watch.attempt === 1) return { action: 'rerun', names };
  if (watch.attempt === 2) return { action: 'lose', names };
  return { action: 'fail', names };
}
