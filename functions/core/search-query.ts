import { ApiError } from './errors.js';
import { EXTENSION_NAMES, type ExtensionName } from './extension-names.js';
import { normalizeFolder } from './file-fields.js';
import type { FileType } from './file-record.js';
import { nameWords, normalizeFormat, parseSearchDate, parseSize, type SearchDate, searchDateText, type TagScope } from './search-values.js';
import { describeToken, expected, isKeyword, isScalar, NUMBER_TEXT, queryError, type ScalarToken, type Token, Tokens } from './search-tokens.js';
import { oversizedTagBytes, oversizedTagText, TAG_BYTES_HELP } from './table-keys.js';

/**
 * ImageKit's `searchQuery` language (docs/api.md, "List and search"; grammar in docs/search-query.md):
 * text → a checked, normalised tree, and the tree back → canonical text.
 */

export type { SearchDate, TagScope } from './search-values.js';

export type OrderOperator = '<' | '<=' | '>' | '>=';
export type CompareOperator = '=' | OrderOperator;
export type MetadataScalar = string | number | boolean;

export type SearchQuery = SearchAnd | SearchOr | SearchTerm;
/** Every term must hold; parsing flattens nested ANDs, so a child is never itself an AND. */
export interface SearchAnd {
  kind: 'and';
  terms: SearchQuery[];
}
/** Some term must hold; parsing flattens nested ORs, so a child is never itself an OR. */
export interface SearchOr {
  kind: 'or';
  terms: SearchQuery[];
}
export type SearchTerm = TagsTerm | NameTerm | PathTerm | DateTerm | NumberTerm | FormatTerm | PrivateTerm | FileTypeTerm | MetadataTerm;

/** `tags` (user and AI tags), `AITags` (AI tags only) or `"AITags.<source>"` (one source's). */
export type TagsTerm =
  | { kind: 'tags'; scope: TagScope; operator: '=' | 'NOT ='; value: string }
  | { kind: 'tags'; scope: TagScope; operator: 'IN' | 'NOT IN'; values: string[] };
export type NameTerm = { kind: 'name'; operator: '=' | 'NOT =' | ':' | 'HAS'; value: string } | { kind: 'name'; operator: 'IN'; values: string[] };
/** `=` files directly in `folder`, `:` in it and below; `folder` is normalised (`/a/b/`). */
export interface PathTerm {
  kind: 'path';
  operator: '=' | ':';
  folder: string;
}
export interface DateTerm {
  kind: 'date';
  field: 'createdAt' | 'updatedAt';
  operator: CompareOperator;
  value: SearchDate;
}
/** `size` in bytes, `width` / `height` in pixels. */
export interface NumberTerm {
  kind: 'number';
  field: 'size' | 'width' | 'height';
  operator: CompareOperator;
  value: number;
}
/** Format names as `formatOfMime` gives them: `jpg`, `png`, … */
export type FormatTerm = { kind: 'format'; operator: '='; value: string } | { kind: 'format'; operator: 'IN' | 'NOT IN'; values: string[] };
export interface PrivateTerm {
  kind: 'private';
  value: boolean;
}
/** Not in ImageKit's language: the API's `fileType` parameter, ANDed onto a query. */
export interface FileTypeTerm {
  kind: 'fileType';
  value: FileType;
}
/** `"customMetadata.<key>"`; comparisons take a number, or a date compared with ISO-date strings. */
export type MetadataTerm =
  | { kind: 'metadata'; key: string; operator: 'EXISTS' | 'NOT EXISTS' }
  | { kind: 'metadata'; key: string; operator: '='; value: MetadataScalar }
  | { kind: 'metadata'; key: string; operator: 'IN'; values: MetadataScalar[] }
  | { kind: 'metadata'; key: string; operator: OrderOperator; value: number | SearchDate };

export const MAX_QUERY_CHARS = 2000;
export const MAX_QUERY_DEPTH = 20;

export const SEARCH_QUERY_HELP =
  'Write field operator value terms joined by AND / OR, e.g. tags IN ["summer", "beach"] AND (createdAt > "7d" OR size < "1mb"); see docs/search-query.md.';

