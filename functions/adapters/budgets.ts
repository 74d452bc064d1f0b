import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { budgetMonth } from '../core/budget.js';
import type { ExtensionName } from '../core/extension-names.js';
import { documentClient } from './clients/dynamodb.js';

/** One extension's spend in one month (`budget#<extension>#<YYYY-MM>`), in micro-dollars. */
const spendKey = (name: ExtensionName, month: string) => ({ pk: `budget#${name}#${month}` });
/** What one run of one extension holds of its budget (`budget-hold#<runId>#<extension>`). */
const holdKey = (runId: string, name: ExtensionName) => ({ pk: `budget-hold#${runId}#${name}` });
/** A hold outlives any run that could still release it (an upload's run lives at most 3 hours; its month's spend item stays). */
const HOLD_KEPT_SECONDS = 40 * 24 * 3600;

export type Reservation = { reserved: true; spentMicroUsd: number; month: string } | { reserved: false; spentMicroUsd: number; month: string };

/**
 * The monthly budgets' ledger (core/budget.ts), in the files table: a run reserves one image's price
 * before it calls the provider, with one conditional UpdateItem that never lets the month's spend pass the
 * cap — concurrent reservations cannot overspend — and keeps a hold item so that a retried task does not
 * reserve again; a call the provider never billed releases the hold.
 */
export class BudgetLedger {
  constructor(
    private readonly table: string,
    private readonly client: DynamoDBDocumentClient = documentClient(),
  ) {}

  /**
   * One image of `name` for run `runId`, at `priceMicroUsd`, within `capMicroUsd` for the month of `at`.
   * Idempotent per (run, extension): a hold already taken answers reserved without counting again.
   */
  async reserve(name: ExtensionName, runId: string, priceMicroUsd: number, capMicroUsd: number, at: Date): Promise<Reservation> {
    const { Item: held } = await this.client.send(new GetCommand({ TableName: this.table, Key: holdKey(runId, name), ConsistentRead: true }));
    if (held?.state === 'held') {
      const month = String(held.month);
      return { reserved: true, spentMicroUsd: await this.spent(name, month), month };
    }
    const month = budgetMonth(at);
    if (priceMicroUsd > capMicroUsd) return { reserved: false, spentMicroUsd: await this.spent(name, month), month };
    let spentMicroUsd: number;
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: spendKey(name, month),
          UpdateExpression: 'SET spent = if_not_exists(spent, :zero) + :price',
          ConditionExpression: 'attribute_not_exists(spent) OR spent <= :room',
          ExpressionAttributeValues: { ':zero': 0, ':price': priceMicroUsd, ':room': capMicroUsd - priceMicroUsd },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      spentMicroUsd = Number(Attributes?.spent ?? priceMicroUsd);
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return { reserved: false, spentMicroUsd: await this.spent(name, month), month };
    }
    // Dying between these two writes counts this image once more when the task is retried: a budget errs
    // towards spending less, never more.
    await this.client.send(
      new UpdateCommand({
        TableName: this.table,
        Key: holdKey(runId, name),
        UpdateExpression: 'SET #state = :held, #month = :month, price = :price, #ttl = :ttl',
        ExpressionAttributeNames: { '#state': 'state', '#month': 'month', '#ttl': 'ttl' },
        ExpressionAttributeValues: {
          ':held': 'held',
          ':month': month,
          ':price': priceMicroUsd,
          ':ttl': Math.floor(at.getTime() / 1000) + HOLD_KEPT_SECONDS,
        },
      }),
    );
    return { reserved: true, spentMicroUsd, month };
  }

  /**
   * Gives back what run `runId` holds of `name`'s budget (the provider never billed the call). The hold is
   * marked released first, so that a release retried or run twice gives back once.
   */
  async release(name: ExtensionName, runId: string): Promise<boolean> {
    let hold: Record<string, unknown> | undefined;
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: holdKey(runId, name),
          UpdateExpression: 'SET #state = :released',
          ConditionExpression: '#state = :held',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':released': 'released', ':held': 'held' },
          ReturnValues: 'ALL_OLD',
        }),
      );
      hold = Attributes;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return false;
    }
    await this.client.send(
      new UpdateCommand({
        TableName: this.table,
        Key: spendKey(name, String(hold?.month)),
        UpdateExpression: 'ADD spent :minus',
        ExpressionAttributeValues: { ':minus': -Number(hold?.price ?? 0) },
      }),
    );
    return true;
  }

  /** Micro-dollars reserved by `name` in `month` (`YYYY-MM`), 0 before the first. */
  async spent(name: ExtensionName, month: string): Promise<number> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.table, Key: spendKey(name, month), ConsistentRead: true }));
    return Number(Item?.spent ?? 0);
  }
}
