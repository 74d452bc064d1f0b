import { describe, expect, it } from 'vitest';
import { mergeAITags, percentText } from '../../web/merged-ai-tags.js';

describe('mergeAITags', () => {
  it('gives one tag per name, ignoring case, with each source and its confidence in the extensions’ order', () => {
    expect(
      mergeAITags([
        { name: 'Cat', confidence: 92.1, source: 'google-auto-tagging' },
        { name: 'Cat', confidence: 97.43, source: 'aws-auto-tagging' },
        { name: 'pet', confidence: 80, source: 'google-auto-tagging' },
        { name: 'Pet', confidence: 95.2, source: 'aws-auto-tagging' },
      ]),
    ).toEqual([
      {
        name: 'Cat',
        sources: [
          { source: 'aws-auto-tagging', confidence: 97.43 },
          { source: 'google-auto-tagging', confidence: 92.1 },
        ],
      },
      {
        name: 'Pet',
        sources: [
          { source: 'aws-auto-tagging', confidence: 95.2 },
          { source: 'google-auto-tagging', confidence: 80 },
        ],
      },
    ]);
  });

  it('puts the most confident first, then by name, whichever source found them', () => {
    const merged = mergeAITags([
      { name: 'Animal', confidence: 90, source: 'aws-auto-tagging' },
      { name: 'Red', confidence: 99, source: 'google-auto-tagging' },
      { name: 'Blue', confidence: 90, source: 'google-auto-tagging' },
    ]);
    expect(merged.map((tag) => tag.name)).toEqual(['Red', 'Animal', 'Blue']);
  });

  it('keeps a source’s higher confidence when it names a tag twice', () => {
    expect(
      mergeAITags([
        { name: 'Sky', confidence: 70, source: 'aws-auto-tagging' },
        { name: 'sky', confidence: 88, source: 'aws-auto-tagging' },
      ]),
    ).toEqual([{ name: 'Sky', sources: [{ source: 'aws-auto-tagging', confidence: 88 }] }]);
  });

  it('has nothing to merge without AI tags', () => {
    expect(mergeAITags([])).toEqual([]);
  });

  it.each([
    [97.43, '97%'],
    [92.5, '93%'],
    [0, '0%'],
    [100, '100%'],
  ])('shows %d as %s', (confidence, text) => {
    expect(percentText(confidence)).toBe(text);
  });
});
