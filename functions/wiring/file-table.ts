import { DynamoFileTable } from '../adapters/file-table.js';
import { tableConfig } from '../runtime/config.js';
import { once } from '../runtime/once.js';

const { table } = tableConfig();

export const fileTable = once(() => new DynamoFileTable(table));
