import { performance } from 'node:perf_hooks';
import { GetCommand, paginateQuery } from '@aws-sdk/lib-dynamodb';
import type { FileIndex } from '../../functions/adapters/file-index.js';
import { SEARCH_INDEX } from '../../functions/adapters/table-schema.js';
import { ApiError } from '../../functions/core/errors.js';
import { parseListRequest } from '../../functions/core/list-request.js';
import { tagPartition } from '../../functions/core/table-keys.js';
import { FileSearch } from '../../functions/services/file-search.js';
import { quantile, roundMs, roundRatio, sequential, summarize, type Summary } from '../stats.js';
import { ObservedIndex } from './observed-index.js';
import type { BenchTable } from './table.js';
import { TABLE } from './table.js';

/** One search as `GET /v1/files` would run it, and what the library says it should find. */
export interface SearchCase {
  name: string;
  params: Record<string, string>;
  scanLimit: number;
  /** Files that match, from the generated library (not from the search); for a streamed list, the page's size. */
  matches: number;
  warmUp: number;
  runs: number;
}

export interface SearchMeasurement {
  name: string;
  params: Record<string, string>;
  scanLimit: number;
  status: 200 | 400;
  plan: string;
  matches: number;
  returned: number;
  indexItems: number;
  records: number;
  itemsRead: number;
  /** Items read per file that matches (per file of the page for a streamed list); null for a 400. */
  itemsPerMatch: number | null;
  latency: Summary;
  /** Medians of the floor samples taken between this search's runs, and the search's median over them. */
  floorMs: { getItem: number; query50: number };
  ratioToGetItem: number;
  ratioToQuery50: number;
  /** The first ids returned, for checking a search against the library. */
  fileIds: string[];
}

export interface Floors {
  getItem: Summary;
  query50: Summary;
  /** Medians before the searches and after them: how much the machine drifted over the run. */
  drift: { getItemMs: [number, number]; query50Ms: [number, number] };
}

/** The two floors, one sample each. */
export interface FloorSampler {
  getItem(): Promise<number>;
  query50(): Promise<number>;
}

export interface FloorSamples {
  getItem: number[];
  query50: number[];
}

const FLOOR = { warmUp: 5, count: 31 };
/** Floor samples taken right before each measured run of a search: its ratios follow the load of that moment. */
const FLOOR_PER_RUN = 3;

/**
 * The floors the searches are read against, on the same table in the same run: one consistent GetItem
 * of a record, and one Query of the index returning `needle`'s 50 entries (no records read).
 */
export function floorSampler(db: BenchTable, fileIds: readonly string[], needle: string): FloorSampler {
  let next = 0;
  return {
    async getItem() {
      const startedAt = performance.now();
      const fileId = fileIds[next++ % fileIds.length];
      await db.client.send(new GetCommand({ TableName: TABLE, Key: { pk: `file#${fileId}` }, ConsistentRead: true }));
      return performance.now() - startedAt;
    },
    async query50() {
      const startedAt = performance.now();
      let items = 0;
      const pages = paginateQuery(
        { client: db.client },
        {
          TableName: TABLE,
          IndexName: SEARCH_INDEX.name,
          KeyConditionExpression: '#ipk = :partition',
          ExpressionAttributeNames: { '#ipk': SEARCH_INDEX.partitionKey },
          ExpressionAttributeValues: { ':partition': tagPartition(needle) },
        },
      );
      for await (const page of pages) items += page.Items?.length ?? 0;
      if (items !== 50) throw new Error(`the floor query read ${items} entries, not 50`);
      return performance.now() - startedAt;
    },
  };
}

export async function sampleFloors(floor: FloorSampler): Promise<FloorSamples> {
  return {
    getItem: (await sequential(FLOOR.warmUp, FLOOR.count, () => floor.getItem())).samplesMs,
    query50: (await sequential(FLOOR.warmUp, FLOOR.count, () => floor.query50())).samplesMs,
  };
}

export function combineFloors(before: FloorSamples, after: FloorSamples): Floors {
  const median = (samples: number[]) => roundMs(quantile(samples, 0.5));
  return {
    getItem: summarize([...before.getItem, ...after.getItem]),
    query50: summarize([...before.query50, ...after.query50]),
    drift: { getItemMs: [median(before.getItem), median(after.getItem)], query50Ms: [median(before.query50), median(after.query50)] },
  };
}

/**
 * Runs `search` warmUp + runs times, each measured run right after a few samples of the floors; the
 * reads of every run must agree (they depend on the data only).
 */
export async function measureSearch(index: FileIndex, search: SearchCase, floor: FloorSampler): Promise<SearchMeasurement> {
  const observed = new ObservedIndex(index);
  const service = new FileSearch(observed, search.scanLimit);
  let outcome: { status: 200 | 400; plan: string; returned: number; fileIds: string[] } | undefined;
  const reads = new Set<string>();
  const floors: FloorSamples = { getItem: [], query50: [] };
  const run = await sequential(search.warmUp, search.runs, async (attempt) => {
    if (attempt >= search.warmUp) {
      for (let sample = 0; sample < FLOOR_PER_RUN; sample++) {
        floors.getItem.push(await floor.getItem());
        floors.query50.push(await floor.query50());
      }
    }
    const request = parseListRequest(search.params);
    const startedAt = performance.now();
    try {
      const result = await service.list(request);
      const ms = performance.now() - startedAt;
      outcome = { status: 200, plan: result.plan, returned: result.records.length, fileIds: result.records.map((record) => record.fileId) };
      reads.add(JSON.stringify(result.reads));
      return ms;
    } catch (error) {
      const ms = performance.now() - startedAt;
      if (!(error instanceof ApiError) || error.status !== 400) throw error;
      outcome = { status: 400, plan: 'scan', returned: 0, fileIds: [] };
      reads.add(JSON.stringify(observed.last));
      return ms;
    }
  });
  if (!outcome || reads.size !== 1) throw new Error(`${search.name}: the runs read different amounts: ${[...reads].join(' ')}`);
  const { indexItems, records } = JSON.parse([...reads][0] as string) as { indexItems: number; records: number };
  const latency = summarize(run.samplesMs);
  return {
    name: search.name,
    params: search.params,
    scanLimit: search.scanLimit,
    status: outcome.status,
    plan: outcome.plan,
    matches: search.matches,
    returned: outcome.returned,
    indexItems,
    records,
    itemsRead: indexItems + records,
    itemsPerMatch: outcome.status === 200 && search.matches ? roundRatio((indexItems + records) / search.matches) : null,
    latency,
    floorMs: { getItem: roundMs(quantile(floors.getItem, 0.5)), query50: roundMs(quantile(floors.query50, 0.5)) },
    ratioToGetItem: roundRatio(latency.medianMs / quantile(floors.getItem, 0.5)),
    ratioToQuery50: roundRatio(latency.medianMs / quantile(floors.query50, 0.5)),
    fileIds: outcome.fileIds.slice(0, 1000),
  };
}
