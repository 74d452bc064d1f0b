import { describe, expect, it } from 'vitest';
import { dimensionsText, formatText, sizeText } from '../../web/file-facts.js';

describe('file facts as text', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1.0 KB'],
    [14_336, '14 KB'],
    [5 * 1024 * 1024, '5.0 MB'],
    [3 * 1024 ** 4, '3072 GB'],
  ])('sizes %i bytes as %s', (bytes, text) => {
    expect(sizeText(bytes)).toBe(text);
  });

  it('gives dimensions only for files that have them', () => {
    expect(dimensionsText({ width: 640, height: 480 })).toBe('640 × 480');
    expect(dimensionsText({})).toBeUndefined();
  });

  it.each([
    ['application/pdf', 'PDF'],
    ['image/svg+xml', 'SVG'],
    ['application/x-zip', 'ZIP'],
  ])('names %s %s', (mime, text) => {
    expect(formatText(mime)).toBe(text);
  });
});
