import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EXTENSION_NAMES } from '../../../functions/core/extension-names.js';
import type { FileRecord } from '../../../functions/core/file-record.js';
import { matchesSearchQuery } from '../../../functions/core/search-match.js';
import { coversRecord, type IndexLookup, planSearchQuery } from '../../../functions/core/search-plan.js';
import {
  andSearchQuery,
  fileTypeTerm,
  parseSearchQuery,
  pathTerm,
  type SearchDate,
  type SearchQuery,
  type SearchTerm,
  type TagScope,
} from '../../../functions/core/search-query.js';
import { fileRecord } from '../../support/sample-files.js';

const NOW = new Date('2024-06-01T00:00:00.000Z');

const plan = (query: string, now: Date = NOW) => planSearchQuery(parseSearchQuery(query), now);
const index = (...lookups: IndexLookup[]) => ({ kind: 'index', lookups });
const SCAN = { kind: 'scan' };
const tag = (name: string, scope: TagScope = 'any'): IndexLookup => ({ kind: 'tag', tag: name, scope });

describe('planSearchQuery', () => {
  describe('a single term', () => {
    it.each([
      { query: 'tags = "Cat"', expected: index(tag('cat')) },
      { query: 'tags IN ["Cat", "cat", "Dog"]', expected: index(tag('cat'), tag('dog')) },
      { query: 'AITags = "Dog"', expected: index(tag('dog', 'ai')) },
      { query: '"AITags.aws-auto-tagging" IN ["Beach"]', expected: index(tag('beach', 'aws-auto-tagging')) },
      { query: 'path = "/shoots/"', expected: index({ kind: 'path', folder: '/shoots/', recursive: false }) },
      { query: 'path : "shoots"', expected: index({ kind: 'path', folder: '/shoots/', recursive: true }) },
      { query: 'path : "/"', expected: SCAN },
      { query: 'path = "/"', expected: index({ kind: 'path', folder: '/', recursive: false }) },
      { query: 'createdAt > "7d"', expected: index({ kind: 'created', from: '2024-05-25T00:00:00.000Z' }) },
      { query: 'createdAt >= "2024-01-01"', expected: index({ kind: 'created', from: '2024-01-01T00:00:00.000Z' }) },
      { query: 'createdAt < "2024-01-01"', expected: index({ kind: 'created', to: '2024-01-01T00:00:00.000Z' }) },
      { query: 'createdAt <= "12h"', expected: index({ kind: 'created', to: '2024-05-31T12:00:00.000Z' }) },
      {
        query: 'createdAt = "2024-01-01T10:00Z"',
        expected: index({ kind: 'created', from: '2024-01-01T10:00:00.000Z', to: '2024-01-01T10:00:00.000Z' }),
      },
    ])('reads the index for $query', ({ query, expected }) => {
      expect(plan(query)).toEqual(expected);
    });

    it.each([
      'tags NOT IN ["a"]',
      'tags NOT = "a"',
      'AITags NOT IN ["a"]',
      'name = "a.jpg"',
      'name : "a"',
      'updatedAt > "7d"',
      'size < "1mb"',
      'width > 10',
      'format = "jpg"',
      'private = true',
      '"customMetadata.brand" = "acme"',
      '"customMetadata.brand" NOT EXISTS',
    ])('scans for %s', (query) => {
      expect(plan(query)).toEqual(SCAN);
    });
  });

  describe('OR', () => {
    it('reads the union when every branch is indexable', () => {
      expect(plan('tags = "a" OR path = "/x/" OR createdAt > "1d" OR tags = "A"')).toEqual(
        index(tag('a'), { kind: 'path', folder: '/x/', recursive: false }, { kind: 'created', from: '2024-05-31T00:00:00.000Z' }),
      );
    });

    it('scans when one branch is not indexable', () => {
      expect(plan('tags = "a" OR name = "x"')).toEqual(SCAN);
      expect(plan('tags = "a" OR tags NOT IN ["b"]')).toEqual(SCAN);
    });

    it('takes an indexable AND as a branch', () => {
      expect(plan('(tags = "a" AND size > 5) OR path = "/x/"')).toEqual(index(tag('a'), { kind: 'path', folder: '/x/', recursive: false }));
    });
  });

  describe('AND', () => {
    it('reads one indexable child, preferring a tag to a path to a createdAt range', () => {
      expect(plan('createdAt > "7d" AND path = "/x/" AND tags = "a" AND size < 5')).toEqual(index(tag('a')));
      expect(plan('createdAt > "7d" AND path : "/x/"')).toEqual(index({ kind: 'path', folder: '/x/', recursive: true }));
      expect(plan('createdAt > "7d" AND name HAS "x"')).toEqual(index({ kind: 'created', from: '2024-05-25T00:00:00.000Z' }));
    });

    it('scans when no child is indexable', () => {
      expect(plan('tags NOT IN ["a"] AND name = "x"')).toEqual(SCAN);
    });

    it('judges an OR child by its least selective lookup, then by how many it reads', () => {
      expect(plan('(tags = "a" OR path = "/x/") AND (tags = "b" OR tags = "c")')).toEqual(index(tag('b'), tag('c')));
      expect(plan('(tags = "a" OR tags = "b" OR tags = "c") AND tags = "d"')).toEqual(index(tag('d')));
      expect(plan('(tags = "a" OR createdAt > "1d") AND path = "/x/"')).toEqual(index({ kind: 'path', folder: '/x/', recursive: false }));
    });

    it('intersects the createdAt ranges among its children into one lookup', () => {
      expect(plan('createdAt > "2024-01-01" AND name HAS "x" AND createdAt <= "2024-02-01" AND createdAt < "2024-03-01"')).toEqual(
        index({ kind: 'created', from: '2024-01-01T00:00:00.000Z', to: '2024-02-01T00:00:00.000Z' }),
      );
    });

    it('reads nothing when the createdAt ranges cannot overlap', () => {
      expect(plan('createdAt > "2024-02-01" AND createdAt < "2024-01-01"')).toEqual(index());
      expect(plan('(createdAt > "1d" AND createdAt < "2d") OR tags = "a"')).toEqual(index(tag('a')));
    });

    it("plans the API's path parameter as an index read when the searchQuery has none", () => {
      // Prepare
      const query = andSearchQuery(parseSearchQuery('size < "1mb"'), pathTerm('/shoots', 'folder'), fileTypeTerm('image'))!;

      // Act & Assess
      expect(planSearchQuery(query, NOW)).toEqual(index({ kind: 'path', folder: '/shoots/', recursive: false }));
    });
  });

  it('does not read a relative range when now is not a valid date', () => {
    expect(plan('createdAt > "7d"', new Date(Number.NaN))).toEqual(SCAN);
    expect(plan('createdAt > "2024-01-01" AND createdAt < "7d"', new Date(Number.NaN))).toEqual(SCAN);
    expect(plan('createdAt > "2024-01-01"', new Date(Number.NaN))).toEqual(index({ kind: 'created', from: '2024-01-01T00:00:00.000Z' }));
  });
});

