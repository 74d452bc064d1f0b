import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../functions/core/errors.js';
import { EXTENSION_NAMES } from '../../../functions/core/extension-names.js';
import {
  andSearchQuery,
  fileTypeTerm,
  formatSearchQuery,
  MAX_QUERY_CHARS,
  MAX_QUERY_DEPTH,
  type MetadataScalar,
  type MetadataTerm,
  parseSearchQuery,
  pathTerm,
  SEARCH_QUERY_HELP,
  type SearchDate,
  type SearchQuery,
  type SearchTerm,
  type TagScope,
} from '../../../functions/core/search-query.js';
import { MAX_AGO_AMOUNT, nameWords, normalizeFormat } from '../../../functions/core/search-values.js';
import { thrownApiError } from '../../support/thrown-api-error.js';

const tags = (operator: '=' | 'NOT =', value: string, scope: TagScope = 'any'): SearchTerm => ({ kind: 'tags', scope, operator, value });
const tagsIn = (operator: 'IN' | 'NOT IN', values: string[], scope: TagScope = 'any'): SearchTerm => ({ kind: 'tags', scope, operator, values });
const instant = (iso: string): SearchDate => ({ kind: 'instant', iso });

describe('parseSearchQuery', () => {
  describe('reads every field with every operator it takes', () => {
    it.each<{ text: string; expected: SearchQuery }>([
      { text: 'tags = "summer"', expected: tags('=', 'summer') },
      { text: 'tags NOT = "draft"', expected: tags('NOT =', 'draft') },
      { text: 'tags IN ["summer", "beach"]', expected: tagsIn('IN', ['summer', 'beach']) },
      { text: 'tags NOT IN ["draft"]', expected: tagsIn('NOT IN', ['draft']) },
      { text: 'AITags = "Dog"', expected: tags('=', 'Dog', 'ai') },
      { text: 'AITags NOT = "Dog"', expected: tags('NOT =', 'Dog', 'ai') },
      { text: 'AITags IN ["Cat", "Dog"]', expected: tagsIn('IN', ['Cat', 'Dog'], 'ai') },
      { text: 'AITags NOT IN ["Cat"]', expected: tagsIn('NOT IN', ['Cat'], 'ai') },
      { text: '"AITags.aws-auto-tagging" = "Beach"', expected: tags('=', 'Beach', 'aws-auto-tagging') },
      { text: '"AITags.google-auto-tagging" NOT IN ["Sea"]', expected: tagsIn('NOT IN', ['Sea'], 'google-auto-tagging') },
      { text: 'name = "beach.jpg"', expected: { kind: 'name', operator: '=', value: 'beach.jpg' } },
      { text: 'name NOT = "beach.jpg"', expected: { kind: 'name', operator: 'NOT =', value: 'beach.jpg' } },
      { text: 'name : "red-dress"', expected: { kind: 'name', operator: ':', value: 'red-dress' } },
      { text: 'name HAS "summer"', expected: { kind: 'name', operator: 'HAS', value: 'summer' } },
      { text: 'name IN ["a.jpg", "b.png"]', expected: { kind: 'name', operator: 'IN', values: ['a.jpg', 'b.png'] } },
      { text: 'path = "/shoots/"', expected: { kind: 'path', operator: '=', folder: '/shoots/' } },
      { text: 'path : "/shoots/"', expected: { kind: 'path', operator: ':', folder: '/shoots/' } },
      {
        text: 'createdAt = "2024-05-01T10:00:00.000Z"',
        expected: { kind: 'date', field: 'createdAt', operator: '=', value: instant('2024-05-01T10:00:00.000Z') },
      },
      { text: 'createdAt < "2024-05-01"', expected: { kind: 'date', field: 'createdAt', operator: '<', value: instant('2024-05-01T00:00:00.000Z') } },
      { text: 'createdAt <= "12h"', expected: { kind: 'date', field: 'createdAt', operator: '<=', value: { kind: 'ago', amount: 12, unit: 'h' } } },
      { text: 'createdAt > "7d"', expected: { kind: 'date', field: 'createdAt', operator: '>', value: { kind: 'ago', amount: 7, unit: 'd' } } },
      { text: 'createdAt >= "2w"', expected: { kind: 'date', field: 'createdAt', operator: '>=', value: { kind: 'ago', amount: 2, unit: 'w' } } },
      {
        text: 'updatedAt = "2024-05-02T11:00:00Z"',
        expected: { kind: 'date', field: 'updatedAt', operator: '=', value: instant('2024-05-02T11:00:00.000Z') },
      },
      { text: 'updatedAt < "3m"', expected: { kind: 'date', field: 'updatedAt', operator: '<', value: { kind: 'ago', amount: 3, unit: 'm' } } },
      { text: 'updatedAt > "1y"', expected: { kind: 'date', field: 'updatedAt', operator: '>', value: { kind: 'ago', amount: 1, unit: 'y' } } },
      { text: 'size = 2048', expected: { kind: 'number', field: 'size', operator: '=', value: 2048 } },
      { text: 'size < "1mb"', expected: { kind: 'number', field: 'size', operator: '<', value: 1_048_576 } },
      { text: 'size <= "500kb"', expected: { kind: 'number', field: 'size', operator: '<=', value: 512_000 } },
      { text: 'size > "1.5MB"', expected: { kind: 'number', field: 'size', operator: '>', value: 1_572_864 } },
      { text: 'size >= "2gb"', expected: { kind: 'number', field: 'size', operator: '>=', value: 2_147_483_648 } },
      { text: 'width = 640', expected: { kind: 'number', field: 'width', operator: '=', value: 640 } },
      { text: 'width > 500', expected: { kind: 'number', field: 'width', operator: '>', value: 500 } },
      { text: 'height <= 480', expected: { kind: 'number', field: 'height', operator: '<=', value: 480 } },
      { text: 'height >= "1080"', expected: { kind: 'number', field: 'height', operator: '>=', value: 1080 } },
      { text: 'format = "jpg"', expected: { kind: 'format', operator: '=', value: 'jpg' } },
      { text: 'format IN ["JPEG", "png"]', expected: { kind: 'format', operator: 'IN', values: ['jpg', 'png'] } },
      { text: 'format NOT IN ["gif"]', expected: { kind: 'format', operator: 'NOT IN', values: ['gif'] } },
      { text: 'private = true', expected: { kind: 'private', value: true } },
      { text: 'private = false', expected: { kind: 'private', value: false } },
      { text: 'fileType = "non-image"', expected: { kind: 'fileType', value: 'non-image' } },
      { text: '"customMetadata.brand" = "acme"', expected: { kind: 'metadata', key: 'brand', operator: '=', value: 'acme' } },
      { text: '"customMetadata.rating" = 4', expected: { kind: 'metadata', key: 'rating', operator: '=', value: 4 } },
      { text: '"customMetadata.approved" = true', expected: { kind: 'metadata', key: 'approved', operator: '=', value: true } },
      {
        text: '"customMetadata.brand" IN ["acme", 7, false]',
        expected: { kind: 'metadata', key: 'brand', operator: 'IN', values: ['acme', 7, false] },
      },
      { text: '"customMetadata.rating" < 4.5', expected: { kind: 'metadata', key: 'rating', operator: '<', value: 4.5 } },
      { text: '"customMetadata.rating" <= -1', expected: { kind: 'metadata', key: 'rating', operator: '<=', value: -1 } },
      {
        text: '"customMetadata.shotAt" > "2024-01-01"',
        expected: { kind: 'metadata', key: 'shotAt', operator: '>', value: instant('2024-01-01T00:00:00.000Z') },
      },
      {
        text: '"customMetadata.shotAt" >= "30d"',
        expected: { kind: 'metadata', key: 'shotAt', operator: '>=', value: { kind: 'ago', amount: 30, unit: 'd' } },
      },
      { text: '"customMetadata.brand" EXISTS', expected: { kind: 'metadata', key: 'brand', operator: 'EXISTS' } },
      { text: '"customMetadata.brand" NOT EXISTS', expected: { kind: 'metadata', key: 'brand', operator: 'NOT EXISTS' } },
    ])('$text', ({ text, expected }) => {
      expect(parseSearchQuery(text)).toEqual(expected);
    });
  });

  describe('precedence and grouping', () => {
    const a = tags('=', 'a');
    const b = tags('=', 'b');
    const c = tags('=', 'c');

    it('binds AND tighter than OR', () => {
      expect(parseSearchQuery('tags = "a" OR tags = "b" AND tags = "c"')).toEqual({ kind: 'or', terms: [a, { kind: 'and', terms: [b, c] }] });
      expect(parseSearchQuery('tags = "a" AND tags = "b" OR tags = "c"')).toEqual({ kind: 'or', terms: [{ kind: 'and', terms: [a, b] }, c] });
    });

    it('lets parentheses override precedence', () => {
      expect(parseSearchQuery('(tags = "a" OR tags = "b") AND tags = "c"')).toEqual({ kind: 'and', terms: [{ kind: 'or', terms: [a, b] }, c] });
    });

    it('flattens chains and redundant parentheses into one AND or OR', () => {
      expect(parseSearchQuery('tags = "a" AND (tags = "b" AND tags = "c")')).toEqual({ kind: 'and', terms: [a, b, c] });
      expect(parseSearchQuery('(tags = "a") OR ((tags = "b" OR tags = "c"))')).toEqual({ kind: 'or', terms: [a, b, c] });
      expect(parseSearchQuery('((tags = "a"))')).toEqual(a);
    });

    it("reads ImageKit's documented example", () => {
      // Act
      const query = parseSearchQuery('(size < "1mb" AND width > 500) OR (tags IN ["summer-sale","banner"])');

      // Assess
      expect(query).toEqual({
        kind: 'or',
        terms: [
          {
            kind: 'and',
            terms: [
              { kind: 'number', field: 'size', operator: '<', value: 1_048_576 },
              { kind: 'number', field: 'width', operator: '>', value: 500 },
            ],
          },
          tagsIn('IN', ['summer-sale', 'banner']),
        ],
      });
    });

    it(`accepts ${MAX_QUERY_DEPTH} nested parentheses`, () => {
      expect(parseSearchQuery(`${'('.repeat(MAX_QUERY_DEPTH)}tags = "a"${')'.repeat(MAX_QUERY_DEPTH)}`)).toEqual(a);
    });
  });

  describe('lexical forms', () => {
    it('reads keywords and field names in any case', () => {
      expect(parseSearchQuery('TAGS in ["a"] and CreatedAt > "7D" Or name has "x" oR "customMetadata.k" not exists')).toEqual({
        kind: 'or',
        terms: [
          {
            kind: 'and',
            terms: [tagsIn('IN', ['a']), { kind: 'date', field: 'createdAt', operator: '>', value: { kind: 'ago', amount: 7, unit: 'd' } }],
          },
          { kind: 'name', operator: 'HAS', value: 'x' },
          { kind: 'metadata', key: 'k', operator: 'NOT EXISTS' },
        ],
      });
      expect(parseSearchQuery('"aitags.AWS-AUTO-TAGGING" = "x"')).toEqual(tags('=', 'x', 'aws-auto-tagging'));
      expect(parseSearchQuery('private = TRUE')).toEqual({ kind: 'private', value: true });
    });

    it('unescapes \\" and \\\\ inside strings', () => {
      expect(parseSearchQuery('tags = "say \\"cheese\\" \\\\o/"')).toEqual(tags('=', 'say "cheese" \\o/'));
    });

    it('accepts single-quoted strings, as ImageKit SDK examples write them', () => {
      expect(parseSearchQuery("createdAt >= '2d' OR format = 'png' OR tags = 'it\\'s'")).toEqual({
        kind: 'or',
        terms: [
          { kind: 'date', field: 'createdAt', operator: '>=', value: { kind: 'ago', amount: 2, unit: 'd' } },
          { kind: 'format', operator: '=', value: 'png' },
          tags('=', "it's"),
        ],
      });
    });

    it("accepts ImageKit's unquoted dates, relative times, sizes and words", () => {
      expect(parseSearchQuery('createdAt < 2020-01-01 AND updatedAt > 2d AND size < 1mb AND format = jpeg AND tags = summer')).toEqual({
        kind: 'and',
        terms: [
          { kind: 'date', field: 'createdAt', operator: '<', value: instant('2020-01-01T00:00:00.000Z') },
          { kind: 'date', field: 'updatedAt', operator: '>', value: { kind: 'ago', amount: 2, unit: 'd' } },
          { kind: 'number', field: 'size', operator: '<', value: 1_048_576 },
          { kind: 'format', operator: '=', value: 'jpg' },
          tags('=', 'summer'),
        ],
      });
    });

    it('reads unquoted dotted field names', () => {
      expect(parseSearchQuery('customMetadata.brand EXISTS AND AITags.google-auto-tagging = "Sea"')).toEqual({
        kind: 'and',
        terms: [{ kind: 'metadata', key: 'brand', operator: 'EXISTS' }, tags('=', 'Sea', 'google-auto-tagging')],
      });
    });

    it('keeps a number written as a tag as the text written', () => {
      expect(parseSearchQuery('tags IN [2024, 1e3, true]')).toEqual(tagsIn('IN', ['2024', '1e3', 'true']));
    });

    it('ignores whitespace around tokens, newlines included, and needs none', () => {
      expect(parseSearchQuery('\n tags\tIN["a","b"]AND(name:"x")\n')).toEqual({
        kind: 'and',
        terms: [tagsIn('IN', ['a', 'b']), { kind: 'name', operator: ':', value: 'x' }],
      });
    });

    it('keeps customMetadata keys as written, dots included', () => {
      expect(parseSearchQuery('"customMetadata.Camera.Model" = "X100"')).toEqual({
        kind: 'metadata',
        key: 'Camera.Model',
        operator: '=',
        value: 'X100',
      });
    });
  });

  describe('normalises values', () => {
    it.each([
      { text: 'path = "shoots"', folder: '/shoots/' },
      { text: 'path = "/shoots"', folder: '/shoots/' },
      { text: 'path = "//a//b/./"', folder: '/a/b/' },
      { text: 'path = "/"', folder: '/' },
      { text: 'path = ""', folder: '/' },
      { text: 'path = "/my photos/"', folder: '/my_photos/' },
    ])('reads the folder in $text as $folder, as upload normalises it', ({ text, folder }) => {
      expect(parseSearchQuery(text)).toEqual({ kind: 'path', operator: '=', folder });
    });

    it.each([
      { value: '2024-05-01', iso: '2024-05-01T00:00:00.000Z' },
      { value: '2024-05-01T10:20', iso: '2024-05-01T10:20:00.000Z' },
      { value: '2024-05-01T10:20:30', iso: '2024-05-01T10:20:30.000Z' },
      { value: '2024-05-01T10:20:30.5', iso: '2024-05-01T10:20:30.500Z' },
      { value: '2024-05-01T10:20:30.123456Z', iso: '2024-05-01T10:20:30.123Z' },
      { value: '2024-05-01T10:20:30+02:00', iso: '2024-05-01T08:20:30.000Z' },
      { value: '2024-05-01T00:30-0130', iso: '2024-05-01T02:00:00.000Z' },
      { value: '2024-02-29 23:59:59z', iso: '2024-02-29T23:59:59.000Z' },
    ])('reads the date "$value" as $iso (no zone means UTC)', ({ value, iso }) => {
      expect(parseSearchQuery(`createdAt > "${value}"`)).toEqual({ kind: 'date', field: 'createdAt', operator: '>', value: instant(iso) });
    });

    it.each([
      { value: '0', bytes: 0 },
      { value: '"100"', bytes: 100 },
      { value: '"100b"', bytes: 100 },
      { value: '"1kb"', bytes: 1024 },
      { value: '"500 KB"', bytes: 512_000 },
      { value: '"0.5kb"', bytes: 512 },
      { value: '"3mb"', bytes: 3_145_728 },
      { value: '"1tb"', bytes: 1_099_511_627_776 },
    ])('reads the size $value as $bytes bytes (1 kb = 1024 bytes)', ({ value, bytes }) => {
      expect(parseSearchQuery(`size >= ${value}`)).toEqual({ kind: 'number', field: 'size', operator: '>=', value: bytes });
    });

    it.each([
      { value: 'JPG', format: 'jpg' },
      { value: 'jpeg', format: 'jpg' },
      { value: 'tif', format: 'tiff' },
      { value: 'svg+xml', format: 'svg' },
      { value: 'webp', format: 'webp' },
    ])('reads the format "$value" as $format', ({ value, format }) => {
      expect(parseSearchQuery(`format = "${value}"`)).toEqual({ kind: 'format', operator: '=', value: format });
    });
  });

  describe('refuses what it cannot read with a 400 naming the column', () => {
    it.each([
      {
        text: '',
        message:
          'at column 1, expected a field name (tags, AITags, name, path, createdAt, updatedAt, size, width, height, format, private or "customMetadata.<key>") or "(", found end of query',
      },
      { text: 'tags = ', message: 'at column 8, expected a value after "=", found end of query' },
      { text: 'name = "a" OR tags =', message: 'at column 21, expected a value after "=", found end of query' },
      {
        text: 'name = "a" OR',
        message:
          'at column 14, expected a field name (tags, AITags, name, path, createdAt, updatedAt, size, width, height, format, private or "customMetadata.<key>") or "(", found end of query',
      },
      {
        text: 'colour = "red"',
        message:
          'at column 1, expected a field name (tags, AITags, name, path, createdAt, updatedAt, size, width, height, format, private or "customMetadata.<key>"), found "colour"',
      },
      {
        text: '"customMetadata." = 1',
        message:
          'at column 1, expected a field name (tags, AITags, name, path, createdAt, updatedAt, size, width, height, format, private or "customMetadata.<key>"), found "customMetadata."',
      },
      {
        text: '"AITags.azure-auto-tagging" = "x"',
        message: 'at column 1, expected AITags.<source> with a source of aws-auto-tagging or google-auto-tagging, found "AITags.azure-auto-tagging"',
      },
      {
        text: 'NOT tags = "a"',
        message:
          'at column 1, expected a field name (tags, AITags, name, path, createdAt, updatedAt, size, width, height, format, private or "customMetadata.<key>") or "(", found NOT',
      },
      { text: 'tags "a"', message: 'at column 6, expected an operator for tags (=, NOT =, IN or NOT IN), found "a"' },
      { text: 'tags : "a"', message: 'at column 6, expected an operator for tags (=, NOT =, IN or NOT IN), found ":"' },
      { text: 'name > 5', message: 'at column 6, expected an operator for name (=, NOT =, :, HAS or IN), found ">"' },
      { text: 'name NOT IN ["a"]', message: 'at column 6, expected an operator for name (=, NOT =, :, HAS or IN), found NOT IN' },
      { text: 'name != "a"', message: 'at column 6, expected an operator for name (=, NOT =, :, HAS or IN), found "!="' },
      { text: 'path IN ["/a/"]', message: 'at column 6, expected an operator for path (= or :), found IN' },
      { text: 'createdAt : "7d"', message: 'at column 11, expected an operator for createdAt (=, <, <=, > or >=), found ":"' },
      { text: 'size HAS 5', message: 'at column 6, expected an operator for size (=, <, <=, > or >=), found HAS' },
      { text: 'format NOT = "jpg"', message: 'at column 8, expected an operator for format (=, IN or NOT IN), found NOT =' },
      { text: 'private IN [true]', message: 'at column 9, expected an operator for private (=), found IN' },
      {
        text: '"customMetadata.a" NOT IN [1]',
        message: 'at column 20, expected an operator for "customMetadata.a" (=, IN, <, <=, >, >=, EXISTS or NOT EXISTS), found NOT IN',
      },
      { text: 'tags EXISTS', message: 'at column 6, expected an operator for tags (=, NOT =, IN or NOT IN), found EXISTS' },
      { text: 'tags NOT HAS "a"', message: 'at column 10, expected =, IN or EXISTS after NOT, found HAS' },
      { text: 'tags = ["a"]', message: 'at column 8, expected a single value after "=", found "["' },
      { text: 'tags = AND', message: 'at column 8, expected a value after "=", found AND' },
      { text: 'tags IN "a"', message: 'at column 9, expected a list such as ["a", "b"] after IN, found "a"' },
      { text: 'tags IN []', message: 'at column 10, expected a value in the list, found "]"' },
      { text: 'tags IN ["a",]', message: 'at column 14, expected a value in the list, found "]"' },
      { text: 'tags IN ["a" "b"]', message: 'at column 14, expected "," or "]" in the list, found "b"' },
      { text: 'tags IN ["a"', message: 'at column 13, expected "," or "]" in the list, found end of query' },
      { text: 'tags = "a" tags = "b"', message: 'at column 12, expected AND, OR or end of query, found "tags"' },
      { text: '(tags = "a"', message: 'at column 12, expected AND, OR or ")", found end of query' },
      { text: 'tags = "a")', message: 'at column 11, expected AND, OR or end of query, found ")"' },
      {
        text: '()',
        message:
          'at column 2, expected a field name (tags, AITags, name, path, createdAt, updatedAt, size, width, height, format, private or "customMetadata.<key>") or "(", found ")"',
      },
      { text: 'tags = "abc', message: 'at column 8, expected a closing " for the string that starts here, found end of query' },
      { text: "tags = 'abc", message: "at column 8, expected a closing ' for the string that starts here, found end of query" },
      { text: 'tags = "a\\nb"', message: 'at column 10, expected \\" or \\\\ after a backslash, found "\\\\n"' },
      { text: 'tags = "a\\', message: 'at column 10, expected \\" or \\\\ after a backslash, found end of query' },
      { text: 'tags = "a" & tags = "b"', message: 'at column 12, expected AND, OR or end of query, found "&"' },
      { text: 'name HAS "_-."', message: 'at column 10, expected at least one word for HAS (words are split on spaces, _, - and .), found "_-."' },
      {
        text: 'path : "/a/../b/"',
        message: 'at column 8, expected a folder such as "/shoots/" (folder must not contain a ".." segment), found "/a/../b/"',
      },
      {
        text: 'createdAt > "yesterday"',
        message: 'at column 13, expected a date for createdAt (ISO 8601 such as "2024-05-01" or relative such as "7d"), found "yesterday"',
      },
      {
        text: 'createdAt > "2024-02-30"',
        message: 'at column 13, expected a date for createdAt (ISO 8601 such as "2024-05-01" or relative such as "7d"), found "2024-02-30"',
      },
      {
        text: 'createdAt > "2024-05-01T24:00"',
        message: 'at column 13, expected a date for createdAt (ISO 8601 such as "2024-05-01" or relative such as "7d"), found "2024-05-01T24:00"',
      },
      {
        text: 'updatedAt < 2024',
        message: 'at column 13, expected a date for updatedAt (ISO 8601 such as "2024-05-01" or relative such as "7d"), found "2024"',
      },
      {
        text: 'createdAt > "30min"',
        message: 'at column 13, expected a date for createdAt (ISO 8601 such as "2024-05-01" or relative such as "7d"), found "30min"',
      },
      {
        text: `createdAt > "${MAX_AGO_AMOUNT + 1}d"`,
        message: 'at column 13, expected a date for createdAt (ISO 8601 such as "2024-05-01" or relative such as "7d"), found "100001d"',
      },
      { text: 'size < "1 lightyear"', message: 'at column 8, expected a size in bytes, or such as "500kb" or "1mb", found "1 lightyear"' },
      { text: 'size < -1', message: 'at column 8, expected a size in bytes, or such as "500kb" or "1mb", found "-1"' },
      { text: 'size < "9999999tb"', message: 'at column 8, expected a size in bytes, or such as "500kb" or "1mb", found "9999999tb"' },
      { text: 'width > 1.5', message: 'at column 9, expected a whole number of pixels for width, found "1.5"' },
      { text: 'height > "tall"', message: 'at column 10, expected a whole number of pixels for height, found "tall"' },
      { text: 'width > 1e999', message: 'at column 9, expected a whole number of pixels for width, found "1e999"' },
      { text: 'format = "j p g"', message: 'at column 10, expected a format such as "jpg" or "png", found "j p g"' },
      { text: 'private = "yes"', message: 'at column 11, expected true or false, found "yes"' },
      { text: 'fileType = "video"', message: 'at column 12, expected "image" or "non-image", found "video"' },
      {
        text: '"customMetadata.n" > "high"',
        message:
          'at column 22, expected a number or a date (ISO 8601 such as "2024-05-01" or relative such as "7d") for "customMetadata.n", found "high"',
      },
      {
        text: '"customMetadata.n" > true',
        message:
          'at column 22, expected a number or a date (ISO 8601 such as "2024-05-01" or relative such as "7d") for "customMetadata.n", found "true"',
      },
      { text: `tags = "a" ${'x'.repeat(60)}`, message: `at column 12, expected AND, OR or end of query, found "${'x'.repeat(40)}…"` },
    ])('$text → $message', ({ text, message }) => {
      // Act
      const error = thrownApiError(() => parseSearchQuery(text));

      // Assess
      expect(error.status).toBe(400);
      expect(error.message).toBe(`searchQuery: ${message}`);
    });

    it('names the column and what was expected in the help too, then shows an example for the field', () => {
      expect(thrownApiError(() => parseSearchQuery('name > 5')).help).toMatch(
        /^Column 6: .+\. name takes = and NOT = \(exact\), : \(begins with\), HAS \(a word\) and IN, e\.g\. name : "red-dress" or name HAS "summer"\.$/,
      );
      expect(thrownApiError(() => parseSearchQuery('size < "big"')).help).toMatch(
        /^Column 8: .+\. size takes =, <, <=, > and >= with bytes or a size such as "500kb" or "1mb" \(1 kb = 1024 bytes\), e\.g\. size < "1mb"\.$/,
      );
      expect(thrownApiError(() => parseSearchQuery('colour = "red"')).help).toMatch(
        new RegExp(`^Column 1: .+\\. ${SEARCH_QUERY_HELP.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`),
      );
      expect(thrownApiError(() => parseSearchQuery('tags != "a"')).help).toMatch(
        /^Column 6: .+\. Write NOT = for "is not", e\.g\. tags NOT = "draft"\. /,
      );
    });

    it(`refuses a query longer than ${MAX_QUERY_CHARS} characters before reading it`, () => {
      // Prepare
      const text = `tags = "${'x'.repeat(MAX_QUERY_CHARS)}"`;

      // Act
      const error = thrownApiError(() => parseSearchQuery(text));

      // Assess
      expect(error.message).toBe('searchQuery: at column 2001, expected end of query, found more than 2000 characters');
      expect(parseSearchQuery(`tags = "${'x'.repeat(MAX_QUERY_CHARS - 9)}"`)).toEqual(tags('=', 'x'.repeat(MAX_QUERY_CHARS - 9)));
    });

    it.each([
      { text: `tags = "${'€'.repeat(700)}"`, column: 8 },
      { text: `AITags IN ["cat", "${'€'.repeat(700)}"]`, column: 19 },
      { text: `"AITags.aws-auto-tagging" NOT = "${'€'.repeat(700)}"`, column: 33 },
      { text: `tags NOT IN ['${'€'.repeat(700)}']`, column: 14 },
    ])('refuses a tag of 700 × "€" (2,100 bytes in UTF-8, a key the index cannot hold) at column $column', ({ text, column }) => {
      // Act
      const error = thrownApiError(() => parseSearchQuery(text));

      // Assess
      expect(error.status).toBe(400);
      expect(error.message).toBe(`searchQuery: at column ${column}, the tag "${'€'.repeat(40)}…" is 2100 bytes in UTF-8; a tag may be at most 2019`);
      expect(error.help).toMatch(new RegExp(`^Column ${column}: .+\\. A tag is at most 2019 bytes in UTF-8, counted lowercased`));
    });

    it('takes a tag of 2,019 bytes, and counts bytes as the index keys the tag: lowercased', () => {
      expect(parseSearchQuery(`tags = "${'€'.repeat(673)}"`)).toEqual(tags('=', '€'.repeat(673)));
      // "İ" is 2 bytes, and 3 once lowercased.
      expect(thrownApiError(() => parseSearchQuery(`tags = "${'İ'.repeat(700)}"`)).message).toMatch(/is 2100 bytes in UTF-8/);
    });

    it('refuses parentheses nested deeper than 20 levels', () => {
      // Prepare
      const text = `${'('.repeat(21)}tags = "a"${')'.repeat(21)}`;

      // Act
      const error = thrownApiError(() => parseSearchQuery(text));

      // Assess
      expect(error.message).toBe('searchQuery: at column 21, expected a term, found "(" nested deeper than 20 levels');
    });

    it('answers a long chain of terms quickly, without deep recursion', () => {
      // Prepare
      const text = Array.from({ length: 120 }, (_, index) => `tags = "t${index}"`).join(' OR ');

      // Act
      const query = parseSearchQuery(text);

      // Assess
      expect(text.length).toBeLessThanOrEqual(MAX_QUERY_CHARS);
      expect(query.kind === 'or' && query.terms.length).toBe(120);
    });
  });
});