/** A query text → its tree, or a 400 naming the column and what was expected there. */
export function parseSearchQuery(text: string): SearchQuery {
  if (text.length > MAX_QUERY_CHARS) {
    throw queryError(MAX_QUERY_CHARS + 1, `expected end of query, found more than ${MAX_QUERY_CHARS} characters`, SEARCH_QUERY_HELP);
  }
  const parser = new Parser(text);
  const query = parser.parseOr(0);
  const next = parser.tokens.peek();
  if (next.type !== 'end') throw expected(next, 'AND, OR or end of query', SEARCH_QUERY_HELP);
  return query;
}

/** The tree → text that parses back to an equal tree: one space around operators, strings in double quotes. */
export function formatSearchQuery(query: SearchQuery): string {
  switch (query.kind) {
    case 'and':
    case 'or':
      // An AND inside an OR needs no parentheses, but reads more easily with them.
      return query.terms
        .map((term) => (term.kind === 'and' || term.kind === 'or' ? `(${formatSearchQuery(term)})` : formatSearchQuery(term)))
        .join(` ${query.kind.toUpperCase()} `);
    case 'tags':
      return `${tagsFieldText(query.scope)} ${query.operator} ${'values' in query ? listText(query.values.map(quote)) : quote(query.value)}`;
    case 'name':
      return `name ${query.operator} ${'values' in query ? listText(query.values.map(quote)) : quote(query.value)}`;
    case 'path':
      return `path ${query.operator} ${quote(query.folder)}`;
    case 'date':
      return `${query.field} ${query.operator} ${quote(searchDateText(query.value))}`;
    case 'number':
      return `${query.field} ${query.operator} ${String(query.value)}`;
    case 'format':
      return `format ${query.operator} ${'values' in query ? listText(query.values.map(quote)) : quote(query.value)}`;
    case 'private':
      return `private = ${query.value}`;
    case 'fileType':
      return `fileType = ${quote(query.value)}`;
    case 'metadata':
      return formatMetadataTerm(query);
  }
}

/** ANDs conditions onto a query (the API's `path` and `fileType` parameters); undefined when there are none. */
export function andSearchQuery(...parts: Array<SearchQuery | undefined>): SearchQuery | undefined {
  const terms = parts.flatMap((part) => (part === undefined ? [] : part.kind === 'and' ? part.terms : [part]));
  if (terms.length <= 1) return terms[0];
  return { kind: 'and', terms };
}

/** Files in `folder` (the API's `path` parameter, normalised as upload normalises it), or in it and below. */
export function pathTerm(folder: string, scope: 'folder' | 'folder-and-below'): PathTerm {
  return { kind: 'path', operator: scope === 'folder' ? '=' : ':', folder: normalizeFolder(folder, 'path') };
}

export function fileTypeTerm(fileType: FileType): FileTypeTerm {
  return { kind: 'fileType', value: fileType };
}

// ---- printing -------------------------------------------------------------------------------------------