describe('coversRecord', () => {
  const record = fileRecord({ filePath: '/holidays/2024/beach.jpg', createdAt: '2024-05-01T10:00:00.000Z' });

  it.each<{ lookup: IndexLookup; expected: boolean }>([
    { lookup: tag('summer'), expected: true },
    { lookup: tag('summer', 'ai'), expected: false },
    { lookup: tag('beach', 'ai'), expected: true },
    { lookup: tag('beach', 'google-auto-tagging'), expected: false },
    { lookup: tag('Beach'), expected: false },
    { lookup: { kind: 'path', folder: '/holidays/2024/', recursive: false }, expected: true },
    { lookup: { kind: 'path', folder: '/holidays/', recursive: false }, expected: false },
    { lookup: { kind: 'path', folder: '/holidays/', recursive: true }, expected: true },
    { lookup: { kind: 'created', from: '2024-05-01T10:00:00.000Z', to: '2024-05-01T10:00:00.000Z' }, expected: true },
    { lookup: { kind: 'created', from: '2024-05-01T10:00:00.001Z' }, expected: false },
    { lookup: { kind: 'created', to: '2024-05-01T09:59:59.999Z' }, expected: false },
    { lookup: { kind: 'created' }, expected: true },
  ])('$lookup → $expected', ({ lookup, expected }) => {
    expect(coversRecord(lookup, record)).toBe(expected);
  });
});

// ---- soundness: a small world of tags, folders and dates, so that random queries match random files ----------

const VOCABULARY = ['sea', 'Sea', 'cat', 'DOG', 'beach'];
const FOLDERS = ['/', '/a/', '/a/b/', '/c/'];
const DATES = ['2024-01-01T00:00:00.000Z', '2024-03-01T00:00:00.000Z', '2024-05-01T00:00:00.000Z', '2024-05-31T12:00:00.000Z'];

const scope = fc.constantFrom<TagScope>('any', 'ai', ...EXTENSION_NAMES);
const word = fc.constantFrom(...VOCABULARY);
const date: fc.Arbitrary<SearchDate> = fc.oneof(
  fc.constantFrom(...DATES).map((iso) => ({ kind: 'instant' as const, iso })),
  fc.record({ kind: fc.constant('ago' as const), amount: fc.integer({ min: 0, max: 200 }), unit: fc.constantFrom('h', 'd', 'w', 'm' as const) }),
);
const compareOperator = fc.constantFrom('=', '<', '<=', '>', '>=' as const);