describe('formatSearchQuery', () => {
  it.each([
    { text: 'tags in ["a","b"] and (name:"x" or size<1mb)', canonical: 'tags IN ["a", "b"] AND (name : "x" OR size < 1048576)' },
    { text: 'tags = "a" OR tags = "b" AND private = true', canonical: 'tags = "a" OR (tags = "b" AND private = true)' },
    { text: "AITags.aws-auto-tagging NOT IN ['Cat']", canonical: '"AITags.aws-auto-tagging" NOT IN ["Cat"]' },
    { text: 'createdAt > 7D AND updatedAt < 2024-05-01', canonical: 'createdAt > "7d" AND updatedAt < "2024-05-01T00:00:00.000Z"' },
    { text: 'customMetadata.brand = acme', canonical: '"customMetadata.brand" = "acme"' },
    { text: '"customMetadata.say \\"hi\\"" exists', canonical: '"customMetadata.say \\"hi\\"" EXISTS' },
    { text: '"customMetadata.n" IN [1, "1", TRUE]', canonical: '"customMetadata.n" IN [1, "1", true]' },
    { text: 'format in [jpeg, PNG]', canonical: 'format IN ["jpg", "png"]' },
    { text: 'path : shoots', canonical: 'path : "/shoots/"' },
  ])('prints $text as $canonical', ({ text, canonical }) => {
    expect(formatSearchQuery(parseSearchQuery(text))).toBe(canonical);
  });

  it('prints any query so that it parses back to the same tree', () => {
    fc.assert(
      fc.property(queryArbitrary, (query) => {
        const text = formatSearchQuery(query);
        fc.pre(text.length <= MAX_QUERY_CHARS);
        expect(parseSearchQuery(text)).toEqual(query);
      }),
      { numRuns: 500 },
    );
  });
});

