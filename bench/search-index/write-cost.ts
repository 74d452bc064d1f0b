import { performance } from 'node:perf_hooks';
import { type DynamoDBClient, paginateScan } from '@aws-sdk/client-dynamodb';
import { DYNAMODB_PRICES } from '../dynamodb-prices.js';
import { DynamoFileTable } from '../../functions/adapters/file-table.js';
import { SEARCH_INDEX } from '../../functions/adapters/table-schema.js';
import type { ExtensionName } from '../../functions/core/extension-names.js';
import { type AITag, applyDetailsChange, type FileRecord, newFileRecord } from '../../functions/core/file-record.js';
import type { UploadRequest } from '../../functions/core/upload-request.js';
import { distinctWords, FOLDERS, prng, vocabulary, zipf } from './library.js';
import { ITEM_STORAGE_OVERHEAD, indexEntry, indexEntryStorage, itemSize } from './item-size.js';
import { startBenchTable, TABLE } from './table.js';
import { emptyTallies, meterWrites, type WriteMeter, type WriteTallies } from './write-meter.js';

const INDEX_KEYS = [SEARCH_INDEX.partitionKey, SEARCH_INDEX.sortKey];
const EXTENSIONS: ExtensionName[] = ['aws-auto-tagging', 'google-auto-tagging'];
const CONCURRENCY = 8;

export interface WriteCostReport {
  files: number;
  /** Files whose every write was read before and after (write units, index writes); the rest only counted. */
  measuredFiles: number;
  /** Per 1,000 files through the flow below: requests as counted, units at the measured files' units per request. */
  per1000: WriteTallies;
  writeUnitsPer1000: { table: number; index: number; total: number };
  usdPerMillionImages: number;
  /** What the search index adds: tag entries, the month registry, and the GSI writes of records and claims. */
  indexShare: { writeUnitsPer1000: number; usdPerMillionImages: number };
  /** Bytes per file once the flow is done: the GSI's entries, and what the index adds to the table (tag entries, index keys), 100 B overhead per item included. */
  storagePerFile: { indexEntries: number; indexBytes: number; tableIndexBytes: number; recordBytes: number };
  usdPerMillionImagesMonth: number;
  flow: string;
  ms: number;
}

/**
 * Each file as the service writes it: the path claim and `create` with 2 user tags (upload), a tagging run
 * with both extensions landing 5 tags each (startRun, two recordOutcome), then a PATCH changing one of its
 * user tags (get + replace). Every tag distinct, so each file ends with 12 entries (an upper bound: real
 * providers overlap).
 */
export async function measureWriteCost(files: number, seed: number, measuredFiles = Math.min(100, files)): Promise<WriteCostReport> {
  const startedAt = performance.now();
  const db = await startBenchTable();
  const observer = db.newClient();
  try {
    const meter = meterWrites(db.raw, observer);
    const table = new DynamoFileTable(TABLE, db.client);
    const random = prng(seed);
    const words = vocabulary(2000, random);
    const drawWord = zipf(words.length, random);
    const plans = Array.from({ length: files }, (_, index) => ({ index, tags: distinctWords(13, () => words[drawWord()] as string) }));
    meter.measuring = true;
    await inParallel(plans.slice(0, measuredFiles), (plan) => oneFile(table, plan.index, plan.tags));
    meter.measuring = false;
    await inParallel(plans.slice(measuredFiles), (plan) => oneFile(table, plan.index, plan.tags));

    const storage = await indexStorage(observer, files);
    const per1000 = perThousand(meter, files);
    const kinds = [per1000.record, per1000.tagEntry, per1000.monthRegistry, per1000.other];
    const tableUnits = round(kinds.reduce((sum, tally) => sum + tally.tableUnits, 0));
    const indexUnits = round(kinds.reduce((sum, tally) => sum + tally.indexUnits, 0));
    const total = tableUnits + indexUnits;
    const indexShare = per1000.tagEntry.tableUnits + per1000.tagEntry.indexUnits + per1000.monthRegistry.tableUnits + per1000.record.indexUnits;
    const usdPerMillion = (writeUnitsPer1000: number) => round(writeUnitsPer1000 * 1000 * (DYNAMODB_PRICES.usdPerMillionWriteUnits / 1e6));
    return {
      files,
      measuredFiles,
      per1000,
      writeUnitsPer1000: { table: tableUnits, index: indexUnits, total: round(total) },
      usdPerMillionImages: usdPerMillion(total),
      indexShare: { writeUnitsPer1000: round(indexShare), usdPerMillionImages: usdPerMillion(indexShare) },
      storagePerFile: storage,
      usdPerMillionImagesMonth: round(((storage.indexBytes + storage.tableIndexBytes) * 1e6 * DYNAMODB_PRICES.usdPerGbMonth) / 1024 ** 3),
      ms: Math.round(performance.now() - startedAt),
      flow: 'claimPath + create (2 user tags) → startRun (2 extensions) → recordOutcome ×2 (5 tags each) → get + replace (1 user tag changed)',
    };
  } finally {
    observer.destroy();
    await db.stop();
  }
}

