import { Pacer } from '../adapters/pacer.js';
import { tableConfig } from '../runtime/config.js';
import { once } from '../runtime/once.js';

const { table } = tableConfig();

/** The providers' background pacers. */
export const pacer = once(() => new Pacer(table));
