import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { runReportingChild } from '../child-report.js';
import type { FileRecord } from '../../functions/core/file-record.js';
import { monthOf } from '../../functions/core/search-index.js';
import { formatOfMime } from '../../functions/core/search-values.js';
import { DEFAULT_LIBRARY, FOLDERS, generateLibrary, type Library, NEEDLE } from './library.js';
import { indexedItems } from './index-layout.js';
import { measureReindex, type ReindexReport } from './reindex-sample.js';
import { combineFloors, type Floors, floorSampler, measureSearch, type SearchCase, type SearchMeasurement, sampleFloors } from './searches.js';
import { batchPut } from './seed.js';
import { type BenchTable, startBenchTable, TABLE } from './table.js';
import { measureWriteCost, type WriteCostReport } from './write-cost.js';

export interface SearchIndexOptions {
  files: number;
  /** The budget of a search without an indexable term (AITAGS_SEARCH_SCAN_LIMIT). */
  scanLimit: number;
  reindexSample: number;
  writeCostFiles: number;
  log?: (line: string) => void;
}

export interface SearchIndexReport {
  files: number;
  seed: { items: number; ms: number; itemsPerSecond: number };
  reindex: ReindexReport;
  floors: Floors;
  searches: Array<Omit<SearchMeasurement, 'fileIds'>>;
  writeCost: WriteCostReport;
  anomalies: string[];
  machine: { cpus: number; model: string; node: string; date: string };
  totalRunMs: number;
}

const INDEXED_RUNS = { warmUp: 2, runs: 15 };
const FULL_SCAN_RUNS = { warmUp: 0, runs: 3 };
const BUDGET_RUNS = { warmUp: 1, runs: 5 };

/** The whole bench in this process: its own dynalite tables, cleaned up whatever happens. */
export async function measureSearchIndex(options: SearchIndexOptions): Promise<SearchIndexReport> {
  const startedAt = performance.now();
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const anomalies: string[] = [];

  const sample = generateLibrary({ ...DEFAULT_LIBRARY, files: options.reindexSample, seed: DEFAULT_LIBRARY.seed + 1 });
  const reindex = await measureReindex(sample.records, log);
  log(
    `reindex sample: ${reindex.files} files in ${reindex.ms} ms (${reindex.filesPerSecond} files/s); layout ${JSON.stringify(reindex.layoutCheck)}`,
  );
  const { different, missing, unexpected } = reindex.layoutCheck;
  if (different || missing || unexpected) anomalies.push(`seeded layout differs from reindexAll's: ${JSON.stringify(reindex.layoutCheck)}`);

  log(`library: generating ${options.files} files…`);
  const library = generateLibrary({ ...DEFAULT_LIBRARY, files: options.files });
  const { seed, floors, searches } = await searchLibrary(library, options, anomalies, log);

  log(`write cost: ${options.writeCostFiles} files through create, tagging and a PATCH…`);
  const writeCost = await measureWriteCost(options.writeCostFiles, DEFAULT_LIBRARY.seed + 2);
  return {
    files: options.files,
    seed,
    reindex,
    floors,
    searches,
    writeCost,
    anomalies,
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', node: process.version, date: new Date().toISOString().slice(0, 10) },
    totalRunMs: Math.round(performance.now() - startedAt),
  };
}

/** Seeds `library` into a table of its own, then runs every search, the floors sampled before, between and after. */
async function searchLibrary(library: Library, options: SearchIndexOptions, anomalies: string[], log: (line: string) => void) {
  const db = await startBenchTable();
  try {
    const seed = await seedLibrary(db, library, log);
    const floor = floorSampler(
      db,
      library.records.map((record) => record.fileId),
      NEEDLE,
    );
    log('floors: GetItem and a 50-entry Query…');
    const floorsBefore = await sampleFloors(floor);
    const measured: SearchMeasurement[] = [];
    for (const search of searchCases(library, options)) {
      log(`search: ${search.name} (${search.warmUp} + ${search.runs} runs)…`);
      const result = await measureSearch(db.index, search, floor);
      log(`  ${result.status} ${result.plan}: ${result.indexItems} index items + ${result.records} records, median ${result.latency.medianMs} ms`);
      anomalies.push(...checkSearch(result, library));
      measured.push(result);
    }
    const floors = combineFloors(floorsBefore, await sampleFloors(floor));
    return { seed, floors, searches: measured.map(({ fileIds: _fileIds, ...result }) => result) };
  } finally {
    await db.stop();
  }
}

