import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import S3rver from 's3rver';

/** A real S3-protocol server (s3rver) and a real DynamoDB-protocol server (dynalite), in-process on loopback. */
export interface StandIns {
  s3Endpoint: string;
  dynamoEndpoint: string;
  s3rver: S3rver;
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
  await createTable(dynamoEndpoint, names.table);

  return {
    s3Endpoint: `http://127.0.0.1:${s3Address.port}`,
    dynamoEndpoint,
    s3rver,
    async stop() {
      s3rver.httpServer.closeAllConnections();
      dynamo.closeAllConnections();
      await Promise.all([s3rver.close(), new Promise((resolve) => dynamo.close(resolve))]);
    },
  };
}

/** The same key schema as infra/storage.ts: partition key `pk` (string), on-demand. */
async function createTable(endpoint: string, table: string): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    await client.send(
      new CreateTableCommand({
        TableName: table,
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  } finally {
    client.destroy();
  }
}
