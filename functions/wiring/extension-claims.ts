import { ExtensionClaims } from '../adapters/extension-claims.js';
import { tableConfig } from '../runtime/config.js';
import { once } from '../runtime/once.js';

const { table } = tableConfig();

/** Per (run, extension) claims: which execution of a run tags each extension. */
export const extensionClaims = once(() => new ExtensionClaims(table));
