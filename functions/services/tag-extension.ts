import type { BudgetLedger } from '../adapters/budgets.js';
import type { ExtensionClaims } from '../adapters/extension-claims.js';
import type { ExtensionFailures } from '../adapters/extension-failures.js';
import type { ExtensionResult, FileTable } from '../adapters/file-table.js';
import type { ImageInput, LabelDetector } from '../adapters/label-detector.js';
import type { TagPolicies } from '../adapters/tag-policies.js';
import type { ExtensionName } from '../core/extension-names.js';
import type { ExtensionError } from '../core/file-record.js';
import type { FileRecord } from '../core/file-record.js';
import { BUDGET_EXCEEDED, budgetExceededMessage, imagePriceMicroUsd, type MonthlyBudgets } from '../core/budget.js';
import { claimOwner } from '../core/claims.js';
import { ExtensionFailure, ProviderTransientError } from '../core/provider-errors.js';
import type { ProviderPrices } from '../core/tagging-job.js';
import { decideTags, EMPTY_TAG_POLICY, type Label, type TagPolicy } from '../core/tag-policy.js';
import {
  duplicateResult,
  type ExtensionFailureTask,
  type ExtensionTask,
  failureFromStepError,
  needsProviderCall,
  recordedOutcome,
  type TaggerResult,
  taggerResult,
  untaggable,
} from '../core/tagging-run.js';
import { logger } from '../runtime/logger.js';
import { METRIC, recordMetric } from '../runtime/metrics.js';

export interface TaggerDeps {
  table: FileTable;
  /** Where the latest failed run of each extension is kept, for `GET /v1/status`. */
  failures: ExtensionFailures;
  detector: LabelDetector;
  /** The tag policy versions runs carry. */
  policies: Pick<TagPolicies, 'version'>;
  /** The image as this provider is sent it (bytes downscaled, or an S3 object it reads itself). */
  prepareImage: (record: FileRecord) => Promise<ImageInput>;
  /** The monthly budgets (AITAGS_MONTHLY_BUDGET_USD); an extension without one is not capped. */
  budget: BudgetDeps;
  /** Which execution of a run tags each extension (an Express run may execute twice). */
  claims: Pick<ExtensionClaims, 'claim'>;
}

export interface BudgetDeps {
  ledger: Pick<BudgetLedger, 'reserve' | 'release'>;
  /** Micro-dollars per month by extension. */
  budgets: MonthlyBudgets;
  prices: ProviderPrices;
  now?: () => Date;
}

/**
 * One extension of one run: claim it, read the image, ask the provider, keep the tags the rules select,
 * land them on the record. A final failure is recorded as `failed`; a transient one is thrown for the state
 * machine's Retry (and, once retries are spent, its Catch records the failure). Another execution of the
 * same run holding the claim ends this one as `duplicate`: no provider call, no write, no webhook.
 */