describe('parseSearchQuery on arbitrary input', () => {
  const isQueryError = (error: unknown) => error instanceof ApiError && error.status === 400 && error.message.startsWith('searchQuery: at column ');

  /** Parses `text`, or checks that it was refused with a positional 400; a parsed query is already canonical. */
  const parsesOrRefuses = (text: string) => {
    let query: SearchQuery;
    try {
      query = parseSearchQuery(text);
    } catch (error) {
      expect(isQueryError(error), String(error)).toBe(true);
      return;
    }
    expect(parseSearchQuery(formatSearchQuery(query))).toEqual(query);
  };

  it('either parses any string or refuses it with a 400', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 80 }), parsesOrRefuses), { numRuns: 1000 });
  });

  it('either parses any sequence of query tokens or refuses it with a 400', () => {
    const token = fc.constantFrom(
      ...['tags', 'AITags', '"AITags.aws-auto-tagging"', 'name', 'path', 'createdAt', 'updatedAt', 'size', 'width', 'format', 'private', 'fileType'],
      ...[
        '"customMetadata.k"',
        'customMetadata.k',
        '=',
        'NOT',
        'not',
        'IN',
        'HAS',
        'EXISTS',
        '<',
        '<=',
        '>',
        '>=',
        ':',
        '!=',
        '(',
        ')',
        '[',
        ']',
        ',',
      ],
      ...[
        'AND',
        'or',
        '"a"',
        "'b'",
        'c',
        '"7d"',
        '12h',
        '"1mb"',
        '5',
        '-1',
        '1.5',
        '1e999',
        'true',
        'jpg',
        '"/x/"',
        '"image"',
        '2024-01-01',
        '"',
        '\\',
      ],
    );
    const soup = fc.array(token, { maxLength: 30 }).chain((tokens) => fc.constantFrom(tokens.join(' '), tokens.join('')));
    fc.assert(fc.property(soup, parsesOrRefuses), { numRuns: 3000 });
  });

  it('refuses or parses long and deeply nested input in bounded time', () => {
    const nested = fc
      .record({ depth: fc.integer({ min: 0, max: 400 }), closing: fc.integer({ min: 0, max: 400 }) })
      .map(({ depth, closing }) => `${'('.repeat(depth)}tags = "a"${')'.repeat(closing)}`);
    const long = fc.integer({ min: 1_900, max: 2_100 }).map((length) => `tags = "${'a'.repeat(length)}"`);
    fc.assert(fc.property(fc.oneof(nested, long), parsesOrRefuses), { numRuns: 300 });
  });
});

