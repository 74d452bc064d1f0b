import { describe, expect, it } from 'vitest';
import { hasTagName, withoutTagName, withTagName } from '../../web/tag-names.js';

describe('tag names, compared ignoring case', () => {
  it('adds a name at the end only when no spelling of it is there', () => {
    expect(withTagName(['holiday'], 'Cat')).toEqual(['holiday', 'Cat']);
    expect(withTagName(['holiday', 'cat'], 'Cat')).toEqual(['holiday', 'cat']);
    expect(withTagName([], 'Cat')).toEqual(['Cat']);
  });

  it('removes every spelling of a name and keeps the rest in order', () => {
    expect(withoutTagName(['Dog', 'cat', 'Pet'], 'Cat')).toEqual(['Dog', 'Pet']);
    expect(withoutTagName(['Dog'], 'Cat')).toEqual(['Dog']);
  });

  it('tells whether a list holds a name', () => {
    expect(hasTagName(['Font', 'Indoors'], 'indoors')).toBe(true);
    expect(hasTagName(['Font'], 'Fonts')).toBe(false);
  });

  it('leaves the list it was given unchanged', () => {
    const names = ['Dog'];
    withTagName(names, 'Cat');
    expect(names).toEqual(['Dog']);
  });
});
