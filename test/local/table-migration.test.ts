import type { Server } from 'node:http';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AttributeValue,
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  ResourceNotFoundException,
  ScanCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEARCH_INDEX, TABLE_KEY } from '../../functions/adapters/table-schema.js';
import { startStandIns } from '../../local/stand-ins.js';
import { ensureSearchIndex } from '../../local/table-migration.js';

type Item = Record<string, AttributeValue>;

let dir: string;
let server: Server;
let client: DynamoDBClient;

async function startDynalite(path: string, deleteTableMs = 0): Promise<{ server: Server; client: DynamoDBClient }> {
  const started = dynalite({ path, createTableMs: 0, deleteTableMs, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => started.once('error', reject).listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(started.address() as AddressInfo).port}`;
  return {
    server: started,
    client: new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
  };
}

async function stopDynalite(stopped: { server: Server; client: DynamoDBClient }): Promise<void> {
  stopped.client.destroy();
  stopped.server.closeAllConnections();
  await new Promise((resolve) => stopped.server.close(resolve));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aitags-table-migration-'));
  ({ server, client } = await startDynalite(join(dir, 'shared')));
});
afterAll(async () => {
  if (server) await stopDynalite({ server, client });
  await rm(dir, { recursive: true, force: true });
});

/** The table as versions before the search index created it: key `pk` only. */
async function createOldTable(db: DynamoDBClient, table: string): Promise<void> {
  await db.send(
    new CreateTableCommand({
      TableName: table,
      AttributeDefinitions: [{ AttributeName: TABLE_KEY, AttributeType: 'S' }],
      KeySchema: [{ AttributeName: TABLE_KEY, KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  // Even with createTableMs 0, dynalite answers CreateTable before the table is ACTIVE.
  await waitUntilTableExists({ client: db, minDelay: 0.01, maxDelay: 0.1, maxWaitTime: 5 }, { TableName: table });
}

/** Records of every shape the table holds; some are large, so a Scan takes several pages. */
function sampleItems(count: number): Item[] {
  return Array.from({ length: count }, (_, i): Item => {
    const item: Item = { [TABLE_KEY]: { S: `file#${String(i).padStart(4, '0')}` }, n: { N: String(i * 1.5) } };
    if (i % 2 === 0) item.tags = { L: [{ S: `tag-${i}` }, { M: { name: { S: 'dog' }, confidence: { N: '0.97' } } }, { NULL: true }] };
    if (i % 3 === 0) item.details = { M: { width: { N: '640' }, nested: { M: { deep: { L: [{ BOOL: i % 2 === 0 }, { N: '-12.25' }] } } } } };
    if (i % 5 === 0) item.set = { SS: ['a', `b${i}`] };
    if (i % 7 === 0) item.numbers = { NS: ['1', String(i + 2)] };
    if (i % 11 === 0) item.bytes = { B: new Uint8Array([0, 255, i % 256]) };
    if (i % 2 === 1) item.bulk = { S: 'x'.repeat(12_000) };
    return item;
  });
}

async function putAll(db: DynamoDBClient, table: string, items: Item[]): Promise<void> {
  for (let start = 0; start < items.length; start += 25) {
    const batch = items.slice(start, start + 25).map((item) => ({ PutRequest: { Item: item } }));
    const result = await db.send(new BatchWriteItemCommand({ RequestItems: { [table]: batch } }));
    expect(result.UnprocessedItems?.[table] ?? []).toEqual([]);
  }
}

