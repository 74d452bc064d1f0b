import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { UploadIntent } from '../core/direct-upload.js';
import { documentClient } from './clients/dynamodb.js';

/** How long a finished event's claim is kept to recognise a late duplicate (S3 redelivers within hours). */
const CLAIM_DAYS = 7;
/** A claim still `processing` after this belongs to an invocation that died: take it over. */
const STALE_CLAIM_MS = 3 * 60 * 1000;

const epochSeconds = (date: Date) => Math.floor(date.getTime() / 1000);

/**
 * How far an earlier, failed attempt at one S3 event got: a retry picks up from there instead of storing
 * the file again or starting a second tagging run.
 */
export interface IngestProgress {
  fileId?: string;
  stage?: 'stored' | 'tagging-started';
}

export type EventClaim = { kind: 'claimed'; progress: IngestProgress } | { kind: 'done' } | { kind: 'busy' };

/**
 * Upload intents (`intent#<uploadId>`) and S3-event claims (`s3event#<key>#<sequencer>#<etag>`) in the
 * files table; both expire through the table's `ttl` attribute.
 */
export class InboxTable {
  constructor(
    private readonly table: string,
    private readonly client: DynamoDBDocumentClient = documentClient(),
  ) {}

  async putIntent(intent: UploadIntent, keepUntil: Date): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.table,
        // The settings as JSON text: customMetadata may hold any key, which a document-client map cannot (file-table.ts).
        Item: { pk: `intent#${intent.uploadId}`, ...intent, settings: JSON.stringify(intent.settings), ttl: epochSeconds(keepUntil) },
      }),
    );
  }

  async getIntent(uploadId: string): Promise<UploadIntent | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.table, Key: { pk: `intent#${uploadId}` }, ConsistentRead: true }));
    if (!Item) return undefined;
    const { pk: _pk, ttl: _ttl, settings, ...intent } = Item;
    // Intents written before the JSON text hold a map.
    return { ...intent, settings: typeof settings === 'string' ? JSON.parse(settings) : settings } as UploadIntent;
  }

  async settleIntent(uploadId: string, settled: { state: 'stored'; eventId: string } | { state: 'refused'; reason: string }): Promise<void> {
    const { state, ...rest } = settled;
    const fields = Object.keys(rest);
    await this.client.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: `intent#${uploadId}` },
        UpdateExpression: `SET #state = :state${fields.map((field) => `, ${field} = :${field}`).join('')}`,
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':state': state, ...Object.fromEntries(Object.entries(rest).map(([field, value]) => [`:${field}`, value])) },
      }),
    );
  }

  /**
   * `claimed`: this invocation now owns the event, with what an earlier failed attempt already did.
   * `done`: an earlier delivery handled it. `busy`: another invocation is handling it right now (which may
   * yet fail, so this one must not count as done).
   */
  async claimEvent(eventId: string, now: Date): Promise<EventClaim> {
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: `s3event#${eventId}` },
          UpdateExpression: 'SET #state = :processing, claimedAt = :now, #ttl = :ttl',
          ConditionExpression: 'attribute_not_exists(pk) OR #state = :failed OR (#state = :processing AND claimedAt < :stale)',
          ExpressionAttributeNames: { '#state': 'state', '#ttl': 'ttl' },
          ExpressionAttributeValues: {
            ':processing': 'processing',
            ':failed': 'failed',
            ':now': now.getTime(),
            ':stale': now.getTime() - STALE_CLAIM_MS,
            ':ttl': epochSeconds(now) + CLAIM_DAYS * 86_400,
          },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      const progress: IngestProgress = {
        ...(typeof Attributes?.fileId === 'string' && { fileId: Attributes.fileId }),
        ...((Attributes?.stage === 'stored' || Attributes?.stage === 'tagging-started') && { stage: Attributes.stage }),
      };
      return { kind: 'claimed', progress };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return { kind: error.Item?.state?.S === 'done' ? 'done' : 'busy' };
      throw error;
    }
  }

  /** Remembers how far this attempt got, for a retry should it fail later. */
  async recordProgress(eventId: string, progress: Required<IngestProgress>): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: `s3event#${eventId}` },
        UpdateExpression: 'SET fileId = :fileId, #stage = :stage',
        ExpressionAttributeNames: { '#stage': 'stage' },
        ExpressionAttributeValues: { ':fileId': progress.fileId, ':stage': progress.stage },
      }),
    );
  }

  async finishEvent(eventId: string): Promise<void> {
    await this.setState(eventId, 'done');
  }

  /** Lets a retry of a failed invocation handle the event again, from the progress recorded so far. */
  async releaseEvent(eventId: string): Promise<void> {
    await this.setState(eventId, 'failed');
  }

  private async setState(eventId: string, state: 'done' | 'failed'): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: `s3event#${eventId}` },
        UpdateExpression: 'SET #state = :state',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':state': state },
      }),
    );
  }
}