export async function tagExtension(task: ExtensionTask, deps: TaggerDeps): Promise<TaggerResult> {
  const { fileId, runId, extension } = task;
  const name: ExtensionName = extension.name;
  const startedAt = Date.now();
  // The record, the claim and (once the record is in) the image are fetched at the same time: each is a
  // round trip before the provider can be asked. A duplicate, or a run recorded already, drops the image.
  const reading = deps.table.get(fileId);
  const claiming = claimed(task, deps.claims);
  const image = reading.then((found) => (found && needsImage(task, found) ? deps.prepareImage(found) : undefined));
  image.catch(() => undefined);
  const [record, held] = await Promise.all([reading, claiming]);
  if (!record) {
    logger.warn('File gone before tagging', { runId, extension: name });
    return taggerResult(task, { name, status: 'failed', error: { message: 'The file was deleted', reason: 'FILE_DELETED' } }, undefined);
  }
  if (!held) return duplicateResult(task);
  // Recorded already for this run (this execution's earlier attempt wrote it and died, or an execution whose
  // claim lapsed finished it): handed on as recorded, with its webhook if still owed, and no provider call.
  const recorded = recordedOutcome(record, runId, name);
  if (recorded) {
    logger.info('This run already recorded the extension: handed on as recorded', { runId, extension: name, status: recorded.status });
    return taggerResult(task, recorded, record);
  }
  let result: ExtensionResult;
  let detected: Detected | undefined;
  const refusal = untaggable(record);
  try {
    detected = refusal ? undefined : await detectLabels(task, image, deps);
    result = refusal ? { status: 'failed', error: refusal } : { status: 'success', tags: decide(task, detected, record) };
  } catch (error) {
    if (!(error instanceof ExtensionFailure)) throw error;
    if (error.detail) logger.warn('Provider refused the call', { runId, extension: name, reason: error.reason, detail: error.detail });
    result = { status: 'failed', error: { message: error.message, reason: error.reason } };
  }
  let decidedFrom = record;
  let written = await deps.table.recordOutcome(fileId, runId, name, result, decidedFrom.version, rejectedOf(decidedFrom));
  // Names rejected while this run was under way: decided again from the same labels, against the file's latest rejections.
  for (let attempt = 0; !written && result.status === 'success' && attempt < REDECIDE_ATTEMPTS; attempt++) {
    const latest = await deps.table.get(fileId);
    if (!latest || latest.extensionRuns[name] !== runId || latest.extensionStatus[name] !== 'pending') break;
    if (sameNames(rejectedOf(latest), rejectedOf(decidedFrom))) break;
    decidedFrom = latest;
    result = { status: 'success', tags: decide(task, detected, latest) };
    logger.info('Names were rejected while the run was under way: tags decided again', { runId, extension: name });
    written = await deps.table.recordOutcome(fileId, runId, name, result, decidedFrom.version, rejectedOf(decidedFrom));
  }
  if (written && result.status === 'failed') await noteFailure(deps.failures, name, result.error);
  const current = written ? undefined : await deps.table.get(fileId);
  if (!written)
    logger.info('Result dropped: this run recorded the extension already, or a newer run or an overwrite superseded it', { runId, extension: name });
  recordMetric(result.status === 'success' ? METRIC.extensionSucceeded : METRIC.extensionFailed, 1, 'Count', { extension: name });
  recordMetric(METRIC.extensionLatency, Date.now() - startedAt, 'Milliseconds', { extension: name });
  logger.info('Extension finished', {
    runId,
    extension: name,
    status: result.status,
    ...(result.status === 'success' ? { tagCount: result.tags.length } : { error: result.error }),
  });
  const outcome =
    result.status === 'success'
      ? { name, status: 'success' as const, tagCount: result.tags.length }
      : { name, status: 'failed' as const, error: result.error };
  return taggerResult(task, outcome, written, current);
}

/** A file whose rejections keep changing under a run gets this many fresh decisions before the run's result is dropped. */
const REDECIDE_ATTEMPTS = 5;

/** What the provider answered and the policy the run carries: what a run's tags are decided from. */
interface Detected {
  labels: Label[];
  policy: TagPolicy;
}

const rejectedOf = (record: FileRecord): readonly string[] => record.rejectedAITags ?? [];
const sameNames = (a: readonly string[], b: readonly string[]) => JSON.stringify(a) === JSON.stringify(b);

/** Whether the run asks the provider about this file: then the image is read (and prepared) for it. */
const needsImage = (task: ExtensionTask, record: FileRecord) => needsProviderCall(task.extension) && !untaggable(record);

