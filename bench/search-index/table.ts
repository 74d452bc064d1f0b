import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoFileIndex } from '../../functions/adapters/file-index.js';
import { DynamoFileTable } from '../../functions/adapters/file-table.js';
import { ensureSearchIndex } from '../../local/table-migration.js';

export const TABLE = 'files';

export type BenchTable = Awaited<ReturnType<typeof startBenchTable>>;

const serverScript = fileURLToPath(new URL('./dynalite-server.ts', import.meta.url));
/** Every table not stopped yet: what an interrupted bench still has to clean up. */
const running = new Set<() => Promise<void>>();

export const stopAllTables = () => Promise.all([...running].map((stop) => stop()));

/**
 * The real table adapters on a dynalite of their own (a child process, on a temp data dir), with the
 * search index as the stack creates it (as test/support/search-table.ts does for the tests).
 */
export async function startBenchTable() {
  const dir = await mkdtemp(join(tmpdir(), 'aitags-bench-search-'));
  const server = spawn(process.execPath, ['--import', 'tsx', serverScript, join(dir, 'db')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const stopServer = async () => {
    if (server.exitCode !== null || server.signalCode !== null) return;
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.stdin?.end();
    await exited;
  };
  let raw: DynamoDBClient | undefined;
  const stop = async () => {
    running.delete(stop);
    raw?.destroy();
    await stopServer();
    await rm(dir, { recursive: true, force: true });
  };
  running.add(stop);
  try {
    const port = await listeningPort(server);
    const endpoint = `http://127.0.0.1:${port}`;
    const newClient = () => new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    raw = newClient();
    await ensureSearchIndex(raw, TABLE);
    const client = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
    const table = new DynamoFileTable(TABLE, client);
    return {
      table,
      index: new DynamoFileIndex(TABLE, table, client),
      raw,
      client,
      /** Another client on the same endpoint: its own middleware stack, so instrumenting one leaves the other alone. */
      newClient,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function listeningPort(server: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let output = '';
    server.once('error', reject);
    server.once('exit', (code) => reject(new Error(`dynalite exited with ${code} before listening`)));
    server.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /PORT (\d+)/.exec(output);
      if (match) resolve(Number(match[1]));
    });
  });
}
