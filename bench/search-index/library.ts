import type { AITag, ContentFacts, FileRecord } from '../../functions/core/file-record.js';

/**
 * A synthetic library for the search bench, the same for a given seed: files spread over 24 months and
 * ~50 folders, each with 2 user tags and 5 AI tags drawn (Zipf) from a vocabulary of ~2,000 words, and
 * one tag, `needle`, on exactly `needles` files.
 */

export const NEEDLE = 'needle';

export interface LibraryOptions {
  files: number;
  needles: number;
  seed: number;
  /** Months of createdAt, ending with the one before `end`. */
  months: number;
  end: string;
  vocabulary: number;
}

export const DEFAULT_LIBRARY: Omit<LibraryOptions, 'files'> = {
  needles: 50,
  seed: 10,
  months: 24,
  end: '2026-11-01T00:00:00.000Z',
  vocabulary: 2000,
};

/** mulberry32: small, fast, and good enough to spread a bench's data. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'ti', 'vo', 'be', 'da', 'fu', 'go', 'hi', 'ja', 'pe', 'zo', 'ar', 'el', 'in', 'ou'];

/** Distinct pronounceable words (never `needle`), most frequent first. */
export function vocabulary(size: number, random: () => number): string[] {
  const words = new Set<string>();
  while (words.size < size) {
    const syllables = 2 + Math.floor(random() * 3);
    let word = '';
    for (let index = 0; index < syllables; index++) word += SYLLABLES[Math.floor(random() * SYLLABLES.length)];
    if (word !== NEEDLE) words.add(word);
  }
  return [...words];
}

/** Draws ranks 0..n-1 with P(rank) ∝ 1/(rank+1), by binary search over the cumulative weights. */
export function zipf(n: number, random: () => number): () => number {
  const cumulative = new Float64Array(n);
  let total = 0;
  for (let rank = 0; rank < n; rank++) {
    total += 1 / (rank + 1);
    cumulative[rank] = total;
  }
  return () => {
    const target = random() * total;
    let low = 0;
    let high = n - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((cumulative[middle] as number) < target) low = middle + 1;
      else high = middle;
    }
    return low;
  };
}

const FORMATS: Array<{ share: number; mime: string; extension: string; alpha: boolean }> = [
  { share: 0.7, mime: 'image/jpeg', extension: 'jpg', alpha: false },
  { share: 0.2, mime: 'image/png', extension: 'png', alpha: true },
  { share: 0.1, mime: 'image/webp', extension: 'webp', alpha: false },
];

const TOP_FOLDERS = ['clients', 'shoots', 'products', 'events', 'archive', 'social', 'press', 'team', 'stock', 'uploads'];
const SUB_FOLDERS = ['2025', '2026', 'raw', 'selects', 'web'];

/** 50 folders, two levels deep (`/shoots/raw/`): a folder query reads one key range of its top folder's partition. */
export const FOLDERS = TOP_FOLDERS.flatMap((top) => SUB_FOLDERS.map((sub) => `/${top}/${sub}/`));

export interface Library {
  records: FileRecord[];
  /** Indexed tag key (lowercased) → files that carry it. */
  tagCounts: Map<string, number>;
  /** Month (`2026-05`) → files created in it. */
  monthCounts: Map<string, number>;
  folderCounts: Map<string, number>;
}

export function generateLibrary(options: LibraryOptions): Library {
  const random = prng(options.seed);
  const words = vocabulary(options.vocabulary, random);
  const drawWord = zipf(words.length, random);
  const needleAt = chooseIndexes(options.files, options.needles, random);
  const end = Date.parse(options.end);
  const start = new Date(end);
  start.setUTCMonth(start.getUTCMonth() - options.months);
  const span = end - start.getTime();
  const library: Library = { records: [], tagCounts: new Map(), monthCounts: new Map(), folderCounts: new Map() };

  for (let index = 0; index < options.files; index++) {
    const tags = distinctWords(7, () => words[drawWord()] as string);
    if (needleAt.has(index)) tags[0] = NEEDLE;
    const createdAt = new Date(start.getTime() + Math.floor(random() * span)).toISOString();
    const folder = FOLDERS[Math.floor(random() * FOLDERS.length)] as string;
    const record = fileRecord(index, folder, createdAt, tags, random);
    library.records.push(record);
    for (const tag of tags) count(library.tagCounts, tag);
    count(library.monthCounts, createdAt.slice(0, 7));
    count(library.folderCounts, folder);
  }
  return library;
}

/** 24 hex digits as the API's fileIds, unique by construction (the index, then filler). */
export const benchFileId = (index: number) => `b${index.toString(16).padStart(7, '0')}${'0'.repeat(15)}e`;

function fileRecord(index: number, folder: string, createdAt: string, tags: string[], random: () => number): FileRecord {
  const format = pickFormat(random());
  const name = `IMG_${String(index).padStart(6, '0')}.${format.extension}`;
  const landscape = random() < 0.7;
  const [width, height] = landscape ? [4000, 3000] : [3000, 4000];
  const facts: ContentFacts = {
    // 30 KB–8 MB, log-uniform.
    size: Math.round(30_000 * Math.exp(random() * Math.log(8_000_000 / 30_000))),
    mime: format.mime,
    fileType: 'image',
    width,
    height,
    hasAlpha: format.alpha,
    hasThumbnail: true,
  };
  const aiTag = (tag: string, source: AITag['source']): AITag => ({
    name: capitalize(tag),
    confidence: Math.round((60 + random() * 40) * 100) / 100,
    source,
  });
  const updatedAt = new Date(Date.parse(createdAt) + 60_000).toISOString();
  return {
    ...facts,
    fileId: benchFileId(index),
    // create, start run, two outcomes
    version: 4,
    name,
    filePath: `${folder}${name}`,
    isPrivateFile: false,
    tags: tags.slice(0, 2),
    customCoordinates: null,
    customMetadata: { shoot: `S-${Math.floor(random() * 500)}`, rating: 1 + Math.floor(random() * 5) },
    aiTags: {
      'aws-auto-tagging': tags.slice(2, 5).map((tag) => aiTag(tag, 'aws-auto-tagging')),
      'google-auto-tagging': tags.slice(5, 7).map((tag) => aiTag(tag, 'google-auto-tagging')),
    },
    extensionStatus: { 'aws-auto-tagging': 'success', 'google-auto-tagging': 'success' },
    extensionRuns: { 'aws-auto-tagging': `run-${index}`, 'google-auto-tagging': `run-${index}` },
    extensionErrors: {},
    pendingWebhooks: {},
    createdAt,
    updatedAt,
  };
}

function pickFormat(draw: number) {
  let left = draw;
  for (const format of FORMATS) {
    if (left < format.share) return format;
    left -= format.share;
  }
  return FORMATS[0] as (typeof FORMATS)[number];
}

export function distinctWords(count: number, draw: () => string): string[] {
  const words = new Set<string>();
  while (words.size < count) words.add(draw());
  return [...words];
}

function chooseIndexes(total: number, count: number, random: () => number): Set<number> {
  const chosen = new Set<number>();
  while (chosen.size < Math.min(count, total)) chosen.add(Math.floor(random() * total));
  return chosen;
}

const capitalize = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

function count(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}