async function oneFile(table: DynamoFileTable, index: number, tags: string[]): Promise<void> {
  const fileId = `c${index.toString(16).padStart(7, '0')}${'0'.repeat(15)}f`;
  const now = new Date().toISOString();
  const filePath = `${FOLDERS[index % FOLDERS.length]}upload-${index}.jpg`;
  const record = newFileRecord(fileId, filePath, uploadRequest(tags.slice(0, 2)), FACTS, now);
  await table.claimPath(filePath, fileId, now);
  await table.create(record);
  const runId = `run-${index}`;
  await table.startRun(fileId, runId, EXTENSIONS);
  for (const [offset, name] of EXTENSIONS.entries()) {
    const names = tags.slice(2 + offset * 5, 7 + offset * 5);
    const aiTags: AITag[] = names.map((word, rank) => ({ name: word, confidence: 95 - rank * 5, source: name }));
    await table.recordOutcome(fileId, runId, name, { status: 'success', tags: aiTags });
  }
  const current = (await table.get(fileId)) as FileRecord;
  await table.replace(applyDetailsChange(current, { tags: [tags[0] as string, tags[12] as string] }, new Date().toISOString()), current);
}

/** What the search index stores per file, read back from the table after the flow. */
async function indexStorage(client: DynamoDBClient, files: number) {
  let indexEntries = 0;
  let indexBytes = 0;
  let tableIndexBytes = 0;
  let recordBytes = 0;
  for await (const page of paginateScan({ client }, { TableName: TABLE, ConsistentRead: true })) {
    for (const item of page.Items ?? []) {
      const pk = item.pk?.S ?? '';
      const entry = indexEntry(item);
      if (entry) {
        indexEntries += 1;
        indexBytes += indexEntryStorage(entry);
      }
      // The table's share of the index: whole tag entries (tombstones included), and the index keys on records and claims.
      if (pk.startsWith('tag#')) tableIndexBytes += itemSize(item) + ITEM_STORAGE_OVERHEAD;
      else tableIndexBytes += itemSize(Object.fromEntries(INDEX_KEYS.flatMap((name) => (item[name] ? [[name, item[name]]] : []))));
      if (pk.startsWith('file#')) recordBytes += itemSize(item);
    }
  }
  return {
    indexEntries: round(indexEntries / files),
    indexBytes: Math.round(indexBytes / files),
    tableIndexBytes: Math.round(tableIndexBytes / files),
    recordBytes: Math.round(recordBytes / files),
  };
}

const FACTS = { size: 2_400_000, mime: 'image/jpeg', fileType: 'image', width: 4000, height: 3000, hasAlpha: false, hasThumbnail: true } as const;

function uploadRequest(tags: string[]): UploadRequest {
  return {
    bytes: Buffer.alloc(0),
    fileName: 'upload.jpg',
    useUniqueFileName: false,
    folder: '/',
    tags,
    isPrivateFile: false,
    customCoordinates: null,
    customMetadata: { shoot: 'S-1', rating: 4 },
    extensions: [],
    webhookUrl: undefined,
    overwriteFile: false,
    overwriteAITags: true,
    overwriteTags: true,
    overwriteCustomMetadata: true,
    responseFields: [],
  };
}

function perThousand(meter: WriteMeter, files: number): WriteTallies {
  const result = emptyTallies();
  for (const kind of ['record', 'tagEntry', 'monthRegistry', 'other'] as const) {
    const counted = meter.counted[kind];
    const measured = meter.measured[kind];
    const requests = (counted.requests * 1000) / files;
    result[kind] = {
      requests: round(requests),
      tableUnits: round(measured.requests ? (requests * measured.tableUnits) / measured.requests : requests),
      indexUnits: round(measured.requests ? (requests * measured.indexUnits) / measured.requests : 0),
      failed: round((counted.failed * 1000) / files),
    };
  }
  result.byCommand = Object.fromEntries(Object.entries(meter.counted.byCommand).map(([name, count]) => [name, round((count * 1000) / files)]));
  return result;
}

async function inParallel<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

const round = (value: number) => Math.round(value * 100) / 100;
