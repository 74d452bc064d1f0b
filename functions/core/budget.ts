import { EXTENSION_NAMES, type ExtensionName } from './extension-names.js';
import type { ProviderPrices } from './tagging-job.js';

/**
 * Monthly provider budgets (AITAGS_MONTHLY_BUDGET_USD): each extension's spend in a calendar month (UTC),
 * counted in integer micro-dollars so that a budget of $0.0045 at $1.50 per 1,000 images allows exactly
 * three images — sums of floating-point dollars drift.
 */
/** Micro-dollars per month by extension; an extension absent has no cap. */
export type MonthlyBudgets = Partial<Record<ExtensionName, number>>;

export const MICRO_USD_PER_USD = 1_000_000;

/** Whole micro-dollars of `usd` (a price or a budget given in dollars). */
export const microUsd = (usd: number): number => Math.round(usd * MICRO_USD_PER_USD);

/** Dollars of `micro` micro-dollars, as the API shows them. */
export const usdOf = (micro: number): number => micro / MICRO_USD_PER_USD;

/** What one image costs an extension, in micro-dollars (prices are per 1,000 images). */
export const imagePriceMicroUsd = (name: ExtensionName, prices: ProviderPrices): number => Math.round((prices[name] * MICRO_USD_PER_USD) / 1000);

/** The budget month `at` falls in: `YYYY-MM`, UTC. */
export const budgetMonth = (at: Date): string => at.toISOString().slice(0, 7);

/** When the month `at` falls in ends and a new budget begins: the first instant of the next month, UTC. */
export const budgetResetsAt = (at: Date): Date => new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1));

/** The budgets as configured: `{ "<extension>": usd }`, each a non-negative number of dollars, in micro-dollars. */
export function parseMonthlyBudgets(raw: string | undefined): MonthlyBudgets {
  if (!raw?.trim()) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new Error(`AITAGS_MONTHLY_BUDGET_USD must be JSON such as {"aws-auto-tagging":50}: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error('AITAGS_MONTHLY_BUDGET_USD must be a JSON object such as {"aws-auto-tagging":50}');
  }
  const budgets: MonthlyBudgets = {};
  for (const [name, value] of Object.entries(parsed)) {
    if (!(EXTENSION_NAMES as readonly string[]).includes(name)) {
      throw new Error(`AITAGS_MONTHLY_BUDGET_USD names no extension "${name}" (known: ${EXTENSION_NAMES.join(', ')})`);
    }
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new Error(`AITAGS_MONTHLY_BUDGET_USD["${name}"] must be a non-negative number of US dollars`);
    }
    budgets[name as ExtensionName] = microUsd(value);
  }
  return budgets;
}

/** A budget's state in one month, as `GET /v1/status` shows it. */
export interface BudgetState {
  monthlyUsd: number;
  spentUsd: number;
  resetsAt: string;
}

export const budgetState = (capMicroUsd: number, spentMicroUsd: number, at: Date): BudgetState => ({
  monthlyUsd: usdOf(capMicroUsd),
  spentUsd: usdOf(spentMicroUsd),
  resetsAt: budgetResetsAt(at).toISOString(),
});

/** How many more images of `priceMicroUsd` a budget covers (all of them when nothing is charged). */
export const imagesCovered = (capMicroUsd: number, spentMicroUsd: number, priceMicroUsd: number): number =>
  priceMicroUsd <= 0 ? Number.POSITIVE_INFINITY : Math.max(0, Math.floor((capMicroUsd - spentMicroUsd) / priceMicroUsd));

/** The message of an extension stopped by its budget: names the budget and when it resets. */
export const budgetExceededMessage = (name: ExtensionName, capMicroUsd: number, at: Date): string =>
  `The monthly budget of $${usdOf(capMicroUsd)} for ${name} is spent: nothing more is tagged by it until ${budgetResetsAt(at).toISOString()} (AITAGS_MONTHLY_BUDGET_USD)`;

export const BUDGET_EXCEEDED = 'BUDGET_EXCEEDED';

/** Share of a budget spent at which the stack's alarm fires. */
export const BUDGET_ALARM_SHARE = 0.8;
