import { describe, expect, it } from 'vitest';
import { addedTags, changedTags, indexedTags, monthOf, topFolderOf } from '../../../functions/core/search-index.js';

const tagged = (tags: string[] | null, ai: string[] = []) => ({
  tags,
  aiTags: { 'aws-auto-tagging': ai.map((name) => ({ name, confidence: 90, source: 'aws-auto-tagging' as const })) },
});

describe('the search index keys', () => {
  it('lists a file once per lowercased tag, user and AI alike', () => {
    expect([...indexedTags(tagged(['Cat', 'summer'], ['cat', 'Beach']))].sort()).toEqual(['beach', 'cat', 'summer']);
  });

  it('changes only the entries whose tag came or went, whichever list holds it', () => {
    const before = tagged(['Cat'], ['Dog']);
    const after = tagged(['dog'], ['Bird']);
    expect([...changedTags(before, after)].sort()).toEqual(['bird', 'cat']);
    expect([...addedTags(before, after)]).toEqual(['bird']);
    expect([...changedTags(undefined, before)].sort()).toEqual(['cat', 'dog']);
    expect([...changedTags(before, undefined)].sort()).toEqual(['cat', 'dog']);
  });

  it.each([
    ['/a.jpg', '/'],
    ['/', '/'],
    ['/shoots/', '/shoots/'],
    ['/shoots/2024/a.jpg', '/shoots/'],
  ])('partitions %s under %s', (path, top) => {
    expect(topFolderOf(path)).toBe(top);
  });

  it('takes the month of a creation time', () => {
    expect(monthOf('2026-11-30T08:00:00.000Z')).toBe('2026-11');
  });
});
