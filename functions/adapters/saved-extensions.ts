import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { WriteConflict } from '../core/errors.js';
import type { SavedExtension } from '../core/saved-extensions.js';
import { documentClient } from './clients/dynamodb.js';

/** Every saved extension as one read found them, and the revision a write must still find. */
export interface SavedExtensionList {
  entries: SavedExtension[];
  revision: number;
}

/**
 * The saved extensions, all in one item (`pk = saved-extensions`, the list as JSON text): at most 100 short
 * entries (a policy is a tag policy version of its own), so one consistent GetItem lists them all or
 * resolves any reference, and one conditional PutItem on `revision` changes them without losing a
 * concurrent change.
 */
export class SavedExtensionTable {
  constructor(
    private readonly table: string,
    private readonly client: DynamoDBDocumentClient = documentClient(),
  ) {}

  async read(): Promise<SavedExtensionList> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.table, Key: KEY, ConsistentRead: true }));
    if (!Item) return { entries: [], revision: 0 };
    return { entries: JSON.parse(String(Item.entries)) as SavedExtension[], revision: Number(Item.revision) };
  }

  /** Replaces the list, if it is still at `revision` (else WriteConflict: read again). */
  async write(entries: readonly SavedExtension[], revision: number): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...KEY, entries: JSON.stringify(entries), revision: revision + 1 },
          ...(revision === 0
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : { ConditionExpression: 'revision = :revision', ExpressionAttributeValues: { ':revision': revision } }),
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new WriteConflict('the saved extensions');
      throw error;
    }
  }
}

const KEY = { pk: 'saved-extensions' };
