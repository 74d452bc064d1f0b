import { EXTENSION_NAMES } from './extension-names.js';
import type { FileRecord } from './file-record.js';
import type { CompareOperator, MetadataTerm, NameTerm, SearchQuery, TagsTerm } from './search-query.js';
import { formatOfMime, isInFolder, instantOf, nameWords, parseIsoInstant, searchTagKey, type SearchDate, type TagScope } from './search-values.js';

/**
 * Whether a file's record satisfies a parsed searchQuery (semantics: docs/search-query.md). `now` anchors
 * relative dates (`createdAt > "7d"`); the planner must be given the same one.
 */
export function matchesSearchQuery(record: FileRecord, query: SearchQuery, now: Date): boolean {
  switch (query.kind) {
    case 'and':
      return query.terms.every((term) => matchesSearchQuery(record, term, now));
    case 'or':
      return query.terms.some((term) => matchesSearchQuery(record, term, now));
    case 'tags':
      return matchesTags(tagKeysInScope(record, query.scope), query);
    case 'name':
      return matchesName(record.name, query);
    case 'path':
      return isInFolder(record.filePath, query.folder, query.operator === ':');
    case 'date':
      return compare(Date.parse(record[query.field]), query.operator, instantOf(query.value, now));
    case 'number':
      return compare(record[query.field] ?? Number.NaN, query.operator, query.value);
    case 'format': {
      const format = formatOfMime(record.mime);
      if (query.operator === '=') return format === query.value;
      return query.values.includes(format) === (query.operator === 'IN');
    }
    case 'private':
      return record.isPrivateFile === query.value;
    case 'fileType':
      return record.fileType === query.value;
    case 'metadata':
      return matchesMetadata(record.customMetadata, query, now);
  }
}

/** The lowercased names a `tags` (user and AI), `AITags` (every source) or `"AITags.<source>"` term sees. */
export function tagKeysInScope(record: Pick<FileRecord, 'tags' | 'aiTags'>, scope: TagScope): Set<string> {
  const sources = scope === 'any' || scope === 'ai' ? EXTENSION_NAMES : [scope];
  const names = sources.flatMap((source) => (record.aiTags[source] ?? []).map((tag) => tag.name));
  if (scope === 'any') names.push(...(record.tags ?? []));
  return new Set(names.map(searchTagKey));
}

/** The NOT forms hold when no tag is named, so they match files without tags too. */
function matchesTags(keys: Set<string>, term: TagsTerm): boolean {
  const wanted = 'values' in term ? term.values : [term.value];
  const found = wanted.some((value) => keys.has(searchTagKey(value)));
  return term.operator === '=' || term.operator === 'IN' ? found : !found;
}

/** `=`, `:` and `IN` are case-sensitive, as ImageKit's name match is; `HAS` compares words case-insensitively. */
function matchesName(name: string, term: NameTerm): boolean {
  switch (term.operator) {
    case '=':
      return name === term.value;
    case 'NOT =':
      return name !== term.value;
    case ':':
      return name.startsWith(term.value);
    case 'HAS': {
      const words = new Set(nameWords(name));
      return nameWords(term.value).every((word) => words.has(word));
    }
    case 'IN':
      return term.values.includes(name);
  }
}

/** NaN on either side (no width on a non-image, an unreadable date) never compares. */
function compare(actual: number, operator: CompareOperator, wanted: number): boolean {
  switch (operator) {
    case '=':
      return actual === wanted;
    case '<':
      return actual < wanted;
    case '<=':
      return actual <= wanted;
    case '>':
      return actual > wanted;
    case '>=':
      return actual >= wanted;
  }
}

/**
 * Per the stored value's type: `=` / `IN` need the same type and value (strings case-sensitive);
 * comparisons take numbers, or strings that are ISO dates when the query gives a date. A stored array
 * (a multi-select field) matches when any of its items does; objects never match.
 */
function matchesMetadata(metadata: FileRecord['customMetadata'], term: MetadataTerm, now: Date): boolean {
  const stored = Object.hasOwn(metadata, term.key) ? metadata[term.key] : undefined;
  const present = stored !== undefined && stored !== null;
  switch (term.operator) {
    case 'EXISTS':
      return present;
    case 'NOT EXISTS':
      return !present;
    case '=':
      return storedItems(stored).some((item) => item === term.value);
    case 'IN':
      return storedItems(stored).some((item) => term.values.some((value) => value === item));
    default: {
      const { operator, value } = term;
      const wanted = typeof value === 'number' ? value : instantOf(value, now);
      return storedItems(stored).some((item) => compare(orderableValue(item, value), operator, wanted));
    }
  }
}

function storedItems(stored: unknown): unknown[] {
  return Array.isArray(stored) ? stored : [stored];
}

/** A number against a number, an ISO-date string against a date; anything else is NaN and never compares. */
function orderableValue(item: unknown, wanted: number | SearchDate): number {
  if (typeof wanted === 'number') return typeof item === 'number' ? item : Number.NaN;
  const iso = typeof item === 'string' ? parseIsoInstant(item) : undefined;
  return iso === undefined ? Number.NaN : Date.parse(iso);
}
