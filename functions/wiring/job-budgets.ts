import { providerPrices } from '../core/tagging-job.js';
import { budgetConfig, priceConfig } from '../runtime/config.js';
import { once } from '../runtime/once.js';
import type { JobBudgetDeps } from '../services/job-budgets.js';
import { budgetLedger } from './budgets.js';

const { budgets } = budgetConfig();
const prices = providerPrices(priceConfig().prices);

/** What tagging jobs read of the monthly budgets (AITAGS_MONTHLY_BUDGET_USD, at AITAGS_PROVIDER_PRICES): the API, the planner, each file's start. */
export const jobBudgets = once((): JobBudgetDeps => ({ ledger: budgetLedger(), budgets, prices }));