const indexableTerm: fc.Arbitrary<SearchTerm> = fc.oneof(
  fc.record({ scope, value: word }).map((term) => ({ kind: 'tags' as const, operator: '=' as const, ...term })),
  fc
    .record({ scope, values: fc.array(word, { minLength: 1, maxLength: 3 }) })
    .map((term) => ({ kind: 'tags' as const, operator: 'IN' as const, ...term })),
  fc
    .record({ operator: fc.constantFrom('=', ':' as const), folder: fc.constantFrom(...FOLDERS) })
    // `path : "/"` is every file: a walk, not an index read.
    .filter((term) => !(term.operator === ':' && term.folder === '/'))
    .map((term) => ({ kind: 'path' as const, ...term })),
  fc.record({ operator: compareOperator, value: date }).map((term) => ({ kind: 'date' as const, field: 'createdAt' as const, ...term })),
);
const otherTerm: fc.Arbitrary<SearchTerm> = fc.oneof(
  fc.record({ scope, value: word }).map((term) => ({ kind: 'tags' as const, operator: 'NOT =' as const, ...term })),
  fc
    .record({ scope, values: fc.array(word, { minLength: 1, maxLength: 3 }) })
    .map((term) => ({ kind: 'tags' as const, operator: 'NOT IN' as const, ...term })),
  fc.record({ operator: compareOperator, value: date }).map((term) => ({ kind: 'date' as const, field: 'updatedAt' as const, ...term })),
  fc
    .record({ operator: compareOperator, value: fc.integer({ min: 0, max: 4000 }) })
    .map((term) => ({ kind: 'number' as const, field: 'size' as const, ...term })),
  word.map((value) => ({ kind: 'name' as const, operator: 'HAS' as const, value })),
);

const queryOf = (term: fc.Arbitrary<SearchTerm>) =>
  fc.letrec<{ query: SearchQuery; group: SearchQuery }>((tie) => ({
    query: fc.oneof({ maxDepth: 3, depthIdentifier: 'plan' }, term, tie('group')),
    group: fc.record({ kind: fc.constantFrom('and', 'or' as const), terms: fc.array(tie('query'), { minLength: 2, maxLength: 3 }) }),
  })).query;

const recordArbitrary: fc.Arbitrary<FileRecord> = fc
  .record({
    tags: fc.option(fc.subarray(VOCABULARY, { minLength: 1 }), { nil: null }),
    aws: fc.subarray(VOCABULARY),
    google: fc.subarray(VOCABULARY),
    folder: fc.constantFrom(...FOLDERS),
    createdAt: fc.oneof(
      fc.constantFrom(...DATES),
      fc
        .date({ min: new Date('2023-12-01T00:00:00.000Z'), max: new Date('2024-06-30T00:00:00.000Z'), noInvalidDate: true })
        .map((d) => d.toISOString()),
    ),
    size: fc.integer({ min: 0, max: 4000 }),
  })
  .map(({ tags, aws, google, folder, createdAt, size }) =>
    fileRecord({
      tags,
      aiTags: {
        'aws-auto-tagging': aws.map((name) => ({ name, confidence: 90, source: 'aws-auto-tagging' as const })),
        'google-auto-tagging': google.map((name) => ({ name, confidence: 90, source: 'google-auto-tagging' as const })),
      },
      name: `${tags?.[0] ?? 'file'}.jpg`,
      filePath: `${folder}${tags?.[0] ?? 'file'}.jpg`,
      createdAt,
      updatedAt: createdAt,
      size,
    }),
  );

describe('planSearchQuery is sound', () => {
  it('covers every file the query matches with some lookup of an index plan', () => {
    let covered = 0;
    fc.assert(
      fc.property(queryOf(fc.oneof(indexableTerm, otherTerm)), fc.array(recordArbitrary, { minLength: 1, maxLength: 8 }), (query, records) => {
        const searchPlan = planSearchQuery(query, NOW);
        if (searchPlan.kind === 'scan') return;
        for (const record of records.filter((candidate) => matchesSearchQuery(candidate, query, NOW))) {
          expect(searchPlan.lookups.some((lookup) => coversRecord(lookup, record))).toBe(true);
          covered++;
        }
      }),
      { numRuns: 2000 },
    );
    // The property means little unless many matches went through an index plan.
    expect(covered).toBeGreaterThan(500);
  });

  it('reads the index for any query made of positive tag, path and createdAt terms', () => {
    fc.assert(
      fc.property(queryOf(indexableTerm), (query) => {
        expect(planSearchQuery(query, NOW).kind).toBe('index');
      }),
      { numRuns: 500 },
    );
  });
});
