import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import S3rver from 's3rver';
import { ensureSearchIndex } from './table-migration.js';

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
  const stop = async (): Promise<void> => {
    s3rver.httpServer.closeAllConnections();
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
