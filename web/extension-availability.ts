import { EXTENSION_NAMES, type ExtensionName } from '../functions/core/extension-names.js';

/** An extension's most recent failed run, as `GET /v1/status` reports it. */
export interface LastFailure {
  reason: string;
  message: string;
  at: string;
}

/** An extension's monthly budget and this month's spend, as `GET /v1/status` reports it. */
export interface Budget {
  monthlyUsd: number;
  spentUsd: number;
  resetsAt: string;
}

/** One extension in `GET /v1/status`: whether it can run here, why not and what to do, its last failure and its budget. */
export interface ExtensionAvailability {
  available: boolean;
  reason?: string;
  help?: string;
  lastFailure?: LastFailure;
  budget?: Budget;
}

/** What the page knows of each extension; an extension it knows nothing of counts as available. */
export type Availability = Partial<Record<ExtensionName, ExtensionAvailability>>;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

function lastFailureOf(value: unknown): LastFailure | undefined {
  if (!isRecord(value)) return undefined;
  const [reason, message, at] = [text(value.reason), text(value.message), text(value.at)];
  return reason && at ? { reason, message: message ?? '', at } : undefined;
}

function budgetOf(value: unknown): Budget | undefined {
  if (!isRecord(value)) return undefined;
  const { monthlyUsd, spentUsd } = value;
  const resetsAt = text(value.resetsAt);
  return typeof monthlyUsd === 'number' && typeof spentUsd === 'number' && resetsAt ? { monthlyUsd, spentUsd, resetsAt } : undefined;
}

/** The `extensions` of a `GET /v1/status` answer, keeping only well-formed entries of extensions the page knows. */
export function availabilityOf(body: unknown): Availability {
  const extensions = isRecord(body) && isRecord(body.extensions) ? body.extensions : {};
  const availability: Availability = {};
  for (const name of EXTENSION_NAMES) {
    const entry = extensions[name];
    if (!isRecord(entry) || typeof entry.available !== 'boolean') continue;
    const [reason, help, lastFailure, budget] = [text(entry.reason), text(entry.help), lastFailureOf(entry.lastFailure), budgetOf(entry.budget)];
    availability[name] = {
      available: entry.available,
      ...(reason && { reason }),
      ...(help && { help }),
      ...(lastFailure && { lastFailure }),
      ...(budget && { budget }),
    };
  }
  return availability;
}

export const isUnavailable = (availability: Availability, name: ExtensionName) => availability[name]?.available === false;

/** The extensions ticked by default: every one not known to be unavailable. */
export const availableNames = (availability: Availability): ExtensionName[] => EXTENSION_NAMES.filter((name) => !isUnavailable(availability, name));

const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 6 });

/** A budget in words: `$1.25 of $50.00 spent this month, resets 1/1/2027`. */
export const budgetSentence = (budget: Budget): string =>
  `${usd.format(budget.spentUsd)} of ${usd.format(budget.monthlyUsd)} spent this month, resets ${new Date(budget.resetsAt).toLocaleDateString()}`;
