import { mkdir } from 'node:fs/promises';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import S3rver from 's3rver';
import { ensureSearchIndex } from './table-migration.js';

/** How long a stop waits for dynalite's requests under way to end before it cuts them off. */
const REQUESTS_ENDED_WAIT_MS = 5_000;

/** The requests a server is answering: `ended` resolves once there are none, or after `waitMs`. */
function inFlight(server: Server): { ended(waitMs: number): Promise<void> } {
  let active = 0;
  let onIdle: (() => void) | undefined;
  server.on('request', (_request: IncomingMessage, response: ServerResponse) => {
    active++;
    response.once('close', () => {
      active--;
      if (active === 0) onIdle?.();
    });
  });
  return {
    async ended(waitMs) {
      if (active === 0) return;
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        onIdle = resolve;
        timer = setTimeout(resolve, waitMs);
      });
      clearTimeout(timer);
      onIdle = undefined;
    },
  };
}

/** A real S3-protocol server (s3rver) and a real DynamoDB-protocol server (dynalite), in-process on loopback. */
export interface StandIns {
  s3Endpoint: string;
  dynamoEndpoint: string;
  s3rver: S3rver;
  /** Items copied into the rebuilt table when this start migrated a data dir from an older version; else 0. */
  migratedItems: number;
  stop(): Promise<void>;
}

export async function startStandIns(dataDir: string, names: { bucket: string; table: string }): Promise<StandIns> {
  const s3Dir = join(dataDir, 's3');
  const dynamoDir = join(dataDir, 'dynamodb');
  await Promise.all([mkdir(s3Dir, { recursive: true }), mkdir(dynamoDir, { recursive: true })]);

  const s3rver = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: s3Dir, configureBuckets: [{ name: names.bucket }] });
  const s3Address = await s3rver.run();

  const dynamo = dynalite({ path: dynamoDir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => dynamo.once('error', reject).listen(0, '127.0.0.1', resolve));
  const dynamoEndpoint = `http://127.0.0.1:${(dynamo.address() as AddressInfo).port}`;
  const dynamoRequests = inFlight(dynamo);
  const stop = async (): Promise<void> => {
    s3rver.httpServer.closeAllConnections();
    // A request cut off mid-way (an UpdateItem between its read and its write) makes dynalite write to a closed
    // database and throw where nothing catches it: let the requests under way end first (a late Lambda's, at a stop).
    dynamo.closeIdleConnections();
    await dynamoRequests.ended(REQUESTS_ENDED_WAIT_MS);
    dynamo.closeAllConnections();
    await Promise.all([s3rver.close(), new Promise((resolve) => dynamo.close(resolve))]);
  };
  // A failed migration must not leave the ports and dynalite's LevelDB lock held.
  const { migratedItems } = await prepareTable(dynamoEndpoint, names.table).catch(async (error: unknown) => {
    await stop();
    throw error;
  });

  return { s3Endpoint: `http://127.0.0.1:${s3Address.port}`, dynamoEndpoint, s3rver, migratedItems, stop };
}

/** The same schema as infra/storage.ts, created in a fresh data dir and migrated in an older one. */
async function prepareTable(endpoint: string, table: string): Promise<{ migratedItems: number }> {
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    return await ensureSearchIndex(client, table);
  } finally {
    client.destroy();
  }
}
