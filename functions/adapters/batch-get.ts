import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** BatchGetItem's limit per request. */
const BATCH_GET_KEYS = 100;

/**
 * Every item of `keys` that exists (consistent reads), in no particular order: BatchGetItems of 100 keys
 * side by side, each repeated, after a jittered pause, for the keys DynamoDB left unprocessed (throttling, 16 MB).
 */
export async function batchGetAll(
  client: DynamoDBDocumentClient,
  table: string,
  keys: ReadonlyArray<Record<string, string>>,
): Promise<Array<Record<string, unknown>>> {
  const batches: Array<Array<Record<string, string>>> = [];
  for (let start = 0; start < keys.length; start += BATCH_GET_KEYS) batches.push(keys.slice(start, start + BATCH_GET_KEYS));
  const pages = await Promise.all(
    batches.map(async (batch) => {
      const items: Array<Record<string, unknown>> = [];
      let pending = batch;
      for (let attempt = 0; pending.length; attempt++) {
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 20 * 2 ** attempt) * Math.random()));
        const { Responses, UnprocessedKeys } = await client.send(
          new BatchGetCommand({ RequestItems: { [table]: { Keys: pending, ConsistentRead: true } } }),
        );
        items.push(...(Responses?.[table] ?? []));
        pending = (UnprocessedKeys?.[table]?.Keys as Array<Record<string, string>> | undefined) ?? [];
      }
      return items;
    }),
  );
  return pages.flat();
}
