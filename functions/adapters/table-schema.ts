/**
 * The files table's keys, shared by the stack (infra/storage.ts), the local table (local/stand-ins.ts)
 * and the adapters. The key schema never changes (the table is retained); search reads one sparse GSI
 * whose keys each item type fills in its own way (docs/architecture.md, "List and search").
 */
export const TABLE_KEY = 'pk';

export const SEARCH_INDEX = {
  name: 'search',
  partitionKey: 'ipk',
  sortKey: 'isk',
  /** Besides the keys: what a reader needs to go from an entry to its file's record. */
  projected: ['fileId'],
} as const;
