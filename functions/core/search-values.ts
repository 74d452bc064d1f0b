import type { ExtensionName } from './extension-names.js';

/**
 * Values of searchQuery terms (docs/search-query.md): dates, sizes, formats, tag and name words — read
 * from query text and from stored records by the same rules, so parser, matcher and planner agree.
 */

/** Which tags a `tags` / `AITags` / `"AITags.<source>"` term looks at. */
export type TagScope = 'any' | 'ai' | ExtensionName;

/** Relative units: minutes, hours, days, weeks, years (365 days). */
export type AgoUnit = 'h' | 'd' | 'w' | 'm' | 'y';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
export const AGO_UNIT_MS: Record<AgoUnit, number> = { m: 60_000, h: HOUR_MS, d: DAY_MS, w: 7 * DAY_MS, y: 365 * DAY_MS };
/** 100,000 years back still lies within the range a JavaScript Date can hold. */
export const MAX_AGO_AMOUNT = 100_000;

/** An instant in a query: absolute, or `amount` units before the `now` a search runs at. */
export type SearchDate = { kind: 'instant'; iso: string } | { kind: 'ago'; amount: number; unit: AgoUnit };

const AGO = /^(\d{1,6})([hdwmy])$/i;

/** `"7d"` → 7 days ago; undefined for anything else. */
export function parseAgo(text: string): SearchDate | undefined {
  const match = AGO.exec(text);
  if (!match) return undefined;
  const [, digits = '', unit = ''] = match;
  const amount = Number(digits);
  if (amount > MAX_AGO_AMOUNT) return undefined;
  return { kind: 'ago', amount, unit: unit.toLowerCase() as AgoUnit };
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?)?$/;

/**
 * ISO 8601 `YYYY-MM-DD[THH:MM[:SS[.sss]]][Z|±HH:MM]` → the canonical `toISOString()` form, or undefined.
 * No zone means UTC (ImageKit reads `2020-01-01` as midnight UTC); impossible dates (`02-30`) are refused.
 */
export function parseIsoInstant(text: string): string | undefined {
  const match = ISO_DATE.exec(text);
  if (!match) return undefined;
  const part = (group: number) => Number(match[group] ?? 0);
  const [year, month, day, hour, minute, second] = [part(1), part(2), part(3), part(4), part(5), part(6)];
  const millisecond = Number((match[7] ?? '').padEnd(3, '0').slice(0, 3));
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return undefined;
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not read years 0–99 as 1900–1999.
  date.setUTCFullYear(year, month - 1, day);
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  date.setUTCHours(hour, minute, second, millisecond);
  if (match[9]) {
    const offsetHours = Number(match[10]);
    const offsetMinutes = Number(match[11]);
    if (offsetHours > 23 || offsetMinutes > 59) return undefined;
    const sign = match[9] === '+' ? 1 : -1;
    date.setTime(date.getTime() - sign * (offsetHours * 60 + offsetMinutes) * 60_000);
  }
  const utcYear = date.getUTCFullYear();
  if (utcYear < 0 || utcYear > 9999) return undefined;
  return date.toISOString();
}

/** `"7d"` or an ISO date → one. */
export function parseSearchDate(text: string): SearchDate | undefined {
  const ago = parseAgo(text);
  if (ago) return ago;
  const iso = parseIsoInstant(text);
  return iso === undefined ? undefined : { kind: 'instant', iso };
}

/** Milliseconds since the epoch; NaN when `now` is not a valid date. */
export function instantOf(date: SearchDate, now: Date): number {
  return date.kind === 'instant' ? Date.parse(date.iso) : now.getTime() - date.amount * AGO_UNIT_MS[date.unit];
}

/** The canonical text of a date value, as printed inside quotes. */
export function searchDateText(date: SearchDate): string {
  return date.kind === 'instant' ? date.iso : `${date.amount}${date.unit}`;
}

/** Binary multiples, as ImageKit's dashboard shows sizes: 1 kb = 1024 bytes. */
const SIZE_UNITS = new Map([
  ['b', 1],
  ['kb', 1024],
  ['mb', 1024 ** 2],
  ['gb', 1024 ** 3],
  ['tb', 1024 ** 4],
]);
const SIZE = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb|tb)?$/i;

/** `"500kb"` → 512000; `"1234"` → 1234; undefined for anything else or beyond 2^53 − 1. */
export function parseSize(text: string): number | undefined {
  const match = SIZE.exec(text);
  if (!match) return undefined;
  const [, amount = '', unit = 'b'] = match;
  const bytes = Number(amount) * (SIZE_UNITS.get(unit.toLowerCase()) ?? 1);
  return bytes <= Number.MAX_SAFE_INTEGER ? bytes : undefined;
}

const FORMAT = /^[a-z0-9][a-z0-9.+-]{0,19}$/;
const FORMAT_ALIASES = new Map([
  ['jpeg', 'jpg'],
  ['tif', 'tiff'],
  ['svg+xml', 'svg'],
]);

/** `"JPEG"` → `jpg`; undefined for text that cannot be a format name. */
export function normalizeFormat(text: string): string | undefined {
  const lower = text.trim().toLowerCase();
  if (!FORMAT.test(lower)) return undefined;
  return FORMAT_ALIASES.get(lower) ?? lower;
}

/** Subtypes whose usual file extension differs from the subtype itself. */
const FORMAT_BY_MIME = new Map([
  ['image/jpeg', 'jpg'],
  ['image/svg+xml', 'svg'],
  ['image/x-icon', 'ico'],
  ['image/vnd.microsoft.icon', 'ico'],
  ['image/vnd.adobe.photoshop', 'psd'],
  ['video/quicktime', 'mov'],
  ['video/x-matroska', 'mkv'],
  ['audio/mpeg', 'mp3'],
  ['text/plain', 'txt'],
  ['application/octet-stream', 'bin'],
]);

/** The `format` a search sees for a stored mime: `image/jpeg` → `jpg`, `image/png` → `png`. */
export function formatOfMime(mime: string): string {
  const bare = (mime.split(';')[0] ?? '').trim().toLowerCase();
  const known = FORMAT_BY_MIME.get(bare);
  if (known) return known;
  const subtype = (bare.split('/')[1] ?? bare).replace(/^x-/, '').replace(/\+.*$/, '');
  return FORMAT_ALIASES.get(subtype) ?? subtype;
}

/** Tags match case-insensitively; index entries are written under the same key the planner looks up. */
export function searchTagKey(tag: string): string {
  return tag.toLowerCase();
}

const WORD_SEPARATORS = /[\s_.-]+/;

/** `Red-Dress_summer.jpg` → `red`, `dress`, `summer`, `jpg`: what `name HAS` compares. */
export function nameWords(text: string): string[] {
  return text
    .toLowerCase()
    .split(WORD_SEPARATORS)
    .filter((word) => word !== '');
}

/** `/a/b/c.jpg` → `/a/b/`. */
export function folderOf(filePath: string): string {
  return filePath.slice(0, filePath.lastIndexOf('/') + 1);
}

/** Whether the file at `filePath` is directly in `folder` (normalised, `/a/b/`), or with `below` anywhere under it. */
export function isInFolder(filePath: string, folder: string, below: boolean): boolean {
  return below ? filePath.startsWith(folder) : folderOf(filePath) === folder;
}
