import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatOfMime,
  instantOf,
  MAX_AGO_AMOUNT,
  nameWords,
  normalizeFormat,
  parseIsoInstant,
  parseSize,
} from '../../../functions/core/search-values.js';

describe('parseIsoInstant', () => {
  it.each([
    { text: '0000-01-01', iso: '0000-01-01T00:00:00.000Z' },
    { text: '0099-03-01', iso: '0099-03-01T00:00:00.000Z' },
    { text: '9999-12-31T23:59:59.999Z', iso: '9999-12-31T23:59:59.999Z' },
    { text: '2023-12-31T23:30-01:00', iso: '2024-01-01T00:30:00.000Z' },
  ])('reads $text as $iso', ({ text, iso }) => {
    expect(parseIsoInstant(text)).toBe(iso);
  });

  it.each([
    '2024-13-01',
    '2024-00-10',
    '2023-02-29',
    '2024-04-31',
    '2024-05-01T10:60',
    '2024-05-01T10:00:60',
    '2024-05-01Z',
    '2024-05-01T10',
    '24-05-01',
    '2024-5-1',
    '0000-01-01T00:00+01:00',
    '9999-12-31T23:00-01:00',
    '2024-05-01T10:00+24:00',
    ' 2024-05-01',
  ])('refuses %s', (text) => {
    expect(parseIsoInstant(text)).toBeUndefined();
  });

  it("reads any date's toISOString() back as itself", () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('0000-01-01T00:00:00.000Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }), (date) => {
        expect(parseIsoInstant(date.toISOString())).toBe(date.toISOString());
      }),
    );
  });
});

describe('instantOf', () => {
  const now = new Date('2024-06-01T00:00:00.000Z');

  it.each([
    { amount: 12, unit: 'h' as const, iso: '2024-05-31T12:00:00.000Z' },
    { amount: 7, unit: 'd' as const, iso: '2024-05-25T00:00:00.000Z' },
    { amount: 2, unit: 'w' as const, iso: '2024-05-18T00:00:00.000Z' },
    { amount: 30, unit: 'm' as const, iso: '2024-05-31T23:30:00.000Z' },
    { amount: 1, unit: 'y' as const, iso: '2023-06-02T00:00:00.000Z' },
    { amount: 0, unit: 'd' as const, iso: '2024-06-01T00:00:00.000Z' },
  ])('puts $amount$unit before 2024-06-01 at $iso', ({ amount, unit, iso }) => {
    expect(new Date(instantOf({ kind: 'ago', amount, unit }, now)).toISOString()).toBe(iso);
  });

  it(`stays within the dates JavaScript can hold for up to ${MAX_AGO_AMOUNT} years back`, () => {
    expect(Number.isNaN(new Date(instantOf({ kind: 'ago', amount: MAX_AGO_AMOUNT, unit: 'y' }, now)).getTime())).toBe(false);
  });
});

describe('parseSize', () => {
  it.each([
    { text: '0', bytes: 0 },
    { text: '1.5kb', bytes: 1536 },
    { text: '2 MB', bytes: 2_097_152 },
    { text: '1Gb', bytes: 1_073_741_824 },
    { text: '8191tb', bytes: 8191 * 1024 ** 4 },
  ])('reads $text as $bytes bytes', ({ text, bytes }) => {
    expect(parseSize(text)).toBe(bytes);
  });

  it.each(['', 'mb', '-1kb', '1 k b', '1pb', '8192tb', '1e3', '.5kb'])('refuses %j', (text) => {
    expect(parseSize(text)).toBeUndefined();
  });
});

describe('formatOfMime', () => {
  it.each([
    { mime: 'image/jpeg', format: 'jpg' },
    { mime: 'image/png', format: 'png' },
    { mime: 'image/webp', format: 'webp' },
    { mime: 'image/svg+xml', format: 'svg' },
    { mime: 'image/x-icon', format: 'ico' },
    { mime: 'image/heic', format: 'heic' },
    { mime: 'image/tiff', format: 'tiff' },
    { mime: 'application/pdf', format: 'pdf' },
    { mime: 'video/mp4', format: 'mp4' },
    { mime: 'video/quicktime', format: 'mov' },
    { mime: 'application/x-tar', format: 'tar' },
    { mime: 'IMAGE/JPEG; charset=binary', format: 'jpg' },
    { mime: 'constructor', format: 'constructor' },
  ])('names $mime as $format', ({ mime, format }) => {
    expect(formatOfMime(mime)).toBe(format);
  });

  it('names every mime as a format the query accepts', () => {
    fc.assert(
      fc.property(fc.constantFrom('image/jpeg', 'image/png', 'image/gif', 'image/avif', 'image/svg+xml', 'application/pdf', 'audio/mpeg'), (mime) => {
        expect(normalizeFormat(formatOfMime(mime))).toBe(formatOfMime(mime));
      }),
    );
  });
});

describe('normalizeFormat', () => {
  it.each(['', 'j p g', '.jpg', 'x'.repeat(21), 'jpg!'])('refuses %j', (text) => {
    expect(normalizeFormat(text)).toBeUndefined();
  });

  it('does not read inherited property names as aliases', () => {
    expect(normalizeFormat('constructor')).toBe('constructor');
  });
});

describe('nameWords', () => {
  it('splits on spaces, underscores, hyphens and dots, lowercased', () => {
    expect(nameWords(' Red-Dress__summer 2024.final.JPG ')).toEqual(['red', 'dress', 'summer', '2024', 'final', 'jpg']);
    expect(nameWords('-_. ')).toEqual([]);
  });
});
