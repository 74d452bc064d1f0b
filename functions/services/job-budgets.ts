import type { BudgetLedger } from '../adapters/budgets.js';
import { budgetMonth, type MonthlyBudgets } from '../core/budget.js';
import type { RunExtension } from '../core/extensions.js';
import { type BudgetRoom, budgetedExtensions, budgetRoom } from '../core/job-budget.js';
import type { ProviderPrices } from '../core/tagging-job.js';

/** What a tagging job's steps read of the monthly budgets: the caps, the prices, and the month's spend so far. */
export interface JobBudgetDeps {
  ledger: Pick<BudgetLedger, 'spent'>;
  budgets: MonthlyBudgets;
  prices: ProviderPrices;
}

/** Each budgeted extension a job calls, with its month's spend as of `at` (none when no budget caps them: nothing read). */
export function budgetRooms(
  job: { extensions: readonly RunExtension[]; reapplyPolicy?: boolean },
  deps: JobBudgetDeps,
  at: Date,
): Promise<BudgetRoom[]> {
  const month = budgetMonth(at);
  return Promise.all(
    budgetedExtensions(job.extensions, deps.budgets, job.reapplyPolicy ?? false).map(async (name) =>
      budgetRoom(name, deps.budgets, deps.prices, await deps.ledger.spent(name, month)),
    ),
  );
}