describe('andSearchQuery', () => {
  const parsed = parseSearchQuery('tags = "a" OR tags = "b"');

  it("ANDs the API's path and fileType onto a query", () => {
    // Act
    const query = andSearchQuery(parsed, pathTerm('shoots', 'folder'), fileTypeTerm('image'));

    // Assess
    expect(query).toEqual({
      kind: 'and',
      terms: [parsed, { kind: 'path', operator: '=', folder: '/shoots/' }, { kind: 'fileType', value: 'image' }],
    });
    expect(formatSearchQuery(query!)).toBe('(tags = "a" OR tags = "b") AND path = "/shoots/" AND fileType = "image"');
  });

  it('flattens an AND it is given and skips absent parts', () => {
    const and = parseSearchQuery('tags = "a" AND tags = "b"');
    expect(andSearchQuery(and, undefined, pathTerm('/x/', 'folder-and-below'))).toEqual({
      kind: 'and',
      terms: [...(and.kind === 'and' ? and.terms : []), { kind: 'path', operator: ':', folder: '/x/' }],
    });
  });

  it('returns a single part as it is, and undefined for none', () => {
    expect(andSearchQuery(undefined, parsed)).toBe(parsed);
    expect(andSearchQuery(undefined)).toBeUndefined();
    expect(andSearchQuery()).toBeUndefined();
  });
});

