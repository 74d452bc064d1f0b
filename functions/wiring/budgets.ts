import { BudgetLedger } from '../adapters/budgets.js';
import { tableConfig } from '../runtime/config.js';
import { once } from '../runtime/once.js';

const { table } = tableConfig();

/** The monthly budgets' ledger (spend per extension and month, holds per run). */
export const budgetLedger = once(() => new BudgetLedger(table));