async function detectLabels(task: ExtensionTask, image: Promise<ImageInput | undefined>, deps: TaggerDeps): Promise<Detected | undefined> {
  if (!needsProviderCall(task.extension)) return undefined;
  const held = await reserveBudget(task, deps.budget);
  // A saved extension with a policy of its own carries its version; else the library's, as the run started.
  const policyVersion = task.extension.policyVersion ?? task.policyVersion;
  const policyRead = policyVersion ? deps.policies.version(policyVersion) : Promise.resolve(EMPTY_TAG_POLICY);
  // Awaited below; a failed provider call must not leave its rejection unhandled meanwhile.
  policyRead.catch(() => undefined);
  let labels: Label[];
  try {
    const input = await image;
    if (!input) throw new Error('No image was read for a provider call'); // needsImage and this path agree
    labels = await deps.detector.detect(input, task.extension.minConfidence);
  } catch (error) {
    if (held && !(error instanceof ProviderTransientError && !error.answered)) await deps.budget.ledger.release(task.extension.name, task.runId);
    throw error;
  }
  return { labels, policy: await policyRead };
}

/**
 * Holds one image's price of the extension's monthly budget for this run before the provider is called
 * (a retried task holds it once); answers whether a hold was taken. Over budget: the extension fails
 * `BUDGET_EXCEEDED` and the provider is not called.
 */
async function reserveBudget(task: ExtensionTask, budget: BudgetDeps): Promise<boolean> {
  const name = task.extension.name;
  const cap = budget.budgets[name];
  if (cap === undefined) return false;
  const at = (budget.now ?? (() => new Date()))();
  const reservation = await budget.ledger.reserve(name, task.runId, imagePriceMicroUsd(name, budget.prices), cap, at);
  if (cap > 0) recordMetric(METRIC.budgetUsed, (100 * reservation.spentMicroUsd) / cap, 'Percent', { extension: name });
  if (!reservation.reserved) throw new ExtensionFailure(budgetExceededMessage(name, cap, at), BUDGET_EXCEEDED);
  return true;
}

/**
 * Claims the task's extension for its execution (again, on a retry); false when another execution of the
 * run holds it. A duplicate execution then ends quietly, and calls the provider only once the claim has
 * lapsed (its holder ended or died): at most once more.
 */
async function claimed(task: ExtensionTask, claims: TaggerDeps['claims']): Promise<boolean> {
  const answer = await claims.claim(task.runId, task.extension.name, claimOwner(task), new Date());
  if (answer.claimed) return true;
  logger.info('Another execution of this run holds the extension: this one ends here', {
    runId: task.runId,
    extension: task.extension.name,
    heldUntil: new Date(answer.expiresAtMs).toISOString(),
  });
  return false;
}

/** The run's tags against `record`'s rejected names (none without a provider call). */
function decide(task: ExtensionTask, detected: Detected | undefined, record: FileRecord) {
  return detected ? decideTags(detected.labels, task.extension, { policy: detected.policy, rejected: rejectedOf(record) }) : [];
}

/** Keeps a run's failure for the status report; losing it must not fail the run, whose outcome is recorded. */
async function noteFailure(failures: ExtensionFailures, name: ExtensionName, error: ExtensionError): Promise<void> {
  try {
    await failures.record(name, { ...error, at: new Date().toISOString() });
  } catch (cause) {
    logger.warn('Could not keep the failure for the status report', { extension: name, error: cause as Error });
  }
}

/**
 * Reached by a tagger's Catch once its retries are spent: records the extension `failed` with the reason —
 * if this execution holds the extension's claim: a duplicate whose tagger failed must not record a failure
 * over the run the claimant is still tagging.
 */
export async function recordExtensionFailure(
  task: ExtensionFailureTask,
  { table, failures, claims }: Pick<TaggerDeps, 'table' | 'failures' | 'claims'>,
): Promise<TaggerResult> {
  if (!(await claimed(task, claims))) return duplicateResult(task);
  const error = failureFromStepError(task.error);
  const written = await table.recordOutcome(task.fileId, task.runId, task.extension.name, { status: 'failed', error });
  if (written) await noteFailure(failures, task.extension.name, error);
  const current = written ? undefined : await table.get(task.fileId);
  recordMetric(METRIC.extensionFailed, 1, 'Count', { extension: task.extension.name });
  logger.warn('Extension failed after retries', { error, stepError: task.error });
  return taggerResult(task, { name: task.extension.name, status: 'failed', error }, written, current);
}
