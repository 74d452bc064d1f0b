import { describe, expect, it } from 'vitest';
import { parseBulkDeleteRequest, parseBulkTagRequest } from '../../../functions/core/bulk-request.js';
import { thrownApiError } from '../../support/thrown-api-error.js';

const ids = (count: number) => Array.from({ length: count }, (_, index) => `file${index}`);

describe('parseBulkTagRequest', () => {
  it('drops duplicate ids and blank tags', () => {
    expect(parseBulkTagRequest('addTags', { fileIds: ['a', 'b', 'a'], tags: [' cat ', '', 'cat', 'Dog'] })).toEqual({
      operation: 'addTags',
      fileIds: ['a', 'b'],
      tags: ['cat', 'Dog'],
    });
  });

  it('reads AITags for removeAITags', () => {
    expect(parseBulkTagRequest('removeAITags', { fileIds: ['a'], AITags: ['Beach'] }).tags).toEqual(['Beach']);
    expect(thrownApiError(() => parseBulkTagRequest('removeAITags', { fileIds: ['a'], tags: ['Beach'] })).status).toBe(400);
  });

  it.each([
    [{ fileIds: ids(51), tags: ['x'] }, 'at most 50'],
    [{ fileIds: [], tags: ['x'] }, 'at least one file'],
    [{ fileIds: ['a'], tags: [] }, 'at least one tag'],
    [{ fileIds: ['a'], tags: ['  '] }, 'non-blank'],
    [{ fileIds: ['a'], tags: ['x'.repeat(501)] }, '500 characters'],
    [{ fileIds: 'a', tags: ['x'] }, 'fileIds'],
    [{ fileIds: ['a'], tags: ['x'], extra: 1 }, 'extra'],
    [[], 'JSON object'],
  ])('refuses %o', (body, named) => {
    const error = thrownApiError(() => parseBulkTagRequest('addTags', body));
    expect(error.status).toBe(400);
    expect(error.message).toContain(named);
  });
});

describe('parseBulkDeleteRequest', () => {
  it('takes up to 100 ids', () => {
    expect(parseBulkDeleteRequest({ fileIds: ids(100) }).fileIds).toHaveLength(100);
    expect(thrownApiError(() => parseBulkDeleteRequest({ fileIds: ids(101) })).message).toContain('at most 100');
  });
});
