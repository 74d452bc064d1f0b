import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoFileTable } from '../functions/adapters/file-table.js';

/**
 * Indexes the files of `table` for search (functions/adapters/file-table.ts `reindexAll`): on the local
 * dynalite at `endpoint`, or, without one, on the AWS account and region of the environment's credentials.
 */
export async function reindexTable(endpoint: string | undefined, table: string, options: { ifNeeded: boolean }): Promise<number> {
  const raw = new DynamoDBClient(endpoint ? { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {});
  try {
    const client = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
    return await new DynamoFileTable(table, client).reindexAll(options);
  } finally {
    raw.destroy();
  }
}
