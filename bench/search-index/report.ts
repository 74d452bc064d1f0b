import type { SearchIndexReport } from './run.js';
import { DYNAMODB_PRICES } from '../dynamodb-prices.js';

type Cell = string | number | null;

/** A plain-text table: the first column left-aligned, the others right-aligned, each padded to its widest cell. */
function grid(header: string[], rows: Cell[][]): string {
  const cells = [header, ...rows.map((row) => row.map((cell) => (cell === null ? '–' : String(cell))))];
  const widths = header.map((_, column) => Math.max(...cells.map((line) => (line[column] ?? '').length)));
  const format = (line: string[]) =>
    line
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[column] as number) : cell.padStart(widths[column] as number)))
      .join('  ')
      .trimEnd();
  return [format(header), widths.map((width) => '-'.repeat(width)).join('  '), ...cells.slice(1).map(format)].join('\n');
}

export function formatSearchIndex(report: SearchIndexReport): string {
  const { floors, seed, reindex, writeCost } = report;
  const searches = grid(
    ['search', 'plan', 'status', 'matches', 'index items', 'records', 'items/match', 'median ms', 'p90 ms', 'floors ms', '× GetItem', '× Query50'],
    report.searches.map((search) => [
      search.name,
      search.plan,
      search.status,
      search.matches,
      search.indexItems,
      search.records,
      search.itemsPerMatch,
      search.latency.medianMs,
      search.latency.p90Ms,
      `${search.floorMs.getItem} / ${search.floorMs.query50}`,
      search.ratioToGetItem,
      search.ratioToQuery50,
    ]),
  );
  const per1000 = writeCost.per1000;
  const writes = grid(
    ['per 1,000 images', 'requests', 'table WU', 'index WU'],
    [
      ['records and path claims', per1000.record.requests, per1000.record.tableUnits, per1000.record.indexUnits],
      ['tag entries', per1000.tagEntry.requests, per1000.tagEntry.tableUnits, per1000.tagEntry.indexUnits],
      ['month registry', per1000.monthRegistry.requests, per1000.monthRegistry.tableUnits, per1000.monthRegistry.indexUnits],
      ['total', totalRequests(report), writeCost.writeUnitsPer1000.table, writeCost.writeUnitsPer1000.index],
    ],
  );
  const storage = writeCost.storagePerFile;
  return [
    `search index: ${report.files} files (${seed.items} items seeded in ${(seed.ms / 1000).toFixed(1)} s, ${seed.itemsPerSecond} items/s)`,
    `reindexAll on a ${reindex.files}-file sample: ${reindex.filesPerSecond} files/s (${(reindex.ms / 1000).toFixed(1)} s); seeded layout vs reindexAll: ${reindex.layoutCheck.compared} items compared, ${reindex.layoutCheck.different} different, ${reindex.layoutCheck.missing} missing, ${reindex.layoutCheck.unexpected} unexpected`,
    `floors (same table, same run; ${floors.getItem.n / 2} before and as many after the searches, and 3 of each before every measured run of a search, which its ratios use): consistent GetItem ${floors.getItem.medianMs} ms (before / after ${floors.drift.getItemMs.join(' / ')}), Query of 50 index entries ${floors.query50.medianMs} ms (${floors.drift.query50Ms.join(' / ')})`,
    searches,
    '',
    `write cost: ${writeCost.files} files (${writeCost.measuredFiles} of them read before and after each write), ${(writeCost.ms / 1000).toFixed(1)} s; ${writeCost.flow}`,
    writes,
    `write units per 1,000 images: ${writeCost.writeUnitsPer1000.total} → $${writeCost.usdPerMillionImages} per million images at $${DYNAMODB_PRICES.usdPerMillionWriteUnits} per million WRU (${DYNAMODB_PRICES.asOf}); the search index's share ${writeCost.indexShare.writeUnitsPer1000} → $${writeCost.indexShare.usdPerMillionImages}`,
    `index storage per file: ${storage.indexEntries} GSI entries, ${storage.indexBytes} B in the GSI + ${storage.tableIndexBytes} B in the table (tag entries, index keys), 100 B per item included; the record itself ${storage.recordBytes} B → $${writeCost.usdPerMillionImagesMonth} per million images per month at $${DYNAMODB_PRICES.usdPerGbMonth}/GB-month`,
    report.anomalies.length ? `anomalies: ${report.anomalies.join('; ')}` : 'anomalies: none',
    `total ${(report.totalRunMs / 1000).toFixed(0)} s`,
  ].join('\n');
}

const totalRequests = (report: SearchIndexReport) => {
  const { record, tagEntry, monthRegistry, other } = report.writeCost.per1000;
  return Math.round((record.requests + tagEntry.requests + monthRegistry.requests + other.requests) * 100) / 100;
};
