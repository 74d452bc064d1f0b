import { DynamoJobTable } from '../adapters/job-table.js';
import { tableConfig } from '../runtime/config.js';
import { once } from '../runtime/once.js';

const { table } = tableConfig();

export const jobTable = once(() => new DynamoJobTable(table));
