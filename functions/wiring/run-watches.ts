import { RunWatchTable } from '../adapters/run-watches.js';
import { tableConfig } from '../runtime/config.js';
import { once } from '../runtime/once.js';

const { table } = tableConfig();

/** Watches of tagging runs, until they settle. */
export const runWatches = once(() => new RunWatchTable(table));
