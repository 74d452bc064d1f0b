import type { BudgetLedger } from '../adapters/budgets.js';
import type { ExtensionFailures } from '../adapters/extension-failures.js';
import { type BudgetState, budgetMonth, budgetState, type MonthlyBudgets } from '../core/budget.js';
import { EXTENSION_NAMES, type ExtensionName } from '../core/extension-names.js';
import { type CredentialSource, type ExtensionStatus, extensionStatus } from '../core/extension-status.js';

export interface StatusDeps {
  version: string;
  /** Whether each extension has what it needs to call its provider, told without calling it. */
  credentials: Record<ExtensionName, () => Promise<CredentialSource>>;
  failures: ExtensionFailures;
  /** The monthly budgets in micro-dollars, and where their spend is kept. */
  budgets: { caps: MonthlyBudgets; ledger: Pick<BudgetLedger, 'spent'>; now?: () => Date };
}

export interface StatusReport {
  version: string;
  extensions: Record<ExtensionName, ExtensionStatus>;
}

/** `GET /v1/status`: which extensions can run, the last failure of each, and this month's budget and spend. */
export async function statusReport(deps: StatusDeps): Promise<StatusReport> {
  const [sources, failures, budgets] = await Promise.all([
    Promise.all(EXTENSION_NAMES.map((name) => deps.credentials[name]())),
    deps.failures.latest(),
    Promise.all(EXTENSION_NAMES.map((name) => budgetOf(name, deps.budgets))),
  ]);
  const extensions = Object.fromEntries(
    EXTENSION_NAMES.map((name, index) => [
      name,
      extensionStatus(name, sources[index] ?? { configured: false, where: 'local' }, failures[name], budgets[index]),
    ]),
  ) as Record<ExtensionName, ExtensionStatus>;
  return { version: deps.version, extensions };
}

async function budgetOf(name: ExtensionName, budgets: StatusDeps['budgets']): Promise<BudgetState | undefined> {
  const cap = budgets.caps[name];
  if (cap === undefined) return undefined;
  const at = (budgets.now ?? (() => new Date()))();
  return budgetState(cap, await budgets.ledger.spent(name, budgetMonth(at)), at);
}
