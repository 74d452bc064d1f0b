import { describe, expect, it } from 'vitest';
import type { FileRecord } from '../../../functions/core/file-record.js';
import { matchesSearchQuery, tagKeysInScope } from '../../../functions/core/search-match.js';
import { andSearchQuery, fileTypeTerm, parseSearchQuery, pathTerm } from '../../../functions/core/search-query.js';
import { deepFreeze, fileRecord, pdfFacts } from '../../support/sample-files.js';

/** 4 days and 2 hours after the sample file was created (2024-05-01T10:00Z), 3 days and 1 hour after its update. */
const NOW = new Date('2024-05-05T12:00:00.000Z');

const matches = (query: string, record: FileRecord = fileRecord(), now: Date = NOW) => matchesSearchQuery(record, parseSearchQuery(query), now);

/** The sample file: tags summer, sea; AI tags Sea, Cat (google) and Beach, cat (aws); /holidays/beach.jpg, 640×480, 2048 bytes. */
const sample = fileRecord();
const untagged = fileRecord({ tags: null, aiTags: {} });
const pdf = fileRecord({ ...pdfFacts, width: undefined, height: undefined, name: 'report.pdf', filePath: '/docs/report.pdf' });

describe('matchesSearchQuery', () => {
  describe('tags', () => {
    it.each([
      { query: 'tags = "summer"', expected: true },
      { query: 'tags = "SUMMER"', expected: true },
      { query: 'tags = "beach"', expected: true },
      { query: 'tags = "dog"', expected: false },
      { query: 'tags IN ["dog", "CAT"]', expected: true },
      { query: 'tags IN ["dog", "bird"]', expected: false },
      { query: 'tags NOT = "dog"', expected: true },
      { query: 'tags NOT = "Summer"', expected: false },
      { query: 'tags NOT IN ["dog", "bird"]', expected: true },
      { query: 'tags NOT IN ["dog", "sea"]', expected: false },
    ])("$query on a file's user and AI tags → $expected", ({ query, expected }) => {
      expect(matches(query)).toBe(expected);
    });

    it.each([
      { query: 'AITags = "summer"', expected: false },
      { query: 'AITags = "beach"', expected: true },
      { query: 'AITags IN ["sea"]', expected: true },
      { query: 'AITags NOT = "summer"', expected: true },
      { query: '"AITags.google-auto-tagging" = "beach"', expected: false },
      { query: '"AITags.aws-auto-tagging" = "BEACH"', expected: true },
      { query: '"AITags.google-auto-tagging" IN ["cat", "dog"]', expected: true },
      { query: '"AITags.aws-auto-tagging" NOT IN ["sea"]', expected: true },
      { query: '"AITags.google-auto-tagging" NOT IN ["sea"]', expected: false },
    ])('$query looks at AI tags only, of one source when named → $expected', ({ query, expected }) => {
      expect(matches(query)).toBe(expected);
    });

    it.each([
      { query: 'tags NOT IN ["summer"]', expected: true },
      { query: 'tags NOT = "summer"', expected: true },
      { query: 'AITags NOT IN ["cat"]', expected: true },
      { query: '"AITags.aws-auto-tagging" NOT = "cat"', expected: true },
      { query: 'tags IN ["summer"]', expected: false },
      { query: 'AITags = "cat"', expected: false },
    ])('$query on a file without tags → $expected', ({ query, expected }) => {
      expect(matches(query, untagged)).toBe(expected);
    });

    it('collects the lowercased names each scope sees', () => {
      expect([...tagKeysInScope(sample, 'any')].sort()).toEqual(['beach', 'cat', 'sea', 'summer']);
      expect([...tagKeysInScope(sample, 'ai')].sort()).toEqual(['beach', 'cat', 'sea']);
      expect([...tagKeysInScope(sample, 'google-auto-tagging')].sort()).toEqual(['cat', 'sea']);
      expect([...tagKeysInScope(untagged, 'any')]).toEqual([]);
    });
  });

  describe('name', () => {
    it.each([
      { query: 'name = "beach.jpg"', expected: true },
      { query: 'name = "Beach.jpg"', expected: false },
      { query: 'name NOT = "beach.jpg"', expected: false },
      { query: 'name NOT = "sea.jpg"', expected: true },
      { query: 'name : "bea"', expected: true },
      { query: 'name : "Bea"', expected: false },
      { query: 'name : "each"', expected: false },
      { query: 'name HAS "BEACH"', expected: true },
      { query: 'name HAS "jpg"', expected: true },
      { query: 'name HAS "bea"', expected: false },
      { query: 'name IN ["sea.jpg", "beach.jpg"]', expected: true },
      { query: 'name IN ["sea.jpg"]', expected: false },
    ])('$query → $expected (case-sensitive but for HAS)', ({ query, expected }) => {
      expect(matches(query)).toBe(expected);
    });

    it.each([
      { query: 'name HAS "dress summer"', expected: true },
      { query: 'name HAS "Summer Red"', expected: true },
      { query: 'name HAS "red-dress"', expected: true },
      { query: 'name HAS "2024_final"', expected: true },
      { query: 'name HAS "dress winter"', expected: false },
      { query: 'name HAS "dres"', expected: false },
    ])('$query splits both sides on spaces, _, - and . and needs every word → $expected', ({ query, expected }) => {
      expect(matches(query, fileRecord({ name: 'Red-Dress_summer 2024.final.jpg' }))).toBe(expected);
    });
  });

  describe('path', () => {
    const nested = fileRecord({ name: 'x.jpg', filePath: '/holidays/2024/x.jpg' });
    const atRoot = fileRecord({ name: 'x.jpg', filePath: '/x.jpg' });

    it.each([
      { query: 'path = "/holidays/"', record: sample, expected: true },
      { query: 'path = "holidays"', record: sample, expected: true },
      { query: 'path = "/"', record: sample, expected: false },
      { query: 'path = "/"', record: atRoot, expected: true },
      { query: 'path : "/"', record: sample, expected: true },
      { query: 'path : "/holidays"', record: nested, expected: true },
      { query: 'path = "/holidays/"', record: nested, expected: false },
      { query: 'path = "/holidays/2024/"', record: nested, expected: true },
      { query: 'path : "/holi"', record: sample, expected: false },
      { query: 'path : "/Holidays/"', record: sample, expected: false },
    ])('$query on $record.filePath → $expected', ({ query, record, expected }) => {
      expect(matches(query, record)).toBe(expected);
    });
  });

  describe('createdAt and updatedAt', () => {
    it.each([
      { query: 'createdAt > "7d"', expected: true },
      { query: 'createdAt > "1w"', expected: true },
      { query: 'createdAt > "3d"', expected: false },
      { query: 'createdAt < "3d"', expected: true },
      { query: 'createdAt > "99h"', expected: true },
      { query: 'createdAt > "98h"', expected: false },
      { query: 'createdAt >= "98h"', expected: true },
      { query: 'createdAt = "2024-05-01T10:00:00Z"', expected: true },
      { query: 'createdAt = "2024-05-01T12:00:00+02:00"', expected: true },
      { query: 'createdAt = "2024-05-01"', expected: false },
      { query: 'createdAt >= "2024-05-01"', expected: true },
      { query: 'createdAt <= "2024-05-01T10:00:00.000Z"', expected: true },
      { query: 'createdAt < "2024-05-01T10:00:00.000Z"', expected: false },
      { query: 'updatedAt > "2024-05-02"', expected: true },
      { query: 'updatedAt > "3d"', expected: false },
      { query: 'updatedAt > "4d"', expected: true },
    ])('$query at 2024-05-05T12:00Z → $expected', ({ query, expected }) => {
      expect(matches(query)).toBe(expected);
    });

    it('reads "7d" as exactly 7 × 24 hours before now', () => {
      // Prepare: the file was created exactly 7 days before now
      const now = new Date('2024-05-08T10:00:00.000Z');

      // Act & Assess
      expect(matches('createdAt > "7d"', sample, now)).toBe(false);
      expect(matches('createdAt >= "7d"', sample, now)).toBe(true);
      expect(matches('createdAt >= "168h"', sample, now)).toBe(true);
    });

    it('reads "30m" as 30 minutes and "1y" as 365 days', () => {
      expect(matches('createdAt >= "30m"', sample, new Date('2024-05-01T10:30:00.000Z'))).toBe(true);
      expect(matches('createdAt > "30m"', sample, new Date('2024-05-01T10:30:00.000Z'))).toBe(false);
      expect(matches('createdAt >= "1y"', sample, new Date('2025-05-01T10:00:00.000Z'))).toBe(true);
      expect(matches('createdAt > "1y"', sample, new Date('2025-05-01T10:00:00.000Z'))).toBe(false);
    });

    it('matches no relative date when now is not a valid date, and does not throw', () => {
      expect(matches('createdAt > "7d"', sample, new Date(Number.NaN))).toBe(false);
      expect(matches('createdAt < "7d"', sample, new Date(Number.NaN))).toBe(false);
    });
  });

  describe('size, width and height', () => {
    it.each([
      { query: 'size = 2048', expected: true },
      { query: 'size = "2kb"', expected: true },
      { query: 'size < "2kb"', expected: false },
      { query: 'size <= "2kb"', expected: true },
      { query: 'size > "1kb"', expected: true },
      { query: 'size >= "1mb"', expected: false },
      { query: 'width = 640', expected: true },
      { query: 'width >= 640', expected: true },
      { query: 'width > 640', expected: false },
      { query: 'height < 500', expected: true },
      { query: 'height > 480', expected: false },
    ])('$query on a 640×480, 2048-byte image → $expected', ({ query, expected }) => {
      expect(matches(query)).toBe(expected);
    });

    it.each(['width > 0', 'width < 100000', 'width = 0', 'height >= 0', 'height <= 100000'])(
      '%s never matches a file without dimensions',
      (query) => {
        expect(matches(query, pdf)).toBe(false);
      },
    );

    it('compares the size of a file without dimensions', () => {
      expect(matches('size = 1234', pdf)).toBe(true);
    });
  });

  describe('format, private and fileType', () => {
    it.each([
      { query: 'format = "jpg"', record: sample, expected: true },
      { query: 'format = "jpeg"', record: sample, expected: true },
      { query: 'format IN ["png", "gif"]', record: sample, expected: false },
      { query: 'format IN ["png", "jpg"]', record: sample, expected: true },
      { query: 'format NOT IN ["png"]', record: sample, expected: true },
      { query: 'format NOT IN ["JPG"]', record: sample, expected: false },
      { query: 'format = "pdf"', record: pdf, expected: true },
      { query: 'format = "png"', record: fileRecord({ mime: 'image/png' }), expected: true },
      { query: 'format = "svg"', record: fileRecord({ mime: 'image/svg+xml' }), expected: true },
      { query: 'private = false', record: sample, expected: true },
      { query: 'private = true', record: sample, expected: false },
      { query: 'private = true', record: fileRecord({ isPrivateFile: true }), expected: true },
      { query: 'fileType = "image"', record: sample, expected: true },
      { query: 'fileType = "non-image"', record: sample, expected: false },
      { query: 'fileType = "non-image"', record: pdf, expected: true },
    ])('$query on a $record.mime file → $expected', ({ query, record, expected }) => {
      expect(matches(query, record)).toBe(expected);
    });
  });

  describe('customMetadata', () => {
    const record = fileRecord({
      customMetadata: {
        brand: 'acme',
        rating: 4,
        approved: true,
        shotAt: '2024-04-01T08:00:00Z',
        colors: ['red', 'blue'],
        sizes: [38, 40],
        dims: { w: 1 },
        none: null,
      },
    });

    it.each([
      { query: '"customMetadata.brand" = "acme"', expected: true },
      { query: '"customMetadata.brand" = "ACME"', expected: false },
      { query: '"customMetadata.rating" = 4', expected: true },
      { query: '"customMetadata.rating" = "4"', expected: false },
      { query: '"customMetadata.approved" = true', expected: true },
      { query: '"customMetadata.approved" = "true"', expected: false },
      { query: '"customMetadata.brand" IN ["other", "acme"]', expected: true },
      { query: '"customMetadata.rating" IN [1, 4]', expected: true },
      { query: '"customMetadata.rating" IN ["4"]', expected: false },
      { query: '"customMetadata.missing" = "x"', expected: false },
    ])('$query needs the same type and value → $expected', ({ query, expected }) => {
      expect(matches(query, record)).toBe(expected);
    });

    it.each([
      { query: '"customMetadata.rating" > 3', expected: true },
      { query: '"customMetadata.rating" >= 4', expected: true },
      { query: '"customMetadata.rating" < 4', expected: false },
      { query: '"customMetadata.brand" > 3', expected: false },
      { query: '"customMetadata.shotAt" < "2024-05-01"', expected: true },
      { query: '"customMetadata.shotAt" > "2024-05-01"', expected: false },
      { query: '"customMetadata.shotAt" > "60d"', expected: true },
      { query: '"customMetadata.shotAt" > "30d"', expected: false },
      { query: '"customMetadata.brand" > "2024-01-01"', expected: false },
      { query: '"customMetadata.rating" > "2024-01-01"', expected: false },
    ])('$query compares numbers with numbers and ISO-date strings with dates → $expected', ({ query, expected }) => {
      expect(matches(query, record)).toBe(expected);
    });

    it.each([
      { query: '"customMetadata.colors" = "red"', expected: true },
      { query: '"customMetadata.colors" IN ["green", "blue"]', expected: true },
      { query: '"customMetadata.colors" = "green"', expected: false },
      { query: '"customMetadata.sizes" > 39', expected: true },
      { query: '"customMetadata.sizes" > 40', expected: false },
      { query: '"customMetadata.dims" = 1', expected: false },
    ])('$query matches a stored list when any item does, never an object → $expected', ({ query, expected }) => {
      expect(matches(query, record)).toBe(expected);
    });

    it.each([
      { query: '"customMetadata.brand" EXISTS', expected: true },
      { query: '"customMetadata.dims" EXISTS', expected: true },
      { query: '"customMetadata.missing" EXISTS', expected: false },
      { query: '"customMetadata.missing" NOT EXISTS', expected: true },
      { query: '"customMetadata.none" EXISTS', expected: false },
      { query: '"customMetadata.none" NOT EXISTS', expected: true },
      { query: '"customMetadata.toString" EXISTS', expected: false },
      { query: '"customMetadata.constructor" NOT EXISTS', expected: true },
      { query: '"customMetadata.__proto__" = "x"', expected: false },
    ])('$query looks at own keys with a non-null value only → $expected', ({ query, expected }) => {
      expect(matches(query, record)).toBe(expected);
    });
  });

  describe('AND and OR', () => {
    it.each([
      { query: 'tags IN ["dog", "cat"] AND (name HAS "beach" OR size > "1mb")', expected: true },
      { query: 'tags = "cat" AND private = true', expected: false },
      { query: 'private = true OR format = "jpg"', expected: true },
      { query: 'private = true OR format = "png" AND tags = "cat"', expected: false },
      { query: '(private = true OR format = "jpg") AND tags = "cat"', expected: true },
    ])('$query → $expected', ({ query, expected }) => {
      expect(matches(query)).toBe(expected);
    });

    it("applies the API's path and fileType conditions on top of a searchQuery", () => {
      // Prepare
      const query = andSearchQuery(parseSearchQuery('tags = "cat"'), pathTerm('/holidays/', 'folder'), fileTypeTerm('image'))!;

      // Act & Assess
      expect(matchesSearchQuery(sample, query, NOW)).toBe(true);
      expect(matchesSearchQuery(fileRecord({ filePath: '/other/beach.jpg' }), query, NOW)).toBe(false);
      expect(matchesSearchQuery(fileRecord({ fileType: 'non-image' }), query, NOW)).toBe(false);
    });
  });

  it('leaves the record as it was', () => {
    // Prepare
    const record = deepFreeze(fileRecord());

    // Act & Assess
    expect(matches('tags NOT IN ["x"] AND name HAS "beach" AND "customMetadata.brand" EXISTS AND width > 1', record)).toBe(true);
  });
});
