import { searchConfig } from '../functions/runtime/config.js';
import { formatSearchIndex } from './search-index/report.js';
import { measureSearchIndex, searchIndexLine } from './search-index/run.js';
import { stopAllTables } from './search-index/table.js';

/**
 * `npx tsx bench/search-index.ts [files=100000] [scanLimit=AITAGS_SEARCH_SCAN_LIMIT or 20000] [reindexSample=5000] [writeCostFiles=1000]`:
 * list and search over a seeded library on dynalite (items read, latency against floors of the same run),
 * reindex throughput and the index's write cost; a table on stdout, then one `SEARCH_INDEX {...}` line.
 */
// The bench's SDK clients run on Node 20 too: keep the deprecation notice out of the output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const [files = 100_000, scanLimit = searchConfig().scanLimit, reindexSample = 5000, writeCostFiles = 1000] = process.argv.slice(2, 6).map(Number);
for (const [name, value] of Object.entries({ files, scanLimit, reindexSample, writeCostFiles })) {
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer (got ${value})`);
}
process.once('SIGINT', () => {
  stopAllTables().finally(() => process.exit(130));
});
const report = await measureSearchIndex({ files, scanLimit, reindexSample, writeCostFiles });
console.log(formatSearchIndex(report));
console.log(searchIndexLine(report));
if (report.anomalies.length) process.exitCode = 1;