/** Every item of the library as reindexAll would leave it; the month registry through the adapter itself. */
async function seedLibrary(db: BenchTable, library: Library, log: (line: string) => void) {
  const startedAt = performance.now();
  const expected = library.records.length * 2 + [...library.tagCounts.values()].reduce((sum, count) => sum + count, 0);
  let reported = 0;
  const items = await batchPut(db.client, TABLE, iterateItems(library.records), {
    parallel: 8,
    onProgress: (written) => {
      if (written - reported < expected / 10) return;
      reported = written;
      log(`seed: ${written} / ${expected} items, ${Math.round((written / (performance.now() - startedAt)) * 1000)} items/s`);
    },
  });
  const firstOfMonth = new Map<string, FileRecord>();
  for (const record of library.records) if (!firstOfMonth.has(monthOf(record.createdAt))) firstOfMonth.set(monthOf(record.createdAt), record);
  for (const record of firstOfMonth.values()) await db.table.reindex(record);
  const ms = Math.round(performance.now() - startedAt);
  log(`seed: ${items} items in ${ms} ms`);
  return { items, ms, itemsPerSecond: Math.round((items / ms) * 1000) };
}

function* iterateItems(records: readonly FileRecord[]): Generator<Record<string, unknown>> {
  for (const record of records) yield* indexedItems(record);
}

function searchCases(library: Library, options: SearchIndexOptions): SearchCase[] {
  const [commonTag, commonCount] = closestTo(library.tagCounts, 1000, (tag) => tag !== NEEDLE);
  const folder = FOLDERS[7] as string;
  const month = '2026-05';
  const isScanMatch = (record: FileRecord) => record.size > 1000 && formatOfMime(record.mime) === 'jpg';
  const scanMatches = library.records.filter(isScanMatch).length;
  const noIndex = { searchQuery: 'size > 1000 AND format = "jpg"', sort: 'DESC_SIZE' };
  return [
    {
      name: `tag on 50 files (${NEEDLE})`,
      params: { searchQuery: `tags = "${NEEDLE}"` },
      scanLimit: options.scanLimit,
      matches: 50,
      ...INDEXED_RUNS,
    },
    {
      name: `tag on ${commonCount} files`,
      params: { searchQuery: `tags = "${commonTag}"` },
      scanLimit: options.scanLimit,
      matches: commonCount,
      ...INDEXED_RUNS,
    },
    {
      name: 'folder (path=)',
      params: { path: folder },
      scanLimit: options.scanLimit,
      matches: library.folderCounts.get(folder) ?? 0,
      ...INDEXED_RUNS,
    },
    {
      name: 'createdAt, one month',
      params: { searchQuery: `createdAt >= "${month}-01" AND createdAt < "2026-06-01"` },
      scanLimit: options.scanLimit,
      matches: library.monthCounts.get(month) ?? 0,
      ...INDEXED_RUNS,
    },
    {
      name: 'no indexable term, DESC_SIZE, budget 2× library',
      params: noIndex,
      scanLimit: options.files * 2,
      matches: scanMatches,
      ...FULL_SCAN_RUNS,
    },
    { name: 'no indexable term, default budget', params: noIndex, scanLimit: options.scanLimit, matches: scanMatches, ...BUDGET_RUNS },
    {
      name: 'default list (ASC_CREATED, limit 100)',
      params: { sort: 'ASC_CREATED', limit: '100' },
      scanLimit: options.scanLimit,
      matches: 100,
      ...INDEXED_RUNS,
    },
  ];
}

function closestTo(counts: Map<string, number>, target: number, keep: (key: string) => boolean): [string, number] {
  let best: [string, number] = ['', 0];
  for (const [key, count] of counts) {
    if (keep(key) && Math.abs(count - target) < Math.abs(best[1] - target)) best = [key, count];
  }
  return best;
}

/** What a search returned against what the library says it holds (the first 1,000, sorted as asked). */
function checkSearch(result: SearchMeasurement, library: Library): string[] {
  const problems: string[] = [];
  const expectedPage = Math.min(result.matches, Number(result.params.limit ?? 1000));
  if (result.status === 200 && result.returned !== expectedPage)
    problems.push(`${result.name}: returned ${result.returned}, expected ${expectedPage}`);
  if (result.name.includes(NEEDLE)) {
    const needles = new Set(library.records.filter((record) => record.tags?.includes(NEEDLE)).map((record) => record.fileId));
    if (result.fileIds.some((fileId) => !needles.has(fileId))) problems.push(`${result.name}: returned a file without the tag`);
  }
  return problems;
}

const MAIN_SCRIPT = fileURLToPath(new URL('../search-index.ts', import.meta.url));
export const LINE_PREFIX = 'SEARCH_INDEX ';

/** The bench in a process of its own (a clean heap and event loop); answers its report. */
export function searchIndexBench(args: string[] = []): Promise<SearchIndexReport> {
  return runReportingChild<SearchIndexReport>(MAIN_SCRIPT, args, LINE_PREFIX, 'search index bench');
}

export const searchIndexLine = (report: SearchIndexReport) => `${LINE_PREFIX}${JSON.stringify(report)}`;