async function scanAll(db: DynamoDBClient, table: string): Promise<Item[]> {
  const items: Item[] = [];
  let startKey: Item | undefined;
  do {
    const page = await db.send(new ScanCommand({ TableName: table, ExclusiveStartKey: startKey }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items.sort((a, b) => (a[TABLE_KEY]?.S ?? '').localeCompare(b[TABLE_KEY]?.S ?? ''));
}

async function exists(db: DynamoDBClient, table: string): Promise<boolean> {
  try {
    await db.send(new DescribeTableCommand({ TableName: table }));
    return true;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return false;
    throw error;
  }
}

async function expectSearchIndex(db: DynamoDBClient, table: string): Promise<void> {
  const { Table } = await db.send(new DescribeTableCommand({ TableName: table }));
  expect(Table?.TableStatus).toBe('ACTIVE');
  expect(Table?.KeySchema).toEqual([{ AttributeName: TABLE_KEY, KeyType: 'HASH' }]);
  expect(Table?.GlobalSecondaryIndexes).toEqual([
    expect.objectContaining({
      IndexName: SEARCH_INDEX.name,
      IndexStatus: 'ACTIVE',
      KeySchema: [
        { AttributeName: SEARCH_INDEX.partitionKey, KeyType: 'HASH' },
        { AttributeName: SEARCH_INDEX.sortKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...SEARCH_INDEX.projected] },
    }),
  ]);
}

describe('ensureSearchIndex', () => {
  it('creates the table with the index in a fresh data dir', async () => {
    expect(await ensureSearchIndex(client, 'fresh')).toEqual({ migratedItems: 0 });
    await expectSearchIndex(client, 'fresh');
    expect(await exists(client, 'fresh-migrating')).toBe(false);
  });

  it('rebuilds a table without the index, keeping every item unchanged, and then has nothing to do', async () => {
    const items = sampleItems(250);
    await createOldTable(client, 'old');
    await putAll(client, 'old', items);
    // The sample spans several Scan pages, so paging is part of what is tested.
    expect((await client.send(new ScanCommand({ TableName: 'old' }))).LastEvaluatedKey).toBeDefined();

    expect(await ensureSearchIndex(client, 'old')).toEqual({ migratedItems: 250 });
    await expectSearchIndex(client, 'old');
    expect(await scanAll(client, 'old')).toEqual(items);
    expect(await exists(client, 'old-migrating')).toBe(false);

    expect(await ensureSearchIndex(client, 'old')).toEqual({ migratedItems: 0 });
    expect(await scanAll(client, 'old')).toEqual(items);
  });

  it('finishes a rebuild that stopped after the old table was deleted', async () => {
    const items = sampleItems(250);
    await createOldTable(client, 'crashed-migrating');
    await putAll(client, 'crashed-migrating', items);

    expect(await ensureSearchIndex(client, 'crashed')).toEqual({ migratedItems: 250 });
    await expectSearchIndex(client, 'crashed');
    expect(await scanAll(client, 'crashed')).toEqual(items);
    expect(await exists(client, 'crashed-migrating')).toBe(false);
  });

  it('finishes a rebuild that stopped while deleting the old table', async () => {
    const path = join(dir, 'deleting');
    const items = sampleItems(40);
    // dynalite finishes a delete on a timer; stopping it before the timer fires leaves the table DELETING on disk.
    const crashed = await startDynalite(path, 60_000);
    await createOldTable(crashed.client, 'files');
    await createOldTable(crashed.client, 'files-migrating');
    await putAll(crashed.client, 'files-migrating', items);
    await crashed.client.send(new DeleteTableCommand({ TableName: 'files' }));
    await stopDynalite(crashed);

    const restarted = await startDynalite(path);
    try {
      const { Table } = await restarted.client.send(new DescribeTableCommand({ TableName: 'files' }));
      expect(Table?.TableStatus).toBe('DELETING');
      expect(await ensureSearchIndex(restarted.client, 'files')).toEqual({ migratedItems: 40 });
      await expectSearchIndex(restarted.client, 'files');
      expect(await scanAll(restarted.client, 'files')).toEqual(items);
      expect(await exists(restarted.client, 'files-migrating')).toBe(false);
    } finally {
      await stopDynalite(restarted);
    }
  });

  it('finishes a rebuild that stopped while copying back into the new table', async () => {
    const items = sampleItems(60);
    // The new table exists with part of the items; staging still has them all.
    await ensureSearchIndex(client, 'half');
    await createOldTable(client, 'half-migrating');
    await putAll(client, 'half-migrating', items);
    await putAll(client, 'half', items.slice(0, 20));

    expect(await ensureSearchIndex(client, 'half')).toEqual({ migratedItems: 60 });
    await expectSearchIndex(client, 'half');
    expect(await scanAll(client, 'half')).toEqual(items);
    expect(await exists(client, 'half-migrating')).toBe(false);
  });

  it('starts staging again from the old table when a rebuild stopped while copying into staging', async () => {
    const items = sampleItems(80);
    await createOldTable(client, 'partial');
    await putAll(client, 'partial', items);
    await createOldTable(client, 'partial-migrating');
    // Part of the copy, and a record the old table no longer has: the old table is the only truth.
    await putAll(client, 'partial-migrating', [...items.slice(0, 30), { [TABLE_KEY]: { S: 'file#deleted-since' } }]);

    expect(await ensureSearchIndex(client, 'partial')).toEqual({ migratedItems: 80 });
    await expectSearchIndex(client, 'partial');
    expect(await scanAll(client, 'partial')).toEqual(items);
    expect(await exists(client, 'partial-migrating')).toBe(false);
  });

  it('leaves a table whose search index can be queried', async () => {
    await createOldTable(client, 'queried');
    await putAll(client, 'queried', sampleItems(10));
    await ensureSearchIndex(client, 'queried');

    const entry: Item = {
      [TABLE_KEY]: { S: 'entry#1' },
      [SEARCH_INDEX.partitionKey]: { S: 'tag#dog' },
      [SEARCH_INDEX.sortKey]: { S: '2024-05-01#file1' },
      fileId: { S: 'file1' },
      notProjected: { S: 'only in the table' },
    };
    await client.send(new PutItemCommand({ TableName: 'queried', Item: entry }));
    const { Items } = await client.send(
      new QueryCommand({
        TableName: 'queried',
        IndexName: SEARCH_INDEX.name,
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
        ExpressionAttributeNames: { '#pk': SEARCH_INDEX.partitionKey, '#sk': SEARCH_INDEX.sortKey },
        ExpressionAttributeValues: { ':pk': { S: 'tag#dog' }, ':prefix': { S: '2024-05' } },
      }),
    );
    const { notProjected: _, ...projected } = entry;
    expect(Items).toEqual([projected]);
  });
});

describe('startStandIns', () => {
  it('migrates a data dir written by an older version, once', async () => {
    const dataDir = join(dir, 'stand-ins');
    await mkdir(join(dataDir, 'dynamodb'), { recursive: true });
    const items = sampleItems(30);
    const old = await startDynalite(join(dataDir, 'dynamodb'));
    await createOldTable(old.client, 'files');
    await putAll(old.client, 'files', items);
    await stopDynalite(old);

    const first = await startStandIns(dataDir, { bucket: 'files', table: 'files' });
    const firstClient = new DynamoDBClient({
      endpoint: first.dynamoEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    try {
      expect(first.migratedItems).toBe(30);
      await expectSearchIndex(firstClient, 'files');
      expect(await scanAll(firstClient, 'files')).toEqual(items);
    } finally {
      firstClient.destroy();
      await first.stop();
    }

    const second = await startStandIns(dataDir, { bucket: 'files', table: 'files' });
    await second.stop();
    expect(second.migratedItems).toBe(0);
  });
});
