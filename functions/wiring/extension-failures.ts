import { DynamoExtensionFailures } from '../adapters/extension-failures.js';
import { tableConfig } from '../runtime/config.js';
import { once } from '../runtime/once.js';

const { table } = tableConfig();

export const extensionFailures = once(() => new DynamoExtensionFailures(table));
