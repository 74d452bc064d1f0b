import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';

/**
 * The item a conditional write was refused on (empty when there is none): DynamoDB hands it back with the
 * failed condition (`ReturnValuesOnConditionCheckFailure: 'ALL_OLD'`); dynalite does not, so it is read.
 */
export async function heldItem(
  refusal: ConditionalCheckFailedException,
  client: DynamoDBDocumentClient,
  table: string,
  key: Record<string, string>,
): Promise<Record<string, unknown>> {
  if (refusal.Item) return unmarshall(refusal.Item);
  const { Item } = await client.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }));
  return Item ?? {};
}

/** Runs a write whose failed condition means there was nothing to change (e.g. the item is gone): then it is skipped. */
export async function unlessConditionFails(write: () => Promise<unknown>): Promise<void> {
  try {
    await write();
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}
