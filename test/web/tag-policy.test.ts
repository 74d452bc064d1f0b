import { describe, expect, it } from 'vitest';
import type { TagPolicy } from '../../web/api.js';
import { draftOf, policyFromDraft } from '../../web/tag-policy.js';

const READ: TagPolicy = {
  exclude: ['Font'],
  include: [],
  excludeCategories: ['Patterns and Shapes'],
  includeCategories: [],
  synonyms: { Kitten: 'Cat' },
  updatedAt: '2026-12-07T12:00:00.000Z',
};

describe('the policy panel’s draft', () => {
  it('shows a policy as lines, and reads the lines back to the same policy', () => {
    const draft = draftOf(READ);
    expect(draft).toEqual({ exclude: 'Font', include: '', synonyms: 'Kitten = Cat' });
    expect(policyFromDraft(READ, draft)).toEqual({ policy: READ });
  });

  it('trims lines, skips blank ones, keeps the categories and updatedAt read', () => {
    expect(policyFromDraft(READ, { exclude: ' Font \n\n Rectangle ', include: 'Cat', synonyms: 'teddy bear=Toy\n  \nKitten =  Cat ' })).toEqual({
      policy: { ...READ, exclude: ['Font', 'Rectangle'], include: ['Cat'], synonyms: { 'teddy bear': 'Toy', Kitten: 'Cat' } },
    });
  });

  it.each(['Kitten', 'Kitten =', '= Cat'])('says which synonym line it cannot send: %j', (line) => {
    expect(policyFromDraft(READ, { exclude: '', include: '', synonyms: `a = b\n${line}` })).toEqual({
      problem: `Synonyms, line 2: write it as provider label = team tag (got "${line}")`,
    });
  });
});
