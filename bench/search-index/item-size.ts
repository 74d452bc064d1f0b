import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { SEARCH_INDEX, TABLE_KEY } from '../../functions/adapters/table-schema.js';

/**
 * Item sizes as DynamoDB bills them (developer guide, "Item sizes and formats"): names and values in
 * UTF-8 bytes, a number about one byte per two significant digits plus one, 3 bytes per list or map
 * plus one per element, 1 byte for a boolean or null.
 */

export type Item = Record<string, AttributeValue>;

/** What DynamoDB adds to every stored item, in the table and in an index (storage only, not write units). */
export const ITEM_STORAGE_OVERHEAD = 100;

const utf8 = (text: string) => Buffer.byteLength(text, 'utf8');

function numberSize(text: string): number {
  const digits = text.replace(/^-/, '').replace(/e.*$/i, '').replace('.', '').replace(/^0+/, '');
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
}

export function valueSize(value: AttributeValue): number {
  if (value.S !== undefined) return utf8(value.S);
  if (value.N !== undefined) return numberSize(value.N);
  if (value.B !== undefined) return value.B.length;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS !== undefined) return value.SS.reduce((sum, text) => sum + utf8(text), 0);
  if (value.NS !== undefined) return value.NS.reduce((sum, text) => sum + numberSize(text), 0);
  if (value.BS !== undefined) return value.BS.reduce((sum, bytes) => sum + bytes.length, 0);
  if (value.L !== undefined) return 3 + value.L.reduce((sum, inner) => sum + 1 + valueSize(inner), 0);
  if (value.M !== undefined) return 3 + Object.entries(value.M).reduce((sum, [name, inner]) => sum + 1 + utf8(name) + valueSize(inner), 0);
  return 0;
}

export function itemSize(item: Item | undefined): number {
  return item ? Object.entries(item).reduce((sum, [name, value]) => sum + utf8(name) + valueSize(value), 0) : 0;
}

const PROJECTED = [TABLE_KEY, SEARCH_INDEX.partitionKey, SEARCH_INDEX.sortKey, ...SEARCH_INDEX.projected];

/** The item's entry in the search index (keys and projected attributes), or undefined when the sparse index skips it. */
export function indexEntry(item: Item | undefined): Item | undefined {
  if (!item?.[SEARCH_INDEX.partitionKey] || !item[SEARCH_INDEX.sortKey]) return undefined;
  return Object.fromEntries(PROJECTED.filter((name) => item[name] !== undefined).map((name) => [name, item[name] as AttributeValue]));
}

/** Index entry size as stored: its attributes plus the per-item overhead. */
export const indexEntryStorage = (entry: Item) => itemSize(entry) + ITEM_STORAGE_OVERHEAD;

const keyOf = (entry: Item) => `${entry[SEARCH_INDEX.partitionKey]?.S}\u0000${entry[SEARCH_INDEX.sortKey]?.S}`;

/**
 * Index writes a table write causes: a new entry is one put, a removed one one delete, a changed key a
 * delete and a put, a changed projected attribute one put; an unchanged entry none.
 */
export function indexWrites(before: Item | undefined, after: Item | undefined): number {
  const was = indexEntry(before);
  const is = indexEntry(after);
  if (!was && !is) return 0;
  if (!was || !is) return 1;
  if (keyOf(was) !== keyOf(is)) return 2;
  return JSON.stringify(was) === JSON.stringify(is) ? 0 : 1;
}

/** Write units of one table write: the larger of the item before and after, per started KB (at least 1). */
export const writeUnits = (before: Item | undefined, after: Item | undefined) =>
  Math.max(1, Math.ceil(Math.max(itemSize(before), itemSize(after)) / 1024));
