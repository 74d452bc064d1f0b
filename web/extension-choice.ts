import { EXTENSION_NAMES, type ExtensionName } from '../functions/core/extension-names.js';
import type { Extension } from './api.js';
import { type Availability, availableNames } from './extension-availability.js';

/** What the auto-tagging fields hold: which extensions, and one threshold and tag limit for all of them. */
export interface ExtensionChoice {
  names: readonly ExtensionName[];
  minConfidence: number;
  maxTags: number;
}

export const DEFAULT_EXTENSION_CHOICE: ExtensionChoice = { names: EXTENSION_NAMES, minConfidence: 80, maxTags: 10 };

/** Unavailable extensions (GET /v1/status) start unticked: they would only fail. */
export const defaultChoice = (availability: Availability): ExtensionChoice => ({ ...DEFAULT_EXTENSION_CHOICE, names: availableNames(availability) });

export const EXTENSION_LABELS: Record<ExtensionName, { provider: string; short: string }> = {
  'aws-auto-tagging': { provider: 'Amazon Rekognition', short: 'Rekognition' },
  'google-auto-tagging': { provider: 'Google Cloud Vision', short: 'Vision' },
};

/** Sent as typed: out-of-range numbers get the API's own 400, which says which field and why. */
export const toExtensions = (choice: ExtensionChoice): Extension[] =>
  choice.names.map((name) => ({ name, minConfidence: choice.minConfidence, maxTags: choice.maxTags }));
