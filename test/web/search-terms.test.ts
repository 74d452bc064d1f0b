import { describe, expect, it } from 'vitest';
import { parseSearchQuery } from '../../functions/core/search-query.js';
import { parseTagList, quoted, tagSearch } from '../../web/search-terms.js';

describe('tagSearch', () => {
  it('searches user tags with tags = and AI tags with AITags =', () => {
    expect(tagSearch('beach', 'user')).toBe('tags = "beach"');
    expect(tagSearch('Cat', 'ai')).toBe('AITags = "Cat"');
  });

  it.each(['say "cheese"', 'back\\slash', 'AND', 'a, b', "it's", 'été'])('writes a query the API parses back to the same tag (%j)', (name) => {
    expect(parseSearchQuery(tagSearch(name, 'user'))).toEqual({ kind: 'tags', scope: 'any', operator: '=', value: name });
    expect(parseSearchQuery(tagSearch(name, 'ai'))).toMatchObject({ kind: 'tags', operator: '=', value: name });
  });

  it('escapes quotes and backslashes only', () => {
    expect(quoted('a"b\\c\'d')).toBe('"a\\"b\\\\c\'d"');
  });
});

describe('parseTagList', () => {
  it('splits on commas, trims, and drops empty and repeated tags', () => {
    expect(parseTagList(' favourite, print ,, favourite ,')).toEqual(['favourite', 'print']);
  });

  it('reads nothing as no tags', () => {
    expect(parseTagList('  ')).toEqual([]);
  });
});
