import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type AttemptClaim, attemptRefused, WEBHOOK_CLAIM_SECONDS } from '../core/claims.js';
import type { WebhookAttemptRecord, WebhookDelivery } from '../core/file-record.js';
import { documentClient } from './clients/dynamodb.js';
import { heldItem, unlessConditionFails } from './conditional-writes.js';

/** A final delivery record is kept this long for inspection, then DynamoDB's TTL removes it. */
const KEEP_FINAL_DAYS = 30;

const deliveryKey = (eventId: string) => `webhook#${eventId}`;
const epochSeconds = (date: Date) => Math.floor(date.getTime() / 1000);

/** Which event a delivery item is about: written with its first attempt. */
export interface DeliveryIdentity {
  fileId: string;
  service: WebhookDelivery['service'];
  url: string;
}

/**
 * One item per webhook event (`webhook#<eventId>`), in the files table: its attempts and final state.
 * Kept apart from the file's record, so a file that is re-tagged a thousand times with a dead receiver
 * still fits in DynamoDB's 400 KB item; a final delivery expires after KEEP_FINAL_DAYS.
 */
export class WebhookDeliveries {
  constructor(
    private readonly table: string,
    private readonly client: DynamoDBDocumentClient = documentClient(),
  ) {}

  /** Appends one attempt and the state it leaves the delivery in; a final state starts the item's TTL. */
  async recordAttempt(
    eventId: string,
    identity: DeliveryIdentity,
    attempt: WebhookAttemptRecord,
    state: WebhookDelivery['state'],
    now: Date,
  ): Promise<void> {
    const final = state !== 'pending';
    await this.client.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: deliveryKey(eventId) },
        UpdateExpression: [
          'SET attempts = list_append(if_not_exists(attempts, :none), :attempt), #state = :state',
          'fileId = if_not_exists(fileId, :fileId), #service = if_not_exists(#service, :service), #url = if_not_exists(#url, :url)',
          'createdAt = if_not_exists(createdAt, :now)',
          ...(final ? ['#ttl = :ttl'] : []),
        ].join(', '),
        ExpressionAttributeNames: { '#state': 'state', '#service': 'service', '#url': 'url', ...(final && { '#ttl': 'ttl' }) },
        ExpressionAttributeValues: {
          ':none': [],
          ':attempt': [attempt],
          ':state': state,
          ':fileId': identity.fileId,
          ':service': identity.service,
          ':url': identity.url,
          ':now': now.toISOString(),
          ...(final && { ':ttl': epochSeconds(now) + KEEP_FINAL_DAYS * 86_400 }),
        },
      }),
    );
  }

  /**
   * Claims attempt `attempt` of `eventId` for `owner` (an execution) before it is sent, so that no two
   * executions send one event: only while the delivery is not final, fewer than `attempt` attempts are
   * recorded, and no other owner holds this attempt or a later one — unless its claim lapsed (its holder
   * died before recording the attempt: then the attempt is made once more). The owner claims again on a retry.
   */
  async claimAttempt(eventId: string, attempt: number, owner: string, now: Date): Promise<AttemptClaim> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: deliveryKey(eventId) },
          UpdateExpression: 'SET #claim = :claim, #ttl = if_not_exists(#ttl, :ttl)',
          ConditionExpression: [
            '(attribute_not_exists(#state) OR #state = :pending)',
            '(attribute_not_exists(attempts) OR size(attempts) < :attempt)',
            '(attribute_not_exists(#claim) OR #claim.#attempt < :attempt OR #claim.#owner = :owner OR #claim.expiresAtMs <= :now)',
          ].join(' AND '),
          ExpressionAttributeNames: { '#state': 'state', '#claim': 'claim', '#attempt': 'attempt', '#owner': 'owner', '#ttl': 'ttl' },
          ExpressionAttributeValues: {
            ':claim': { attempt, owner, expiresAtMs: now.getTime() + WEBHOOK_CLAIM_SECONDS * 1000 },
            ':pending': 'pending',
            ':attempt': attempt,
            ':owner': owner,
            ':now': now.getTime(),
            // Removed with the delivery, or with a claim whose attempt was never recorded.
            ':ttl': epochSeconds(now) + KEEP_FINAL_DAYS * 86_400,
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { claimed: true };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return attemptRefused(await heldItem(error, this.client, this.table, { pk: deliveryKey(eventId) }), attempt);
    }
  }

  /** Lets the next claimant of `eventId`'s attempt take it at once (its claimant's execution was lost). Creates nothing. */
  async lapseClaim(eventId: string): Promise<void> {
    await unlessConditionFails(() =>
      this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: deliveryKey(eventId) },
          UpdateExpression: 'SET #claim.expiresAtMs = :lapsed',
          ConditionExpression: 'attribute_exists(#claim)',
          ExpressionAttributeNames: { '#claim': 'claim' },
          ExpressionAttributeValues: { ':lapsed': 0 },
        }),
      ),
    );
  }

  /** An event's delivery as recorded so far (undefined: no attempt recorded yet). */
  async get(eventId: string): Promise<WebhookDelivery | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.table, Key: { pk: deliveryKey(eventId) }, ConsistentRead: true }));
    // An item with only a claim: its first attempt is being made, none is recorded.
    if (!Item?.state) return undefined;
    return {
      service: Item.service as WebhookDelivery['service'],
      url: String(Item.url),
      state: Item.state as WebhookDelivery['state'],
      attempts: (Item.attempts ?? []) as WebhookAttemptRecord[],
      ...(Item.givenUp && { givenUp: Item.givenUp as NonNullable<WebhookDelivery['givenUp']> }),
    };
  }

  /**
   * Records a delivery failed without another attempt (its executions were lost), unless it is final
   * already: false then (a late attempt delivered it, or another reconciler gave up first).
   */
  async giveUp(eventId: string, identity: DeliveryIdentity, reason: string, now: Date): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: deliveryKey(eventId) },
          UpdateExpression: [
            'SET attempts = if_not_exists(attempts, :none), #state = :failed, givenUp = :givenUp, #ttl = :ttl',
            'fileId = if_not_exists(fileId, :fileId), #service = if_not_exists(#service, :service), #url = if_not_exists(#url, :url)',
            'createdAt = if_not_exists(createdAt, :now)',
          ].join(', '),
          ConditionExpression: 'attribute_not_exists(#state) OR #state = :pending',
          ExpressionAttributeNames: { '#state': 'state', '#service': 'service', '#url': 'url', '#ttl': 'ttl' },
          ExpressionAttributeValues: {
            ':none': [],
            ':failed': 'failed',
            ':pending': 'pending',
            ':givenUp': { at: now.toISOString(), reason },
            ':ttl': epochSeconds(now) + KEEP_FINAL_DAYS * 86_400,
            ':fileId': identity.fileId,
            ':service': identity.service,
            ':url': identity.url,
            ':now': now.toISOString(),
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
