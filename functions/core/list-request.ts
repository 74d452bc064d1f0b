import { badRequest } from './errors.js';
import type { FileRecord, FileType } from './file-record.js';
import { andSearchQuery, fileTypeTerm, parseSearchQuery, pathTerm, type SearchQuery } from './search-query.js';

/** `GET /v1/files` (ImageKit's `assets.list`), its query string checked (docs/api.md, "List and search"). */
export interface ListRequest {
  /** `searchQuery`, `path` and `fileType` ANDed; undefined lists every file. */
  query: SearchQuery | undefined;
  sort: ListSort;
  limit: number;
  skip: number;
  /** `type=folder`: folders are not listed as assets, so the answer is `[]`. */
  foldersOnly: boolean;
}

export const SORT_FIELDS = ['NAME', 'CREATED', 'UPDATED', 'HEIGHT', 'WIDTH', 'SIZE'] as const;
export type SortField = (typeof SORT_FIELDS)[number];
export interface ListSort {
  field: SortField;
  descending: boolean;
}

export const MAX_LIST_LIMIT = 1000;
const SUPPORTED_SORTS = SORT_FIELDS.flatMap((field) => [`ASC_${field}`, `DESC_${field}`]).join(', ');
const LIST_HELP = 'See docs/api.md, "List and search": path, fileType, sort, limit, skip, searchQuery and type.';

/** Query parameters → a list request; an empty value (`key=`) counts as absent, as the SDK may send one. */
export function parseListRequest(params: Readonly<Record<string, string | undefined>>): ListRequest {
  const param = (name: string) => {
    const value = params[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const type = param('type') ?? 'file';
  if (type === 'file-version') {
    throw badRequest('type=file-version is not supported', 'aitags keeps no file versions: send type=file or type=all, or leave type out.');
  }
  if (!['file', 'all', 'folder'].includes(type)) throw badRequest(`type must be file, folder or all (got ${JSON.stringify(type)})`, LIST_HELP);
  const fileType = param('fileType') ?? 'all';
  if (!['all', 'image', 'non-image'].includes(fileType)) {
    throw badRequest(`fileType must be all, image or non-image (got ${JSON.stringify(fileType)})`, LIST_HELP);
  }
  const path = param('path');
  const searchQuery = param('searchQuery');
  return {
    query: andSearchQuery(
      searchQuery === undefined ? undefined : parseSearchQuery(searchQuery),
      path === undefined ? undefined : pathTerm(path, 'folder'),
      fileType === 'all' ? undefined : fileTypeTerm(fileType as FileType),
    ),
    sort: parseSort(param('sort') ?? 'ASC_CREATED'),
    limit: integerParam('limit', param('limit'), 1, MAX_LIST_LIMIT) ?? MAX_LIST_LIMIT,
    skip: integerParam('skip', param('skip'), 0, Number.MAX_SAFE_INTEGER) ?? 0,
    foldersOnly: type === 'folder',
  };
}

function parseSort(text: string): ListSort {
  const match = /^(ASC|DESC)_([A-Z]+)$/.exec(text);
  const field = match?.[2] as SortField | undefined;
  if (match && field && SORT_FIELDS.includes(field)) return { field, descending: match[1] === 'DESC' };
  const relevance = /_RELEVANCE$/.test(text);
  throw badRequest(
    relevance
      ? `sort=${text} is not supported: aitags does not rank by relevance`
      : `sort must be one of ${SUPPORTED_SORTS} (got ${JSON.stringify(text)})`,
    `Supported sorts: ${SUPPORTED_SORTS}.`,
  );
}

function integerParam(name: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw badRequest(
      `${name} must be a whole number from ${min} to ${max === Number.MAX_SAFE_INTEGER ? 'up' : max} (got ${JSON.stringify(text)})`,
      LIST_HELP,
    );
  }
  return value;
}

const SORT_VALUE: Record<SortField, (record: FileRecord) => string | number> = {
  NAME: (record) => record.name,
  CREATED: (record) => record.createdAt,
  UPDATED: (record) => record.updatedAt,
  // A file without dimensions (not an image) sorts as 0.
  HEIGHT: (record) => record.height ?? 0,
  WIDTH: (record) => record.width ?? 0,
  SIZE: (record) => record.size,
};

/**
 * The list order: by the sort's field, ties by fileId, both in the sort's direction (so `ASC_CREATED` and
 * `DESC_CREATED` are exactly the index's creation order, forwards and backwards).
 */
export function compareForSort(sort: ListSort): (a: FileRecord, b: FileRecord) => number {
  const value = SORT_VALUE[sort.field];
  const sign = sort.descending ? -1 : 1;
  return (a, b) => {
    const x = value(a);
    const y = value(b);
    const byField = x < y ? -1 : x > y ? 1 : 0;
    return sign * (byField || (a.fileId < b.fileId ? -1 : a.fileId > b.fileId ? 1 : 0));
  };
}

/** `ASC_CREATED` order (ties by fileId) on just the fields it needs: a tagging job's selection keeps no more. */
export function byCreation(a: Pick<FileRecord, 'createdAt' | 'fileId'>, b: Pick<FileRecord, 'createdAt' | 'fileId'>): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1;
  return a.fileId < b.fileId ? -1 : a.fileId > b.fileId ? 1 : 0;
}
