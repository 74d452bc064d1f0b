import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { FileRecord } from '../../functions/core/file-record.js';

/** BatchWriteItem's limit per request. */
const BATCH_ITEMS = 25;
const UNPROCESSED_RETRIES = 8;

export interface SeedOptions {
  /** Batch requests in flight at once. */
  parallel: number;
  onProgress?: (written: number) => void;
}

/**
 * Each record and its path claim as the table holds them before the search index existed (no index
 * keys): reindexAll then lists them exactly as the adapter does, so the bench never restates the layout.
 */
export function unindexedItems(record: FileRecord): Array<Record<string, unknown>> {
  return [
    { pk: `file#${record.fileId}`, ...record },
    { pk: `path#${record.filePath}`, fileId: record.fileId, claimedAt: record.createdAt },
  ];
}

/** Puts `items` with BatchWriteItem, `parallel` requests at a time (items are drawn as they are sent); answers how many it wrote. */
export async function batchPut(
  client: DynamoDBDocumentClient,
  table: string,
  items: Iterable<Record<string, unknown>>,
  options: SeedOptions,
): Promise<number> {
  const source = items[Symbol.iterator]();
  let written = 0;
  const take = () => {
    const batch: Array<Record<string, unknown>> = [];
    for (let next = source.next(); !next.done; next = source.next()) {
      batch.push(next.value);
      if (batch.length === BATCH_ITEMS) break;
    }
    return batch;
  };
  const worker = async () => {
    for (let batch = take(); batch.length; batch = take()) {
      await writeBatch(
        client,
        table,
        batch.map((Item) => ({ PutRequest: { Item } })),
      );
      written += batch.length;
      options.onProgress?.(written);
    }
  };
  await Promise.all(Array.from({ length: options.parallel }, worker));
  return written;
}

type WriteRequests = NonNullable<ConstructorParameters<typeof BatchWriteCommand>[0]['RequestItems']>[string];

async function writeBatch(client: DynamoDBDocumentClient, table: string, requests: WriteRequests): Promise<void> {
  let pending = requests;
  for (let attempt = 0; pending.length; attempt++) {
    if (attempt > UNPROCESSED_RETRIES) throw new Error(`${pending.length} items still unprocessed after ${UNPROCESSED_RETRIES} retries`);
    // Unprocessed items mean throttling: back off before retrying them.
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** attempt));
    const { UnprocessedItems } = await client.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
    pending = UnprocessedItems?.[table] ?? [];
  }
}
