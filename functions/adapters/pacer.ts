import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ExtensionName } from '../core/extension-names.js';
import { askAgainAt, type PacerState, type Turn, turnIntervalMs } from '../core/pacer.js';
import { documentClient } from './clients/dynamodb.js';

const pacerKey = (name: ExtensionName) => `pacer#${name}`;
/** Rounds of "busy, idle, read" before giving up: each failed round means another caller took a turn meanwhile. */
const MAX_ROUNDS = 8;

/** The pacer could not take a turn in MAX_ROUNDS rounds (thrown: the state machine's Retry asks again). */
export class PacerContended extends Error {
  constructor(name: ExtensionName) {
    super(`The ${name} pacer changed under every attempt to take a turn`);
    this.name = 'PacerContended';
  }
}

/**
 * The background pacer of each provider (core/pacer.ts): one item per provider, `pacer#<extension>`, in
 * the files table. Taking a turn is one conditional UpdateItem in the common cases (the pacer busy, or
 * idle), so callers queue on DynamoDB's per-item ordering instead of retrying each other's writes.
 */
export class Pacer {
  constructor(
    private readonly table: string,
    private readonly client: DynamoDBDocumentClient = documentClient(),
  ) {}

  /**
   * A turn at `rate` calls a second. Without `horizonMs` always one (a job's file: it may be later than it
   * can wait). With it, a turn only within `horizonMs` of now; else a ticket in the line (the one given,
   * else a new one) and when to ask again — or, with `inLine: false` (a run's Express execution, which
   * continues on Standard to wait in line there), no ticket: a lost ticket would make the line ask late.
   */
  async take(
    name: ExtensionName,
    rate: number,
    nowMs: number,
    options: { horizonMs?: number; ticket?: number; inLine?: boolean } = {},
  ): Promise<Turn> {
    const interval = turnIntervalMs(rate);
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const busy = await this.update(name, {
        UpdateExpression: 'SET #next = #next + :interval',
        ConditionExpression: options.horizonMs === undefined ? '#next > :now' : '#next > :now AND #next <= :limit',
        ExpressionAttributeValues: {
          ':interval': interval,
          ':now': nowMs,
          ...(options.horizonMs !== undefined && { ':limit': nowMs + options.horizonMs }),
        },
      });
      if (busy) {
        // A waiting object's turn came: one fewer ahead of the others.
        if (options.ticket !== undefined) await this.count(name, 'served');
        return { at: Number(busy.next) - interval };
      }
      // Idle: the turn is now; tickets of objects that never came back are forgotten.
      const idle = await this.update(name, {
        UpdateExpression: 'SET #next = :after, #served = if_not_exists(#tickets, :zero)',
        ConditionExpression: 'attribute_not_exists(#next) OR #next <= :now',
        ExpressionAttributeNames: { '#served': 'served', '#tickets': 'tickets' },
        ExpressionAttributeValues: { ':after': nowMs + interval, ':now': nowMs, ':zero': 0 },
      });
      if (idle) return { at: nowMs };
      if (options.horizonMs === undefined) continue;
      const state = await this.state(name);
      if (state.next <= nowMs + options.horizonMs) continue;
      if (options.inLine === false) return { beyondHorizon: true };
      const ticket = options.ticket ?? (await this.count(name, 'tickets'));
      return { askAgainAt: askAgainAt(state, ticket, rate, nowMs), ticket };
    }
    throw new PacerContended(name);
  }

  /** The pacer as stored (all zero before its first turn). */
  async state(name: ExtensionName): Promise<PacerState> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.table, Key: { pk: pacerKey(name) }, ConsistentRead: true }));
    return { next: Number(Item?.next ?? 0), tickets: Number(Item?.tickets ?? 0), served: Number(Item?.served ?? 0) };
  }

  /** One more ticket handed out, or one more waiting object served: answers the new count. */
  private async count(name: ExtensionName, counter: 'tickets' | 'served'): Promise<number> {
    const { Attributes } = await this.client.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: pacerKey(name) },
        UpdateExpression: 'ADD #counter :one',
        ExpressionAttributeNames: { '#counter': counter },
        ExpressionAttributeValues: { ':one': 1 },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(Attributes?.[counter] ?? 1);
  }

  private async update(
    name: ExtensionName,
    expression: {
      UpdateExpression: string;
      ConditionExpression: string;
      ExpressionAttributeNames?: Record<string, string>;
      ExpressionAttributeValues: Record<string, number>;
    },
  ): Promise<Record<string, unknown> | undefined> {
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: pacerKey(name) },
          ...expression,
          ExpressionAttributeNames: { '#next': 'next', ...expression.ExpressionAttributeNames },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return Attributes ?? {};
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }
}
