import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { UploadIntent } from '../core/direct-upload.js';
import { documentClient } from './clients/dynamodb.js';

/** How long a finished event's claim is kept to recognise a late duplicate (S3 redelivers within hours). */
const CLAIM_DAYS = 7;
/** A claim still `processing` after this belongs to an invocation that died: take it over. */
const STALE_CLAIM_MS = 3 * 60 * 1000;

const epochSeconds = (date: Date) => Math.floor(date.getTime() / 1000);

/**
 * Upload intents (`intent#<fileId>`) and S3-event claims (`s3event#<key>#<sequencer>#<etag>`) in the
 * files table; both expire through the table's `ttl` attribute.
 */
export class InboxTable {
  constructor(
    private readonly table: string,
    private readonly client: DynamoDBDocumentClient = documentClient(),
  ) {}

  async putIntent(intent: UploadIntent, keepUntil: Date): Promise<void> {
    await this.client.send(
      new PutCommand({ TableName: this.table, Item: { pk: `intent#${intent.fileId}`, ...intent, ttl: epochSeconds(keepUntil) } }),
    );
  }

  async getIntent(fileId: string): Promise<UploadIntent | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.table, Key: { pk: `intent#${fileId}` }, ConsistentRead: true }));
    if (!Item) return undefined;
    const { pk: _pk, ttl: _ttl, ...intent } = Item;
    return intent as UploadIntent;
  }

  async settleIntent(fileId: string, state: 'stored' | 'refused', reason?: string): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: `intent#${fileId}` },
        UpdateExpression: reason ? 'SET #state = :state, reason = :reason' : 'SET #state = :state',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':state': state, ...(reason && { ':reason': reason }) },
      }),
    );
  }

  /**
   * `claimed`: this invocation now owns the event. `done`: an earlier delivery handled it. `busy`: another
   * invocation is handling it right now (which may yet fail, so this one must not count as done).
   */
  async claimEvent(eventId: string, now: Date): Promise<'claimed' | 'done' | 'busy'> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: `s3event#${eventId}`, state: 'processing', claimedAt: now.getTime(), ttl: epochSeconds(now) + CLAIM_DAYS * 86_400 },
          ConditionExpression: 'attribute_not_exists(pk) OR (#state = :processing AND claimedAt < :stale)',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':processing': 'processing', ':stale': now.getTime() - STALE_CLAIM_MS },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return 'claimed';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return error.Item?.state?.S === 'done' ? 'done' : 'busy';
      throw error;
    }
  }

  async finishEvent(eventId: string): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: `s3event#${eventId}` },
        UpdateExpression: 'SET #state = :done',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':done': 'done' },
      }),
    );
  }

  /** Lets a retry of a failed invocation handle the event again. */
  async releaseEvent(eventId: string): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.table, Key: { pk: `s3event#${eventId}` } }));
  }
}
