import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { EXTENSION_NAMES, type ExtensionName } from '../core/extension-names.js';
import type { LastFailure } from '../core/extension-status.js';
import { documentClient } from './clients/dynamodb.js';

/** Each extension's most recent failed run (`pk = status#<extension>`), for `GET /v1/status`. */
export interface ExtensionFailures {
  /** Keeps `failure` unless a newer one is kept already. */
  record(name: ExtensionName, failure: LastFailure): Promise<void>;
  latest(): Promise<Partial<Record<ExtensionName, LastFailure>>>;
}

const statusKey = (name: ExtensionName) => ({ pk: `status#${name}` });

export class DynamoExtensionFailures implements ExtensionFailures {
  constructor(
    private readonly table: string,
    private readonly client: DynamoDBDocumentClient = documentClient(),
  ) {}

  async record(name: ExtensionName, failure: LastFailure): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: statusKey(name),
          UpdateExpression: 'SET lastFailure = :failure, failedAt = :at',
          // Taggers finish out of order: an older failure never replaces a newer one.
          ConditionExpression: 'attribute_not_exists(failedAt) OR failedAt < :at',
          ExpressionAttributeValues: { ':failure': failure, ':at': failure.at },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async latest(): Promise<Partial<Record<ExtensionName, LastFailure>>> {
    const items = await Promise.all(
      EXTENSION_NAMES.map(async (name) => {
        const { Item } = await this.client.send(new GetCommand({ TableName: this.table, Key: statusKey(name) }));
        return [name, Item?.lastFailure as LastFailure | undefined] as const;
      }),
    );
    return Object.fromEntries(items.filter(([, failure]) => failure));
  }
}
