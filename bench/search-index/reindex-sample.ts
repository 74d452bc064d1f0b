import { performance } from 'node:perf_hooks';
import { isDeepStrictEqual } from 'node:util';
import { paginateScan } from '@aws-sdk/lib-dynamodb';
import type { FileRecord } from '../../functions/core/file-record.js';
import { indexedItems } from './index-layout.js';
import { batchPut, unindexedItems } from './seed.js';
import { startBenchTable, TABLE } from './table.js';

export interface ReindexReport {
  files: number;
  ms: number;
  filesPerSecond: number;
  /** Items of the sample's table after reindexAll compared with index-layout.ts: what the big seed relies on. */
  layoutCheck: { compared: number; different: number; missing: number; unexpected: number };
}

/** Items the adapter keeps besides files, claims and entries: the month registry and the index marker. */
const BOOKKEEPING = new Set(['index#months', 'index#state']);

/**
 * `reindexAll` over a table of its own holding `records` as they were before the index (records and
 * claims only): its rate, and whether it wrote exactly the layout the bench seeds the big library with.
 */
export async function measureReindex(records: readonly FileRecord[], log: (line: string) => void): Promise<ReindexReport> {
  const db = await startBenchTable();
  try {
    await batchPut(db.client, TABLE, records.flatMap(unindexedItems), { parallel: 4 });
    log(`reindex sample: ${records.length} files seeded without index keys, reindexAll…`);
    const startedAt = performance.now();
    const files = await db.table.reindexAll({ ifNeeded: false });
    const ms = performance.now() - startedAt;

    const stored = new Map<string, Record<string, unknown>>();
    for await (const page of paginateScan({ client: db.client }, { TableName: TABLE, ConsistentRead: true })) {
      for (const item of page.Items ?? []) stored.set(String(item.pk), item);
    }
    const check = { compared: 0, different: 0, missing: 0, unexpected: 0 };
    const expectedKeys = new Set<string>();
    for (const item of records.flatMap(indexedItems)) {
      const key = String(item.pk);
      expectedKeys.add(key);
      const found = stored.get(key);
      if (!found) check.missing += 1;
      else {
        check.compared += 1;
        if (!isDeepStrictEqual(found, item)) check.different += 1;
      }
    }
    check.unexpected = [...stored.keys()].filter((key) => !expectedKeys.has(key) && !BOOKKEEPING.has(key)).length;
    return { files, ms: Math.round(ms), filesPerSecond: Math.round((files / ms) * 1000), layoutCheck: check };
  } finally {
    await db.stop();
  }
}
