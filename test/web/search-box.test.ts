import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSearchQuery } from '../../functions/core/search-query.js';
import { readSearchBox } from '../../web/search-box.js';

describe('readSearchBox', () => {
  it('reads an empty or blank box as every file', () => {
    expect(readSearchBox('')).toEqual({ kind: 'all', query: '' });
    expect(readSearchBox('  , ')).toEqual({ kind: 'all', query: '' });
    expect(readSearchBox('""')).toEqual({ kind: 'all', query: '' });
  });

  it('reads plain words as tags, ANDed, split on spaces and commas', () => {
    expect(readSearchBox(' cat  dog,beach ')).toEqual({
      kind: 'words',
      words: ['cat', 'dog', 'beach'],
      query: 'tags = "cat" AND tags = "dog" AND tags = "beach"',
    });
  });

  it('drops a word repeated in another case (tags match ignoring case)', () => {
    expect(readSearchBox('Cat cat CAT dog')).toMatchObject({ words: ['Cat', 'dog'] });
  });

  it('reads a "quoted phrase" as one tag, symbols and keywords in it as text', () => {
    expect(readSearchBox('"red dress" summer')).toMatchObject({ kind: 'words', words: ['red dress', 'summer'] });
    expect(readSearchBox('"12:30" "a = b" "AND"')).toMatchObject({ kind: 'words', words: ['12:30', 'a = b', 'AND'] });
    expect(readSearchBox('"unclosed phrase')).toMatchObject({ kind: 'words', words: ['unclosed phrase'] });
  });

  it('reads lower-case keywords as words', () => {
    expect(readSearchBox('cat and dog or not')).toMatchObject({ kind: 'words', words: ['cat', 'and', 'dog', 'or', 'not'] });
  });

  it.each([
    'tags = "cat"',
    'name:"beach"',
    'size < "1mb"',
    'width>=1920',
    'tags IN ["cat", "dog"]',
    '(cat)',
    'cat AND dog',
    'cat OR dog',
    'format NOT IN ["png"]',
    '"customMetadata.brand" EXISTS',
    'name HAS "red dress"',
    'tags IN ["cat"',
    'tags != "x"',
  ])('reads %j as a query, sent as written', (text) => {
    expect(readSearchBox(`  ${text} `)).toEqual({ kind: 'query', query: text });
  });

  it.each([
    ['say"hi', 'say"hi'],
    ['back\\slash', 'back\\slash'],
    ['"a \\"quoted\\" word"', 'a "quoted" word'],
    ['"C:\\\\temp"', 'C:\\temp'],
    ["it's", "it's"],
    ['été', 'été'],
    ['12"', '12"'],
  ])('escapes %j so the API reads back the tag %j', (text, tag) => {
    const reading = readSearchBox(text);
    expect(reading).toMatchObject({ kind: 'words', words: [tag] });
    expect(parseSearchQuery(reading.query)).toEqual({ kind: 'tags', scope: 'any', operator: '=', value: tag });
  });

  it('writes a query the API parses as one AND of tag terms', () => {
    const reading = readSearchBox('cat "red dress" back\\slash');
    expect(parseSearchQuery(reading.query)).toEqual({
      kind: 'and',
      terms: [
        { kind: 'tags', scope: 'any', operator: '=', value: 'cat' },
        { kind: 'tags', scope: 'any', operator: '=', value: 'red dress' },
        { kind: 'tags', scope: 'any', operator: '=', value: 'back\\slash' },
      ],
    });
  });

  it('reads any tags written as "phrases" back exactly, through the API parser', () => {
    const tag = fc.string({ minLength: 1, maxLength: 12, unit: 'grapheme' }).filter((text) => text.trim() === text && text !== '');
    fc.assert(
      fc.property(fc.uniqueArray(tag, { minLength: 1, maxLength: 4, selector: (text) => text.toLowerCase() }), (tags) => {
        const reading = readSearchBox(tags.map((text) => `"${text.replace(/[\\"]/g, '\\$&')}"`).join(' '));
        expect(reading).toMatchObject({ kind: 'words', words: tags });
        const terms = tags.map((value) => ({ kind: 'tags', scope: 'any', operator: '=', value }));
        expect(parseSearchQuery(reading.query)).toEqual(terms.length === 1 ? terms[0] : { kind: 'and', terms });
      }),
    );
  });
});
