import { SavedExtensionTable } from '../adapters/saved-extensions.js';
import { parseExtensions } from '../core/extensions.js';
import { defaultExtensionsConfig, tableConfig } from '../runtime/config.js';
import { once } from '../runtime/once.js';
import { SavedExtensions } from '../services/saved-extensions.js';
import { tagPolicies } from './tag-policies.js';

const { table } = tableConfig();

/** AITAGS_DEFAULT_EXTENSIONS as checked: a Lambda that is handed a bad value fails at start, not per object. */
export const defaultExtensions = once(() => {
  try {
    return parseExtensions(defaultExtensionsConfig().defaultExtensions);
  } catch (error) {
    throw new Error(`AITAGS_DEFAULT_EXTENSIONS is not a valid extensions array: ${(error as Error).message}`);
  }
});

/** The saved extensions, and the resolution of references to them in a request's `extensions`. */
export const savedExtensions = once(() => new SavedExtensions(new SavedExtensionTable(table), tagPolicies(), defaultExtensions()));
