import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBClient, GetItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { type LocalStack, startLocalStack } from '../../local/stack.js';

export interface TestStack extends LocalStack {
  /** Every object key with its ETag and every table item: compare before/after to prove nothing changed. */
  snapshot(): Promise<{ objects: string[]; items: string[] }>;
  /** A file's raw table item, as the handlers wrote it. */
  item(fileId: string): Promise<Record<string, unknown> | undefined>;
  /** The webhook delivery items (one per event) of a file, as deliver-webhook recorded them. */
  deliveries(fileId: string): Promise<Array<Record<string, unknown>>>;
  /** Basic auth header with the stack's key. */
  auth: string;
  close(): Promise<void>;
}

/** The local stack on random loopback ports with a throwaway data dir; one per test file. */
export async function startTestStack(env: Record<string, string> = {}): Promise<TestStack> {
  const dataDir = await mkdtemp(join(tmpdir(), 'aitags-test-'));
  const stack = await startLocalStack({ dataDir, port: 0, env });
  const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  const s3 = new S3Client({ endpoint: stack.s3Endpoint, region: 'us-east-1', forcePathStyle: true, credentials });
  const dynamo = new DynamoDBClient({ endpoint: stack.dynamoEndpoint, region: 'us-east-1', credentials });
  return {
    ...stack,
    auth: `Basic ${Buffer.from(`${stack.privateKey}:`).toString('base64')}`,
    async snapshot() {
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: stack.bucket }));
      const scanned = await dynamo.send(new ScanCommand({ TableName: stack.table, ConsistentRead: true }));
      return {
        objects: (listed.Contents ?? []).map((object) => `${object.Key} ${object.ETag}`).sort(),
        items: (scanned.Items ?? []).map((item) => JSON.stringify(item)).sort(),
      };
    },
    async item(fileId) {
      const { Item } = await dynamo.send(new GetItemCommand({ TableName: stack.table, Key: { pk: { S: `file#${fileId}` } }, ConsistentRead: true }));
      return Item ? unmarshall(Item) : undefined;
    },
    async deliveries(fileId) {
      const { Items } = await dynamo.send(
        new ScanCommand({
          TableName: stack.table,
          ConsistentRead: true,
          FilterExpression: 'begins_with(pk, :webhook) AND fileId = :fileId',
          ExpressionAttributeValues: { ':webhook': { S: 'webhook#' }, ':fileId': { S: fileId } },
        }),
      );
      return (Items ?? []).map((item) => unmarshall(item));
    },
    async close() {
      s3.destroy();
      dynamo.destroy();
      await stack.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
