import { DynamoTagPolicies } from '../adapters/tag-policies.js';
import { tableConfig } from '../runtime/config.js';
import { once } from '../runtime/once.js';

const { table } = tableConfig();

/** The library's tag policy; its versions are kept once read, for the container's life. */
export const tagPolicies = once(() => new DynamoTagPolicies(table));
