import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { EMPTY_TAG_POLICY, type TagPolicy } from '../core/tag-policy.js';
import { checkNotStale, nextPolicyTime, stalePolicy } from '../core/tag-policy-request.js';
import { documentClient } from './clients/dynamodb.js';

/** The library's tag policy as stored: one immutable version, named by `versionId`. */
export interface StoredTagPolicy {
  versionId: string;
  policy: TagPolicy;
  updatedAt: string;
}

/**
 * The library's tag policy, kept as immutable versions (`pk = tag-policy#<versionId>`, the policy as JSON
 * text) and a pointer to the current one (`pk = tag-policy`): a run carries the version id it started with
 * and reads that version, never a copy in its input.
 */
export interface TagPolicies {
  /** The current version, read consistently; undefined while none was ever saved. */
  current(): Promise<StoredTagPolicy | undefined>;
  /** The current version's id, read consistently; '' while none was ever saved. */
  currentVersionId(): Promise<string>;
  /** One version's policy (immutable, so kept once read). */
  version(versionId: string): Promise<TagPolicy>;
  /**
   * Saves `policy` as the new current version. `expectedUpdatedAt`: undefined saves whatever is stored;
   * null only if nothing is; a string only if it is the stored version's `updatedAt` (else a 409).
   */
  replace(policy: TagPolicy, expectedUpdatedAt: string | null | undefined): Promise<StoredTagPolicy>;
  /** Keeps `policy` as a version no pointer names (a saved extension's own policy); answers its id. */
  saveVersion(policy: TagPolicy): Promise<string>;
}

const POINTER_KEY = { pk: 'tag-policy' };
const versionKey = (versionId: string) => ({ pk: `tag-policy#${versionId}` });

export class DynamoTagPolicies implements TagPolicies {
  private readonly versions = new Map<string, TagPolicy>();

  constructor(
    private readonly table: string,
    private readonly client: DynamoDBDocumentClient = documentClient(),
  ) {}

  /** The pointer alone (one GetItem): which version is current, and when it was saved. */
  private async pointer(): Promise<{ versionId: string; updatedAt: string } | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.table, Key: POINTER_KEY, ConsistentRead: true }));
    return Item && { versionId: String(Item.versionId), updatedAt: String(Item.updatedAt) };
  }

  async current(): Promise<StoredTagPolicy | undefined> {
    const pointer = await this.pointer();
    return pointer && { ...pointer, policy: await this.version(pointer.versionId) };
  }

  async currentVersionId(): Promise<string> {
    return (await this.pointer())?.versionId ?? '';
  }

  async version(versionId: string): Promise<TagPolicy> {
    const known = this.versions.get(versionId);
    if (known) return known;
    // Written before the pointer that names it: a consistent read always finds it.
    const { Item } = await this.client.send(new GetCommand({ TableName: this.table, Key: versionKey(versionId), ConsistentRead: true }));
    if (!Item) throw new Error(`Tag policy version ${versionId} is missing`);
    const policy = { ...EMPTY_TAG_POLICY, ...(JSON.parse(String(Item.policy)) as Partial<TagPolicy>) };
    this.versions.set(versionId, policy);
    return policy;
  }

  async saveVersion(policy: TagPolicy): Promise<string> {
    const versionId = randomUUID();
    await this.client.send(
      new PutCommand({
        TableName: this.table,
        Item: { ...versionKey(versionId), policy: JSON.stringify(policy), updatedAt: new Date().toISOString() },
      }),
    );
    this.versions.set(versionId, policy);
    return versionId;
  }

  async replace(policy: TagPolicy, expectedUpdatedAt: string | null | undefined): Promise<StoredTagPolicy> {
    const versionId = randomUUID();
    const before = (await this.pointer())?.updatedAt ?? null;
    // Refused before anything is written; the pointer's condition below covers a race with another PUT.
    checkNotStale(expectedUpdatedAt, before);
    const updatedAt = nextPolicyTime(before, new Date());
    await this.client.send(new PutCommand({ TableName: this.table, Item: { ...versionKey(versionId), policy: JSON.stringify(policy), updatedAt } }));
    const condition =
      expectedUpdatedAt === undefined
        ? {}
        : expectedUpdatedAt === null
          ? { ConditionExpression: 'attribute_not_exists(pk)' }
          : { ConditionExpression: 'updatedAt = :expected', ExpressionAttributeValues: { ':expected': expectedUpdatedAt } };
    try {
      await this.client.send(new PutCommand({ TableName: this.table, Item: { ...POINTER_KEY, versionId, updatedAt }, ...condition }));
    } catch (error) {
      // The version no pointer names is removed: a refused PUT leaves nothing behind.
      await this.client.send(new DeleteCommand({ TableName: this.table, Key: versionKey(versionId) }));
      if (error instanceof ConditionalCheckFailedException) throw stalePolicy((await this.pointer())?.updatedAt ?? null);
      throw error;
    }
    this.versions.set(versionId, policy);
    return { versionId, policy, updatedAt };
  }
}