// ---- arbitrary trees, as the parser produces them: groups of 2+ children, none of its own kind ----------------

const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 8 }), fc.constantFrom('"', '\\', "'", ' AND ', '\\"', '', 'é', '😀'));
const scope = fc.constantFrom<TagScope>('any', 'ai', ...EXTENSION_NAMES);
const values = fc.array(text, { minLength: 1, maxLength: 3 });
const searchDate = fc.oneof(
  fc
    .date({ min: new Date('0000-01-01T00:00:00.000Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true })
    .map((date) => instant(date.toISOString())),
  fc.record({
    kind: fc.constant('ago' as const),
    amount: fc.integer({ min: 0, max: MAX_AGO_AMOUNT }),
    unit: fc.constantFrom('h', 'd', 'w', 'm', 'y' as const),
  }),
);
const orderOperator = fc.constantFrom('<', '<=', '>', '>=' as const);
const compareOperator = fc.constantFrom('=', '<', '<=', '>', '>=' as const);
const finiteNumber = fc.double({ noNaN: true, noDefaultInfinity: true }).map((value) => (value === 0 ? 0 : value));
const metadataScalar: fc.Arbitrary<MetadataScalar> = fc.oneof(text, finiteNumber, fc.boolean());
const format = fc.oneof(
  fc.constantFrom('jpg', 'png', 'webp', 'gif', 'svg', 'pdf', 'mp4', 'tiff'),
  fc.stringMatching(/^[a-z0-9][a-z0-9.+-]{0,6}$/).filter((value) => normalizeFormat(value) === value),
);
const folder = fc
  .array(fc.stringMatching(/^[A-Za-z0-9_-][A-Za-z0-9._-]{0,5}$/), { maxLength: 3 })
  .map((segments) => (segments.length ? `/${segments.join('/')}/` : '/'));
const metadataTerm: fc.Arbitrary<MetadataTerm> = fc.record({ key: fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }) }).chain(({ key }) =>
  fc.oneof(
    fc.constantFrom('EXISTS', 'NOT EXISTS' as const).map((operator) => ({ kind: 'metadata' as const, key, operator })),
    metadataScalar.map((value) => ({ kind: 'metadata' as const, key, operator: '=' as const, value })),
    fc
      .array(metadataScalar, { minLength: 1, maxLength: 3 })
      .map((items) => ({ kind: 'metadata' as const, key, operator: 'IN' as const, values: items })),
    fc.record({ operator: orderOperator, value: fc.oneof(finiteNumber, searchDate) }).map((order) => ({ kind: 'metadata' as const, key, ...order })),
  ),
);

const termArbitrary: fc.Arbitrary<SearchTerm> = fc.oneof(
  fc.record({ scope, operator: fc.constantFrom('=', 'NOT =' as const), value: text }).map((term) => ({ kind: 'tags' as const, ...term })),
  fc.record({ scope, operator: fc.constantFrom('IN', 'NOT IN' as const), values }).map((term) => ({ kind: 'tags' as const, ...term })),
  fc.record({ operator: fc.constantFrom('=', 'NOT =', ':' as const), value: text }).map((term) => ({ kind: 'name' as const, ...term })),
  text.filter((value) => nameWords(value).length > 0).map((value) => ({ kind: 'name' as const, operator: 'HAS' as const, value })),
  values.map((items) => ({ kind: 'name' as const, operator: 'IN' as const, values: items })),
  fc.record({ operator: fc.constantFrom('=', ':' as const), folder }).map((term) => ({ kind: 'path' as const, ...term })),
  fc
    .record({ field: fc.constantFrom('createdAt', 'updatedAt' as const), operator: compareOperator, value: searchDate })
    .map((term) => ({ kind: 'date' as const, ...term })),
  fc
    .record({ field: fc.constantFrom('size', 'width', 'height' as const), operator: compareOperator, value: fc.maxSafeNat() })
    .map((term) => ({ kind: 'number' as const, ...term })),
  format.map((value) => ({ kind: 'format' as const, operator: '=' as const, value })),
  fc
    .record({ operator: fc.constantFrom('IN', 'NOT IN' as const), values: fc.array(format, { minLength: 1, maxLength: 3 }) })
    .map((term) => ({ kind: 'format' as const, ...term })),
  fc.boolean().map((value) => ({ kind: 'private' as const, value })),
  fc.constantFrom('image', 'non-image' as const).map((value) => ({ kind: 'fileType' as const, value })),
  metadataTerm,
);

const DEPTH = { maxDepth: 3, depthIdentifier: 'search-query' };
const queryArbitrary: fc.Arbitrary<SearchQuery> = fc.letrec<{ query: SearchQuery; and: SearchQuery; or: SearchQuery }>((tie) => ({
  query: fc.oneof(DEPTH, termArbitrary, tie('and'), tie('or')),
  and: fc.array(fc.oneof(DEPTH, termArbitrary, tie('or')), { minLength: 2, maxLength: 3 }).map((terms) => ({ kind: 'and', terms })),
  or: fc.array(fc.oneof(DEPTH, termArbitrary, tie('and')), { minLength: 2, maxLength: 3 }).map((terms) => ({ kind: 'or', terms })),
})).query;
