import { describe, expect, it } from 'vitest';
import type { FileRecord } from '../../../functions/core/file-record.js';
import { compareForSort, parseListRequest } from '../../../functions/core/list-request.js';
import { formatSearchQuery } from '../../../functions/core/search-query.js';
import { fileRecord } from '../../support/sample-files.js';
import { thrownApiError } from '../../support/thrown-api-error.js';

const queryText = (params: Record<string, string>) => {
  const { query } = parseListRequest(params);
  return query && formatSearchQuery(query);
};

describe('parseListRequest', () => {
  it('defaults to every file, oldest first, 1000 at a time', () => {
    expect(parseListRequest({})).toEqual({
      query: undefined,
      sort: { field: 'CREATED', descending: false },
      limit: 1000,
      skip: 0,
      foldersOnly: false,
    });
  });

  it('treats an empty parameter as absent', () => {
    expect(parseListRequest({ path: '', fileType: '', sort: '', limit: '', skip: '', searchQuery: '  ', type: '' })).toEqual(parseListRequest({}));
  });

  it('ANDs path and fileType onto searchQuery', () => {
    expect(queryText({ searchQuery: 'tags IN ["Cat"] OR size > 10', path: 'shoots', fileType: 'image' })).toBe(
      '(tags IN ["Cat"] OR size > 10) AND path = "/shoots/" AND fileType = "image"',
    );
    expect(queryText({ fileType: 'all' })).toBeUndefined();
  });

  it.each([
    ['DESC_SIZE', { field: 'SIZE', descending: true }],
    ['ASC_NAME', { field: 'NAME', descending: false }],
    ['DESC_UPDATED', { field: 'UPDATED', descending: true }],
  ])('takes sort=%s', (sort, expected) => {
    expect(parseListRequest({ sort }).sort).toEqual(expected);
  });

  it('answers type=folder with nothing and refuses type=file-version', () => {
    expect(parseListRequest({ type: 'folder' }).foldersOnly).toBe(true);
    expect(parseListRequest({ type: 'all' }).foldersOnly).toBe(false);
    const error = thrownApiError(() => parseListRequest({ type: 'file-version' }));
    expect([error.status, error.message]).toEqual([400, 'type=file-version is not supported']);
  });

  it('refuses relevance sorts, naming the supported ones', () => {
    const error = thrownApiError(() => parseListRequest({ sort: 'DESC_RELEVANCE' }));
    expect(error.status).toBe(400);
    expect(error.message).toContain('relevance');
    expect(error.help).toContain('ASC_CREATED');
  });

  it.each([
    [{ limit: '0' }, 'limit'],
    [{ limit: '1001' }, 'limit'],
    [{ limit: '2.5' }, 'limit'],
    [{ skip: '-1' }, 'skip'],
    [{ sort: 'SIDEWAYS' }, 'sort'],
    [{ fileType: 'video' }, 'fileType'],
    [{ type: 'dir' }, 'type'],
    [{ searchQuery: 'tags IN' }, 'column'],
  ])('refuses %o with a 400 naming %s', (params, named) => {
    const error = thrownApiError(() => parseListRequest(params));
    expect(error.status).toBe(400);
    expect(`${error.message} ${error.help}`).toContain(named);
  });
});

describe('compareForSort', () => {
  const file = (fileId: string, overrides: Partial<FileRecord>) => fileRecord({ fileId, ...overrides });

  it('breaks ties by fileId in the direction of the sort', () => {
    const files = [file('b', { size: 5 }), file('a', { size: 5 }), file('c', { size: 1 })];
    expect([...files].sort(compareForSort({ field: 'SIZE', descending: false })).map((f) => f.fileId)).toEqual(['c', 'a', 'b']);
    expect([...files].sort(compareForSort({ field: 'SIZE', descending: true })).map((f) => f.fileId)).toEqual(['b', 'a', 'c']);
  });

  it('sorts files without dimensions as 0', () => {
    const files = [file('a', { width: 10 }), file('b', { width: undefined })];
    expect([...files].sort(compareForSort({ field: 'WIDTH', descending: false })).map((f) => f.fileId)).toEqual(['b', 'a']);
  });
});
