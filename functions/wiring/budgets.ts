import { BudgetLedger } from '../adapters/budgets.js';
import { providerPrices } from '../core/tagging-job.js';
import { budgetConfig, priceConfig, tableConfig } from '../runtime/config.js';
import { once } from '../runtime/once.js';
import type { BudgetDeps } from '../services/tag-extension.js';

const { table } = tableConfig();

/** The monthly budgets' ledger (spend per extension and month, holds per run). */
export const budgetLedger = once(() => new BudgetLedger(table));

/** What a tagger needs to hold its extension's budget before each provider call. */
export const taggerBudget = once(
  (): BudgetDeps => ({ ledger: budgetLedger(), budgets: budgetConfig().budgets, prices: providerPrices(priceConfig().prices) }),
);
