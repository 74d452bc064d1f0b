import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type ClaimAnswer, EXTENSION_CLAIM_SECONDS } from '../core/claims.js';
import type { ExtensionName } from '../core/extension-names.js';
import { documentClient } from './clients/dynamodb.js';
import { heldItem, unlessConditionFails } from './conditional-writes.js';

/** Which execution tags one extension of one run (`extension-claim#<runId>#<extension>`). */
const claimKey = (runId: string, name: ExtensionName) => ({ pk: `extension-claim#${runId}#${name}` });
/** A claim is only read while its run may still be executing; DynamoDB's TTL removes it a day after it lapsed. */
const KEPT_SECONDS = 24 * 3600;

/** The attributes a claim taken (or handed over) for `owner` at `now` sets: its owner, its expiry and its TTL. */
function claimTerms(owner: string, now: Date) {
  const expiresAtMs = now.getTime() + EXTENSION_CLAIM_SECONDS * 1000;
  return {
    names: { '#owner': 'owner', '#ttl': 'ttl' },
    values: { ':owner': owner, ':expires': expiresAtMs, ':ttl': Math.floor(expiresAtMs / 1000) + KEPT_SECONDS },
  };
}

/**
 * Per (run, extension) claims in the files table, one item each (apart from the file's record: a claim
 * must not change the record's version, which PATCHes and tag entries are conditioned on). A claim is one
 * conditional UpdateItem: taken when there is none, when its owner takes it again (a retried task), or
 * when it lapsed; DynamoDB orders writes to one item, so among concurrent claimants exactly one wins.
 */
export class ExtensionClaims {
  constructor(
    private readonly table: string,
    private readonly client: DynamoDBDocumentClient = documentClient(),
  ) {}

  /** Claims `name` of `runId` for `owner` until `now` + EXTENSION_CLAIM_SECONDS. */
  async claim(runId: string, name: ExtensionName, owner: string, now: Date): Promise<ClaimAnswer> {
    const terms = claimTerms(owner, now);
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: claimKey(runId, name),
          UpdateExpression: 'SET #owner = :owner, expiresAtMs = :expires, #ttl = :ttl ADD claims :one',
          ConditionExpression: 'attribute_not_exists(pk) OR #owner = :owner OR expiresAtMs <= :now',
          ExpressionAttributeNames: terms.names,
          ExpressionAttributeValues: { ...terms.values, ':now': now.getTime(), ':one': 1 },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { claimed: true };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const held = await heldItem(error, this.client, this.table, claimKey(runId, name));
      return { claimed: false, owner: String(held.owner), expiresAtMs: Number(held.expiresAtMs) };
    }
  }

  /**
   * Gives `name` of `runId` to `owner` whoever holds it: the execution that claimed it hands it to the
   * Standard execution that continues it (which then takes it as its own on every attempt).
   */
  async handOver(runId: string, name: ExtensionName, owner: string, now: Date): Promise<void> {
    const terms = claimTerms(owner, now);
    await this.client.send(
      new UpdateCommand({
        TableName: this.table,
        Key: claimKey(runId, name),
        UpdateExpression: 'SET #owner = :owner, expiresAtMs = :expires, #ttl = :ttl',
        ExpressionAttributeNames: terms.names,
        ExpressionAttributeValues: terms.values,
      }),
    );
  }

  /**
   * Lets the next claimant of `name` in `runId` take it at once: the reconciler found the run's executions
   * lost (past the run's deadline, or a local start) and starts it again. Creates nothing.
   */
  async lapse(runId: string, name: ExtensionName): Promise<void> {
    await unlessConditionFails(() =>
      this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: claimKey(runId, name),
          UpdateExpression: 'SET expiresAtMs = :lapsed',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':lapsed': 0 },
        }),
      ),
    );
  }
}
