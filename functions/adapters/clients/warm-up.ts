import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from './dynamodb.js';
import { s3Client } from './s3.js';

/**
 * A key no file record has (record keys are `file#` + 24 hex digits), and an object key in the private
 * prefix every role that stores or reads files may read (a missing object there answers 403 without
 * s3:ListBucket, which is as good: the round trip is what warms the client).
 */
const NO_RECORD = { pk: 'warm-up' };
const NO_OBJECT = 'private/.aitags-warm-up';

/** One read of the table for an item that is not there: the client's credentials, connection and code set up. */
export async function warmUpTable(table: string, client: DynamoDBDocumentClient = documentClient()): Promise<void> {
  await client.send(new GetCommand({ TableName: table, Key: NO_RECORD }));
}

/** One HEAD of an object that is not there; any answer from S3 (404, 403) counts: it came back on the connection. */
export async function warmUpBucket(bucket: string, client: S3Client = s3Client()): Promise<void> {
  try {
    await client.send(new HeadObjectCommand({ Bucket: bucket, Key: NO_OBJECT }));
  } catch (error) {
    if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === undefined) throw error;
  }
}
