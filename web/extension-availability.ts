import { EXTENSION_NAMES, type ExtensionName } from '../functions/core/extension-names.js';

/** An extension's most recent failed run, as `GET /v1/status` reports it. */
export interface LastFailure {
  reason: string;
  message: string;
  at: string;
}

/** One extension in `GET /v1/status`: whether it can run here, why not and what to do, and its last failure. */
export interface ExtensionAvailability {
  available: boolean;
  reason?: string;
  help?: string;
  lastFailure?: LastFailure;
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

/** The `extensions` of a `GET /v1/status` answer, keeping only well-formed entries of extensions the page knows. */
export function availabilityOf(body: unknown): Availability {
  const extensions = isRecord(body) && isRecord(body.extensions) ? body.extensions : {};
  const availability: Availability = {};
  for (const name of EXTENSION_NAMES) {
    const entry = extensions[name];
    if (!isRecord(entry) || typeof entry.available !== 'boolean') continue;
    const [reason, help, lastFailure] = [text(entry.reason), text(entry.help), lastFailureOf(entry.lastFailure)];
    availability[name] = { available: entry.available, ...(reason && { reason }), ...(help && { help }), ...(lastFailure && { lastFailure }) };
  }
  return availability;
}

export const isUnavailable = (availability: Availability, name: ExtensionName) => availability[name]?.available === false;

/** The extensions ticked by default: every one not known to be unavailable. */
export const availableNames = (availability: Availability): ExtensionName[] => EXTENSION_NAMES.filter((name) => !isUnavailable(availability, name));
