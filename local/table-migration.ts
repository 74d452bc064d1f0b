import {
  type AttributeValue,
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
  ScanCommand,
  type TableDescription,
  waitUntilTableExists,
  waitUntilTableNotExists,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { SEARCH_INDEX, TABLE_KEY } from '../functions/adapters/table-schema.js';

/** dynalite runs with createTableMs/deleteTableMs 0: a table settles within a few polls, or never (see settle). */
const WAIT = { minDelay: 0.01, maxDelay: 0.25, maxWaitTime: 10 };
const BATCH_SIZE = 25;
const UNPROCESSED_RETRIES = 8;

/**
 * Makes the local files table carry the search index. dynalite's UpdateTable cannot add an index, so a
 * table from an older data dir is rebuilt through `<table>-migrating`. Every step leaves a state the next
 * start can finish from: while the old table has no index it is the only complete copy; once it is
 * deleted, staging is complete, and it is dropped only after everything is copied back.
 */
export async function ensureSearchIndex(client: DynamoDBClient, table: string): Promise<{ migratedItems: number }> {
  const staging = `${table}-migrating`;
  let main = await settle(client, table);
  const stage = await settle(client, staging);
  if (!stage) {
    if (main && hasSearchIndex(main)) return { migratedItems: 0 };
    if (!main) {
      await createTable(client, table);
      return { migratedItems: 0 };
    }
  }

  if (main && !hasSearchIndex(main)) {
    // A leftover staging table may be a partial copy of an older state: start it again from the old table.
    if (stage) await dropTable(client, staging);
    // Staging has the new schema, so an item the new table would refuse fails here, before anything is deleted.
    await createTable(client, staging);
    await copyItems(client, table, staging);
    await dropTable(client, table);
    main = undefined;
  }
  if (!main) await createTable(client, table);
  const migratedItems = await copyItems(client, staging, table);
  await dropTable(client, staging);
  return { migratedItems };
}

/** The files table of table-schema.ts, as the stack deploys it: key `pk`, on demand, and the sparse search index. */
async function createTable(client: DynamoDBClient, table: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: table,
      AttributeDefinitions: [TABLE_KEY, SEARCH_INDEX.partitionKey, SEARCH_INDEX.sortKey].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
      KeySchema: [{ AttributeName: TABLE_KEY, KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
      GlobalSecondaryIndexes: [
        {
          IndexName: SEARCH_INDEX.name,
          KeySchema: [
            { AttributeName: SEARCH_INDEX.partitionKey, KeyType: 'HASH' },
            { AttributeName: SEARCH_INDEX.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...SEARCH_INDEX.projected] },
        },
      ],
    }),
  );
  await waitUntilTableExists({ client, ...WAIT }, { TableName: table });
}

function hasSearchIndex(table: TableDescription): boolean {
  const index = table.GlobalSecondaryIndexes?.find((candidate) => candidate.IndexName === SEARCH_INDEX.name);
  const keys = index?.KeySchema?.map((key) => `${key.AttributeName}:${key.KeyType}`).join(',');
  const projected = [...(index?.Projection?.NonKeyAttributes ?? [])].sort().join(',');
  return (
    keys === `${SEARCH_INDEX.partitionKey}:HASH,${SEARCH_INDEX.sortKey}:RANGE` &&
    index?.Projection?.ProjectionType === 'INCLUDE' &&
    projected === [...SEARCH_INDEX.projected].sort().join(',')
  );
}

/**
 * The table once it is usable, or undefined once it is gone. dynalite finishes a create or delete on a
 * timer, which a stopped process never runs: a table left DELETING is deleted again, one left CREATING
 * (a crash within a millisecond of creating it) cannot be repaired through the API and times out here.
 */
async function settle(client: DynamoDBClient, table: string): Promise<TableDescription | undefined> {
  const described = await describe(client, table);
  if (described?.TableStatus === 'DELETING') {
    await dropTable(client, table);
    return undefined;
  }
  if (described && described.TableStatus !== 'ACTIVE') {
    await waitUntilTableExists({ client, ...WAIT }, { TableName: table }).catch((error: unknown) => {
      throw new Error(`DynamoDB table ${table} stayed ${described.TableStatus}: its data dir needs repair by hand`, { cause: error });
    });
    return describe(client, table);
  }
  return described;
}

async function describe(client: DynamoDBClient, table: string): Promise<TableDescription | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: table }))).Table;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

async function dropTable(client: DynamoDBClient, table: string): Promise<void> {
  try {
    await client.send(new DeleteTableCommand({ TableName: table }));
  } catch (error) {
    // Already gone, or (on DynamoDB) already being deleted: either way, wait for it to be gone.
    if (!(error instanceof ResourceNotFoundException || error instanceof ResourceInUseException)) throw error;
  }
  await waitUntilTableNotExists({ client, ...WAIT }, { TableName: table });
}

/** Puts every item of `from` into `to`; puts of the same items are idempotent, so a rerun is safe. */
async function copyItems(client: DynamoDBClient, from: string, to: string): Promise<number> {
  let copied = 0;
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: from, ConsistentRead: true, ExclusiveStartKey: startKey }));
    const items = page.Items ?? [];
    for (let start = 0; start < items.length; start += BATCH_SIZE) {
      await writeAll(
        client,
        to,
        items.slice(start, start + BATCH_SIZE).map((item) => ({ PutRequest: { Item: item } })),
      );
    }
    copied += items.length;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return copied;
}

async function writeAll(client: DynamoDBClient, table: string, requests: WriteRequest[]): Promise<void> {
  let pending = requests;
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt > UNPROCESSED_RETRIES) throw new Error(`${table}: ${pending.length} items still unprocessed after ${UNPROCESSED_RETRIES} retries`);
    // Unprocessed items mean throttling: back off before retrying them.
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** attempt));
    const result = await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: pending } }));
    pending = result.UnprocessedItems?.[table] ?? [];
  }
}
