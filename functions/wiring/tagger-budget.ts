import { providerPrices } from '../core/tagging-job.js';
import { budgetConfig, priceConfig } from '../runtime/config.js';
import { once } from '../runtime/once.js';
import type { BudgetDeps } from '../services/tag-extension.js';
import { budgetLedger } from './budgets.js';

/** What a tagger needs to hold its extension's budget before each provider call (the prices: a job module's, kept out of the status route's bundle). */
export const taggerBudget = once(
  (): BudgetDeps => ({ ledger: budgetLedger(), budgets: budgetConfig().budgets, prices: providerPrices(priceConfig().prices) }),
);
