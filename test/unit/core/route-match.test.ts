import { describe, expect, it } from 'vitest';
import { matchRoutePath } from '../../../functions/core/route-match.js';

const DETAILS = '/v1/files/{fileId}/details';

describe('matchRoutePath', () => {
  it('returns the path parameters of a matching path', () => {
    expect(matchRoutePath(DETAILS, '/v1/files/65f1c0ffee0000000000abcd/details')).toEqual({ fileId: '65f1c0ffee0000000000abcd' });
  });

  it('returns {} for a matching path without parameters', () => {
    expect(matchRoutePath('/api/v1/files/upload', '/api/v1/files/upload')).toEqual({});
  });

  it('reads several parameters by name', () => {
    expect(matchRoutePath('/v1/{kind}/{id}', '/v1/files/abc')).toEqual({ kind: 'files', id: 'abc' });
  });

  it('decodes percent-escapes in a parameter', () => {
    expect(matchRoutePath(DETAILS, '/v1/files/a%20b/details')).toEqual({ fileId: 'a b' });
  });

  it.each([
    '/v1/files/abc/details/',
    '/v1/files//details',
    '/v1/files/a/b/details',
    '/v1/files/abc',
    '/prefix/v1/files/abc/details',
    '/v1/files/abc/detailsx',
  ])('does not match %s', (path) => {
    expect(matchRoutePath(DETAILS, path)).toBeUndefined();
  });

  it('treats regex characters in the template literally', () => {
    expect(matchRoutePath('/v1/files.json', '/v1/filesXjson')).toBeUndefined();
    expect(matchRoutePath('/v1/files.json', '/v1/files.json')).toEqual({});
  });

  it('keeps a parameter with a malformed percent-escape as sent instead of throwing', () => {
    expect(matchRoutePath(DETAILS, '/v1/files/%zz/details')).toEqual({ fileId: '%zz' });
    expect(matchRoutePath(DETAILS, '/v1/files/%E0%A4%A/details')).toEqual({ fileId: '%E0%A4%A' });
  });
});
