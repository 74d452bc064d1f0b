import type { FileRecord } from './file-record.js';
import { tagKeysInScope } from './search-match.js';
import type { DateTerm, SearchQuery } from './search-query.js';
import { instantOf, isInFolder, searchTagKey, type TagScope } from './search-values.js';

/**
 * Which index entries a search reads (docs/search-query.md, "Planning"). A plan's lookups together
 * hold every file the query can match — a superset: each candidate is still checked with
 * matchesSearchQuery. An index plan with no lookups means no file can match.
 */
export type SearchPlan = { kind: 'index'; lookups: IndexLookup[] } | { kind: 'scan' };

/**
 * `tag`: files with that tag (lowercased, `searchTagKey`) among their user and AI tags (`any`), their AI
 * tags (`ai`) or one source's. `path`: files directly in `folder`, or also below it. `created`: files
 * created within the ISO bounds, both inclusive, either open.
 */
export type IndexLookup =
  | { kind: 'tag'; tag: string; scope: TagScope }
  | { kind: 'path'; folder: string; recursive: boolean }
  | { kind: 'created'; from?: string; to?: string };

/** What a search read, in items: what its budget and the benchmark count (DynamoDB bills per item read). */
export interface ReadCount {
  /** Index items a query returned (before any filter). */
  indexItems: number;
  /** Records read to check candidates (every key asked for, found or not). */
  records: number;
}

export const newReadCount = (): ReadCount => ({ indexItems: 0, records: 0 });

/** `now` anchors relative dates and must be the one the matcher is given. */
export function planSearchQuery(query: SearchQuery, now: Date): SearchPlan {
  const lookups = indexLookups(query, now);
  return lookups ? { kind: 'index', lookups } : { kind: 'scan' };
}

/** Whether a file is among the entries `lookup` reads. */
export function coversRecord(lookup: IndexLookup, record: Pick<FileRecord, 'tags' | 'aiTags' | 'filePath' | 'createdAt'>): boolean {
  switch (lookup.kind) {
    case 'tag':
      return tagKeysInScope(record, lookup.scope).has(lookup.tag);
    case 'path':
      return isInFolder(record.filePath, lookup.folder, lookup.recursive);
    case 'created': {
      const created = Date.parse(record.createdAt);
      return (lookup.from === undefined || created >= Date.parse(lookup.from)) && (lookup.to === undefined || created <= Date.parse(lookup.to));
    }
  }
}

/** The lookups that cover every match of `query`, or undefined when only a scan does. */
function indexLookups(query: SearchQuery, now: Date): IndexLookup[] | undefined {
  switch (query.kind) {
    case 'tags':
      if (query.operator === '=') return [{ kind: 'tag', tag: searchTagKey(query.value), scope: query.scope }];
      if (query.operator === 'IN') return distinct(query.values.map((value) => ({ kind: 'tag', tag: searchTagKey(value), scope: query.scope })));
      return undefined;
    case 'path':
      // Everything is in "/" and below: no narrower than a walk of all files.
      if (query.operator === ':' && query.folder === '/') return undefined;
      return [{ kind: 'path', folder: query.folder, recursive: query.operator === ':' }];
    case 'date':
      return query.field === 'createdAt' ? createdLookups([query], now) : undefined;
    case 'or': {
      const branches = query.terms.map((term) => indexLookups(term, now));
      return branches.every((branch) => branch !== undefined) ? distinct(branches.flat()) : undefined;
    }
    case 'and':
      return cheapest(andCandidates(query.terms, now));
    default:
      return undefined;
  }
}

/**
 * Any one indexable child of an AND covers it. The createdAt ranges among its children are intersected
 * first, so `createdAt > "7d" AND createdAt < "1d"` reads one bounded range.
 */
function andCandidates(terms: SearchQuery[], now: Date): IndexLookup[][] {
  const ranges: DateTerm[] = [];
  const candidates: Array<IndexLookup[] | undefined> = [];
  for (const term of terms) {
    if (term.kind === 'date' && term.field === 'createdAt') ranges.push(term);
    else candidates.push(indexLookups(term, now));
  }
  if (ranges.length) candidates.push(createdLookups(ranges, now));
  return candidates.filter((candidate) => candidate !== undefined);
}

/** The largest distance from the epoch a JavaScript Date can hold. */
const MAX_DATE_MS = 8.64e15;

/** One `created` lookup for the intersection of the ranges; none when it is empty. */
function createdLookups(terms: DateTerm[], now: Date): IndexLookup[] | undefined {
  let from = Number.NEGATIVE_INFINITY;
  let to = Number.POSITIVE_INFINITY;
  for (const term of terms) {
    const at = instantOf(term.value, now);
    if (!(Math.abs(at) <= MAX_DATE_MS)) return undefined;
    if (term.operator !== '<' && term.operator !== '<=') from = Math.max(from, at);
    if (term.operator !== '>' && term.operator !== '>=') to = Math.min(to, at);
  }
  if (from > to) return [];
  return [
    {
      kind: 'created',
      ...(Number.isFinite(from) ? { from: new Date(from).toISOString() } : {}),
      ...(Number.isFinite(to) ? { to: new Date(to).toISOString() } : {}),
    },
  ];
}

/**
 * Tag lookups first, then paths, then createdAt ranges: a tag names a small set by meaning, a folder is
 * bounded by how a library is organised, and a range like `createdAt > "30d"` can span most of it. A
 * candidate is as costly as its costliest lookup; among equals, fewer lookups win.
 */
const LOOKUP_COST: Record<IndexLookup['kind'], number> = { tag: 0, path: 1, created: 2 };

function cheapest(candidates: IndexLookup[][]): IndexLookup[] | undefined {
  const cost = (lookups: IndexLookup[]) => Math.max(-1, ...lookups.map((lookup) => LOOKUP_COST[lookup.kind]));
  let best: IndexLookup[] | undefined;
  for (const candidate of candidates) {
    if (!best || cost(candidate) < cost(best) || (cost(candidate) === cost(best) && candidate.length < best.length)) best = candidate;
  }
  return best;
}

function distinct(lookups: IndexLookup[]): IndexLookup[] {
  const seen = new Set<string>();
  return lookups.filter((lookup) => {
    const key = JSON.stringify(lookupKey(lookup));
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function lookupKey(lookup: IndexLookup): unknown[] {
  switch (lookup.kind) {
    case 'tag':
      return [lookup.kind, lookup.scope, lookup.tag];
    case 'path':
      return [lookup.kind, lookup.folder, lookup.recursive];
    case 'created':
      return [lookup.kind, lookup.from ?? null, lookup.to ?? null];
  }
}