function quote(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function listText(items: string[]): string {
  return `[${items.join(', ')}]`;
}

function formatMetadataTerm(term: MetadataTerm): string {
  const field = quote(`customMetadata.${term.key}`);
  switch (term.operator) {
    case 'EXISTS':
    case 'NOT EXISTS':
      return `${field} ${term.operator}`;
    case 'IN':
      return `${field} IN ${listText(term.values.map(scalarText))}`;
    case '=':
      return `${field} = ${scalarText(term.value)}`;
    default:
      return `${field} ${term.operator} ${typeof term.value === 'number' ? String(term.value) : quote(searchDateText(term.value))}`;
  }
}

function scalarText(value: MetadataScalar): string {
  return typeof value === 'string' ? quote(value) : String(value);
}

function tagsFieldText(scope: TagScope): string {
  return scope === 'any' ? 'tags' : scope === 'ai' ? 'AITags' : quote(`AITags.${scope}`);
}

// ---- fields ---------------------------------------------------------------------------------------------

type Field =
  | { kind: 'tags'; scope: TagScope }
  | { kind: 'name' }
  | { kind: 'path' }
  | { kind: 'date'; name: 'createdAt' | 'updatedAt' }
  | { kind: 'number'; name: 'size' | 'width' | 'height' }
  | { kind: 'format' }
  | { kind: 'private' }
  | { kind: 'fileType' }
  | { kind: 'metadata'; key: string };

type Operator = CompareOperator | 'NOT =' | 'IN' | 'NOT IN' | ':' | 'HAS' | 'EXISTS' | 'NOT EXISTS';

/** Field names are case-insensitive, as keywords are. */
const BUILT_IN_FIELDS = new Map<string, Field>([
  ['tags', { kind: 'tags', scope: 'any' }],
  ['aitags', { kind: 'tags', scope: 'ai' }],
  ['name', { kind: 'name' }],
  ['path', { kind: 'path' }],
  ['createdat', { kind: 'date', name: 'createdAt' }],
  ['updatedat', { kind: 'date', name: 'updatedAt' }],
  ['size', { kind: 'number', name: 'size' }],
  ['width', { kind: 'number', name: 'width' }],
  ['height', { kind: 'number', name: 'height' }],
  ['format', { kind: 'format' }],
  ['private', { kind: 'private' }],
  ['filetype', { kind: 'fileType' }],
]);
const FIELD_LIST = 'tags, AITags, name, path, createdAt, updatedAt, size, width, height, format, private or "customMetadata.<key>"';
const AI_TAGS_PREFIX = 'aitags.';
const METADATA_PREFIX = 'custommetadata.';

const OPERATORS: Record<Field['kind'], readonly Operator[]> = {
  tags: ['=', 'NOT =', 'IN', 'NOT IN'],
  name: ['=', 'NOT =', ':', 'HAS', 'IN'],
  path: ['=', ':'],
  date: ['=', '<', '<=', '>', '>='],
  number: ['=', '<', '<=', '>', '>='],
  format: ['=', 'IN', 'NOT IN'],
  private: ['='],
  fileType: ['='],
  metadata: ['=', 'IN', '<', '<=', '>', '>=', 'EXISTS', 'NOT EXISTS'],
};

function fieldText(field: Field): string {
  switch (field.kind) {
    case 'tags':
      return tagsFieldText(field.scope);
    case 'date':
    case 'number':
      return field.name;
    case 'metadata':
      return quote(`customMetadata.${field.key}`);
    default:
      return field.kind;
  }
}

function fieldHelp(field: Field): string {
  switch (field.kind) {
    case 'tags':
      return field.scope === 'any'
        ? 'tags takes IN, NOT IN, = and NOT =, e.g. tags IN ["summer", "beach"] or tags NOT = "draft".'
        : `${fieldText(field)} takes IN, NOT IN, = and NOT =, e.g. AITags = "Dog" or "AITags.google-auto-tagging" IN ["Cat", "Dog"].`;
    case 'name':
      return 'name takes = and NOT = (exact), : (begins with), HAS (a word) and IN, e.g. name : "red-dress" or name HAS "summer".';
    case 'path':
      return 'path takes = (that folder) and : (that folder and below), e.g. path : "/shoots/".';
    case 'date':
      return `${field.name} takes =, <, <=, > and >= with an ISO 8601 date or a relative time (h, d, w, m = 30 days, y = 365 days), e.g. ${field.name} > "7d" or ${field.name} < "2024-05-01".`;
    case 'number':
      return field.name === 'size'
        ? 'size takes =, <, <=, > and >= with bytes or a size such as "500kb" or "1mb" (1 kb = 1024 bytes), e.g. size < "1mb".'
        : `${field.name} takes =, <, <=, > and >= with a whole number of pixels, e.g. ${field.name} >= 1920.`;
    case 'format':
      return 'format takes =, IN and NOT IN, e.g. format IN ["jpg", "png"].';
    case 'private':
      return 'private takes = with true or false, e.g. private = true.';
    case 'fileType':
      return 'fileType takes = with "image" or "non-image", e.g. fileType = "image".';
    case 'metadata':
      return `${fieldText(field)} takes =, IN, <, <=, >, >=, EXISTS and NOT EXISTS, e.g. "customMetadata.brand" = "acme" or "customMetadata.rating" >= 4.`;
  }
}

// ---- parsing --------------------------------------------------------------------------------------------

class Parser {
  readonly tokens: Tokens;

  constructor(text: string) {
    this.tokens = new Tokens(text);
  }

  /** or = and { "OR" and } */
  parseOr(depth: number): SearchQuery {
    const terms = [this.parseAnd(depth)];
    while (isKeyword(this.tokens.peek(), 'OR')) {
      this.tokens.next();
      terms.push(this.parseAnd(depth));
    }
    return group('or', terms);
  }

  /** and = primary { "AND" primary } */
  private parseAnd(depth: number): SearchQuery {
    const terms = [this.parsePrimary(depth)];
    while (isKeyword(this.tokens.peek(), 'AND')) {
      this.tokens.next();
      terms.push(this.parsePrimary(depth));
    }
    return group('and', terms);
  }

  /** primary = "(" or ")" | term */
  private parsePrimary(depth: number): SearchQuery {
    const token = this.tokens.peek();
    if (!(token.type === 'symbol' && token.text === '(')) return this.parseTerm();
    if (depth >= MAX_QUERY_DEPTH) {
      throw queryError(token.column, `expected a term, found "(" nested deeper than ${MAX_QUERY_DEPTH} levels`, SEARCH_QUERY_HELP);
    }
    this.tokens.next();
    const inner = this.parseOr(depth + 1);
    const close = this.tokens.next();
    if (!(close.type === 'symbol' && close.text === ')')) throw expected(close, 'AND, OR or ")"', SEARCH_QUERY_HELP);
    return inner;
  }

  /** term = field operator [ value | list ] */
  private parseTerm(): SearchTerm {
    const fieldToken = this.tokens.next();
    const field = resolveField(fieldToken);
    const operator = this.parseOperator(field);
    switch (operator) {
      case 'EXISTS':
      case 'NOT EXISTS':
        return field.kind === 'metadata' ? { kind: 'metadata', key: field.key, operator } : unreachable(field);
      case 'IN':
      case 'NOT IN':
        return listTerm(field, operator, this.parseList(operator));
      default:
        return scalarTerm(field, operator, this.parseScalar(operator));
    }
  }

  private parseOperator(field: Field): Operator {
    const token = this.tokens.next();
    let operator: Operator | undefined;
    if (token.type === 'symbol' && ['=', '<', '<=', '>', '>=', ':'].includes(token.text)) operator = token.text as Operator;
    if (token.type === 'keyword' && (token.keyword === 'IN' || token.keyword === 'HAS' || token.keyword === 'EXISTS')) operator = token.keyword;
    if (isKeyword(token, 'NOT')) {
      const negated = this.tokens.next();
      if (negated.type === 'symbol' && negated.text === '=') operator = 'NOT =';
      else if (isKeyword(negated, 'IN')) operator = 'NOT IN';
      else if (isKeyword(negated, 'EXISTS')) operator = 'NOT EXISTS';
      else throw expected(negated, '=, IN or EXISTS after NOT', fieldHelp(field));
    }
    const allowed = OPERATORS[field.kind];
    if (operator === undefined || !allowed.includes(operator)) {
      const found = operator?.startsWith('NOT ') ? operator : describeToken(token);
      const help = token.text === '!=' ? `Write NOT = for "is not", e.g. tags NOT = "draft". ${fieldHelp(field)}` : fieldHelp(field);
      throw queryError(token.column, `expected an operator for ${fieldText(field)} (${orList(allowed)}), found ${found}`, help);
    }
    return operator;
  }

  private parseScalar(operator: Operator): ScalarToken {
    const token = this.tokens.next();
    if (isScalar(token)) return token;
    if (token.type === 'symbol' && token.text === '[') {
      throw expected(token, `a single value after "${operator}"`, 'A list of values goes with IN, e.g. tags IN ["summer", "beach"].');
    }
    throw expected(token, `a value after "${operator}"`, 'Write a value after the operator, e.g. tags = "summer"; strings go in double quotes.');
  }

  /** list = "[" value { "," value } "]" */
  private parseList(operator: Operator): ScalarToken[] {
    const listHelp = `${operator} takes a list of values, e.g. tags ${operator} ["summer", "beach"].`;
    const open = this.tokens.next();
    if (!(open.type === 'symbol' && open.text === '[')) throw expected(open, `a list such as ["a", "b"] after ${operator}`, listHelp);
    const items: ScalarToken[] = [];
    for (;;) {
      const item = this.tokens.next();
      if (!isScalar(item)) throw expected(item, 'a value in the list', listHelp);
      items.push(item);
      const separator = this.tokens.next();
      if (separator.type === 'symbol' && separator.text === ']') return items;
      if (!(separator.type === 'symbol' && separator.text === ',')) throw expected(separator, '"," or "]" in the list', listHelp);
    }
  }
}

function group(kind: 'and' | 'or', children: SearchQuery[]): SearchQuery {
  const terms = children.flatMap((child) => (child.kind === kind ? child.terms : [child]));
  return terms.length === 1 && terms[0] ? terms[0] : { kind, terms };
}

function resolveField(token: Token): Field {
  if (token.type !== 'word' && token.type !== 'string') throw expected(token, `a field name (${FIELD_LIST}) or "("`, SEARCH_QUERY_HELP);
  const name = token.type === 'string' ? token.value : token.text;
  const lower = name.toLowerCase();
  const builtIn = BUILT_IN_FIELDS.get(lower);
  if (builtIn) return builtIn;
  if (lower.startsWith(AI_TAGS_PREFIX)) {
    const source = lower.slice(AI_TAGS_PREFIX.length);
    if ((EXTENSION_NAMES as readonly string[]).includes(source)) return { kind: 'tags', scope: source as ExtensionName };
    throw expected(token, `AITags.<source> with a source of ${EXTENSION_NAMES.join(' or ')}`, fieldHelp({ kind: 'tags', scope: 'ai' }));
  }
  if (lower.startsWith(METADATA_PREFIX) && name.length > METADATA_PREFIX.length) {
    return { kind: 'metadata', key: name.slice(METADATA_PREFIX.length) };
  }
  throw expected(token, `a field name (${FIELD_LIST})`, SEARCH_QUERY_HELP);
}

function listTerm(field: Field, operator: 'IN' | 'NOT IN', items: ScalarToken[]): SearchTerm {
  switch (field.kind) {
    case 'tags':
      return { kind: 'tags', scope: field.scope, operator, values: items.map(tagValue) };
    case 'name':
      return operator === 'IN' ? { kind: 'name', operator, values: items.map(stringValue) } : unreachable(field);
    case 'format':
      return { kind: 'format', operator, values: items.map(formatValue) };
    case 'metadata':
      return operator === 'IN' ? { kind: 'metadata', key: field.key, operator, values: items.map(metadataScalar) } : unreachable(field);
    default:
      return unreachable(field);
  }
}

function scalarTerm(field: Field, operator: Operator, token: ScalarToken): SearchTerm {
  switch (field.kind) {
    case 'tags':
      return operator === '=' || operator === 'NOT =' ? { kind: 'tags', scope: field.scope, operator, value: tagValue(token) } : unreachable(field);
    case 'name': {
      if (operator !== '=' && operator !== 'NOT =' && operator !== ':' && operator !== 'HAS') return unreachable(field);
      const value = stringValue(token);
      if (operator === 'HAS' && nameWords(value).length === 0) {
        throw expected(token, 'at least one word for HAS (words are split on spaces, _, - and .)', fieldHelp(field));
      }
      return { kind: 'name', operator, value };
    }
    case 'path':
      return operator === '=' || operator === ':' ? { kind: 'path', operator, folder: folderValue(token) } : unreachable(field);
    case 'date':
      return { kind: 'date', field: field.name, operator: compareOperator(operator, field), value: dateValue(token, field) };
    case 'number':
      return { kind: 'number', field: field.name, operator: compareOperator(operator, field), value: numberValue(token, field) };
    case 'format':
      return operator === '=' ? { kind: 'format', operator, value: formatValue(token) } : unreachable(field);
    case 'private':
      return { kind: 'private', value: booleanValue(token, field) };
    case 'fileType':
      return { kind: 'fileType', value: fileTypeValue(token, field) };
    case 'metadata':
      if (operator === '=') return { kind: 'metadata', key: field.key, operator, value: metadataScalar(token) };
      if (operator === '<' || operator === '<=' || operator === '>' || operator === '>=') {
        return { kind: 'metadata', key: field.key, operator, value: metadataOrderValue(token, field) };
      }
      return unreachable(field);
  }
}

function compareOperator(operator: Operator, field: Field): CompareOperator {
  return operator === '=' || operator === '<' || operator === '<=' || operator === '>' || operator === '>=' ? operator : unreachable(field);
}

/** parseOperator only returns operators the field takes; this marks the combinations that cannot occur. */
function unreachable(field: Field): never {
  throw new Error(`search-query: an operator ${fieldText(field)} does not take got past parseOperator`);
}

// ---- values ---------------------------------------------------------------------------------------------

/** Strings may be quoted or bare; a bare number or keyword counts as the text written. */
function stringValue(token: ScalarToken): string {
  return token.type === 'string' ? token.value : token.text;
}

/** A tag longer than the index can key names no file: refused, as the lookup it would make cannot be sent. */
function tagValue(token: ScalarToken): string {
  const value = stringValue(token);
  const bytes = oversizedTagBytes(value);
  if (bytes === undefined) return value;
  const characters = [...value];
  const shown = characters.length > 40 ? `${characters.slice(0, 40).join('')}…` : value;
  throw queryError(token.column, `the tag ${JSON.stringify(shown)} ${oversizedTagText(bytes)}`, TAG_BYTES_HELP);
}

function folderValue(token: ScalarToken): string {
  const text = stringValue(token);
  try {
    return normalizeFolder(text);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    throw expected(token, `a folder such as "/shoots/" (${error.message})`, fieldHelp({ kind: 'path' }));
  }
}

function dateValue(token: ScalarToken, field: Field): SearchDate {
  const date = token.type === 'keyword' ? undefined : parseSearchDate(stringValue(token));
  if (date) return date;
  throw expected(token, `a date for ${fieldText(field)} (ISO 8601 such as "2024-05-01" or relative such as "7d")`, fieldHelp(field));
}

function numberValue(token: ScalarToken, field: Extract<Field, { kind: 'number' }>): number {
  const text = stringValue(token);
  const number = token.type === 'number' ? token.value : token.type !== 'keyword' && NUMBER_TEXT.test(text) ? Number(text) : undefined;
  if (field.name === 'size') {
    const bytes = number ?? (token.type === 'keyword' ? undefined : parseSize(text));
    if (bytes !== undefined && bytes >= 0 && bytes <= Number.MAX_SAFE_INTEGER) return bytes;
    throw expected(token, 'a size in bytes, or such as "500kb" or "1mb"', fieldHelp(field));
  }
  if (number !== undefined && Number.isSafeInteger(number) && number >= 0) return number;
  throw expected(token, `a whole number of pixels for ${field.name}`, fieldHelp(field));
}

function formatValue(token: ScalarToken): string {
  const format = normalizeFormat(stringValue(token));
  if (format !== undefined) return format;
  throw expected(token, 'a format such as "jpg" or "png"', fieldHelp({ kind: 'format' }));
}

function booleanValue(token: ScalarToken, field: Field): boolean {
  const text = stringValue(token).toLowerCase();
  if (text === 'true' || text === 'false') return text === 'true';
  throw expected(token, 'true or false', fieldHelp(field));
}

function fileTypeValue(token: ScalarToken, field: Field): FileType {
  const text = stringValue(token).toLowerCase();
  if (text === 'image' || text === 'non-image') return text;
  throw expected(token, '"image" or "non-image"', fieldHelp(field));
}

/** Typed as written: `"5"` is a string, `5` a number, `true` a boolean, a bare word a string. */
function metadataScalar(token: ScalarToken): MetadataScalar {
  if (token.type === 'number') return token.value;
  if (token.type === 'keyword' && (token.keyword === 'TRUE' || token.keyword === 'FALSE')) return token.keyword === 'TRUE';
  return stringValue(token);
}

function metadataOrderValue(token: ScalarToken, field: Field): number | SearchDate {
  if (token.type === 'number') return token.value;
  const date = token.type === 'keyword' ? undefined : parseSearchDate(stringValue(token));
  if (date) return date;
  throw expected(token, `a number or a date (ISO 8601 such as "2024-05-01" or relative such as "7d") for ${fieldText(field)}`, fieldHelp(field));
}

function orList(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}
