import { DynamoFileIndex } from '../adapters/file-index.js';
import { searchConfig, tableConfig } from '../runtime/config.js';
import { once } from '../runtime/once.js';
import { FileSearch } from '../services/file-search.js';
import { fileTable } from './file-table.js';

const { table } = tableConfig();
const { scanLimit } = searchConfig();

export const fileSearch = once(() => new FileSearch(new DynamoFileIndex(table, fileTable()), scanLimit));
