import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { DynamoFileIndex } from '../../functions/adapters/file-index.js';
import { DynamoFileTable } from '../../functions/adapters/file-table.js';
import { ensureSearchIndex } from '../../local/table-migration.js';

const TABLE = 'files';

/** The real table adapters on a dynalite of their own (in memory), with the search index as the stack creates it. */
export async function startSearchTable() {
  const dir = await mkdtemp(join(tmpdir(), 'aitags-search-'));
  const server = dynalite({ path: join(dir, 'db'), createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientConfig = { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
  const raw = new DynamoDBClient(clientConfig);
  await ensureSearchIndex(raw, TABLE);
  const client = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  const table = new DynamoFileTable(TABLE, client);
  const index = new DynamoFileIndex(TABLE, table, client);
  return {
    table,
    index,
    client,
    /** For a client of a test's own (e.g. one that counts what it reads). */
    clientConfig,
    tableName: TABLE,
    async stop() {
      raw.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
