import { BUDGET_EXCEEDED, budgetResetsAt, imagePriceMicroUsd, imagesCovered, type MonthlyBudgets, usdOf } from './budget.js';
import { ApiError } from './errors.js';
import type { ExtensionName } from './extension-names.js';
import type { RunExtension } from './extensions.js';
import { type FileOutcome, fileOutcome, type JobStoppedBy, type ProviderPrices } from './tagging-job.js';

/** Tagging jobs against the monthly budgets (docs/api.md, "Budgets and tagging jobs"): what remains, a job over it, a job stopped by it. */

/** One budgeted extension a job calls, with what its month has spent so far; micro-dollars. */
export interface BudgetRoom {
  name: ExtensionName;
  capMicroUsd: number;
  spentMicroUsd: number;
  priceMicroUsd: number;
}

/**
 * The extensions of a job that a budget caps: each once, only those that call their provider (maxTags > 0);
 * a job that re-applies the policy calls none.
 */
export function budgetedExtensions(extensions: readonly RunExtension[], budgets: MonthlyBudgets, reapplyPolicy: boolean): ExtensionName[] {
  if (reapplyPolicy) return [];
  const names = extensions.filter((extension) => extension.maxTags > 0 && budgets[extension.name] !== undefined).map(({ name }) => name);
  return [...new Set(names)];
}

/** The room of `name`'s budget, given what its month has spent. */
export const budgetRoom = (name: ExtensionName, budgets: MonthlyBudgets, prices: ProviderPrices, spentMicroUsd: number): BudgetRoom => ({
  name,
  capMicroUsd: budgets[name] ?? 0,
  spentMicroUsd,
  priceMicroUsd: imagePriceMicroUsd(name, prices),
});

/** How many more images a budget's room covers. */
const imagesLeft = (room: BudgetRoom) => imagesCovered(room.capMicroUsd, room.spentMicroUsd, room.priceMicroUsd);

const remainingMicroUsd = (room: BudgetRoom) => Math.max(0, room.capMicroUsd - room.spentMicroUsd);

/** `{ "<extension>": usd }`: what remains of each budget this month (never below 0), as a dry run answers it. */
export const remainingBudgetUsd = (rooms: readonly BudgetRoom[]): Partial<Record<ExtensionName, number>> =>
  Object.fromEntries(rooms.map((room) => [room.name, usdOf(remainingMicroUsd(room))]));

/** The budgets `images` more images would pass (each extension tags every image once). */
export const budgetsExceeded = (images: number, rooms: readonly BudgetRoom[]): BudgetRoom[] => rooms.filter((room) => images > imagesLeft(room));

/** The budgets that no longer cover one more image: a job's file started now could not be tagged by them. */
export const budgetsSpent = (rooms: readonly BudgetRoom[]): ExtensionName[] => rooms.filter((room) => imagesLeft(room) < 1).map(({ name }) => name);

/** `120 images with aws-auto-tagging would cost $0.12, more than the $0.05 left of its monthly budget of $10 (it resets at …)`. */
function overBudgetSentence(images: number, room: BudgetRoom, at: Date): string {
  const cost = usdOf(images * room.priceMicroUsd);
  return (
    `${images} ${images === 1 ? 'image' : 'images'} with ${room.name} would cost $${cost}, more than the $${usdOf(remainingMicroUsd(room))} ` +
    `left of its monthly budget of $${usdOf(room.capMicroUsd)} (it resets at ${budgetResetsAt(at).toISOString()})`
  );
}

/** Why a job planned in the background over what remains fails (its error, reason BUDGET_EXCEEDED): nothing was tagged. */
export const jobOverBudgetMessage = (images: number, exceeded: readonly BudgetRoom[], at: Date): string =>
  `The job was not started: ${exceeded.map((room) => overBudgetSentence(images, room, at)).join('; ')}`;

/**
 * A job counted within the request that would pass what remains of a budget: 400 with the numbers, the
 * dry run's fields beside `message` and `help`.
 */
export function jobOverBudget(
  estimate: { total: number; estimatedProviderCostUsd: number },
  rooms: readonly BudgetRoom[],
  exceeded: readonly BudgetRoom[],
  at: Date,
): ApiError {
  const fits = Math.min(...exceeded.map((room) => imagesLeft(room)));
  const help =
    fits > 0
      ? `Nothing was started. Set maxFiles to at most ${fits} or narrow the selection, wait until the budget resets, or raise AITAGS_MONTHLY_BUDGET_USD.`
      : 'Nothing was started, and nothing remains of the budget this month: wait until it resets, or raise AITAGS_MONTHLY_BUDGET_USD.';
  return new ApiError(
    400,
    `The tagging job would pass its monthly budget: ${exceeded.map((room) => overBudgetSentence(estimate.total, room, at)).join('; ')}`,
    `${help} A dry run shows remainingBudgetUsd.`,
    { ...estimate, remainingBudgetUsd: remainingBudgetUsd(rooms) },
  );
}

/** One extension's outcome on a job's file, as its tagger (or the failure recorder) handed it on. */
export interface ExtensionResult {
  name?: ExtensionName;
  status?: string;
  error?: { reason?: string };
}

/**
 * A job's file from its extensions' outcomes (core/tagging-job.ts fileOutcome), except that a file whose
 * every failure is its budget's refusal was not tagged for the budget, not failed: it is `skipped`, as the
 * files the job no longer starts once a budget is spent.
 */
export function jobFileOutcome(outcomes: readonly ExtensionResult[]): FileOutcome {
  const outcome = fileOutcome(outcomes);
  const failures = outcomes.filter((entry) => entry.status !== 'success');
  return outcome === 'failed' && failures.every((entry) => entry.error?.reason === BUDGET_EXCEEDED) ? 'skipped' : outcome;
}

/** The extensions whose budget refused a file's run (their outcomes' reason BUDGET_EXCEEDED). */
export const budgetRefusals = (outcomes: readonly ExtensionResult[]): ExtensionName[] =>
  outcomes.flatMap((entry) => (entry.status !== 'success' && entry.error?.reason === BUDGET_EXCEEDED && entry.name ? [entry.name] : []));

/** What a job that reached a budget while running says of it: how many files it skipped for it, and whose budgets. */
export function budgetStop(skipped: number, extensions: readonly ExtensionName[], at: Date): JobStoppedBy {
  const whose = extensions.length ? `the monthly budget of ${extensions.join(' and ')} was spent` : 'a monthly budget was spent';
  return {
    reason: BUDGET_EXCEEDED,
    message:
      `The job stopped tagging when ${whose}: ${skipped} ${skipped === 1 ? 'file was' : 'files were'} skipped, not tagged. ` +
      `Budgets reset at ${budgetResetsAt(at).toISOString()}; a job then can tag them.`,
    extensions: [...extensions],
    skipped,
  };
}
