import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { TABLE_KEY } from '../../functions/adapters/table-schema.js';
import { indexWrites, type Item, writeUnits } from './item-size.js';

/** What a table write is to the index: the record side, a tag entry, the month registry. */
export type WriteKind = 'record' | 'tagEntry' | 'monthRegistry' | 'other';

export interface WriteTally {
  requests: number;
  /** Write units of the table writes (failed conditional writes included: DynamoDB bills them too). */
  tableUnits: number;
  /** Writes DynamoDB makes to the search index for them, 1 unit each (every entry is far below 1 KB). */
  indexUnits: number;
  failed: number;
}

export type WriteTallies = Record<WriteKind, WriteTally> & { byCommand: Record<string, number> };

const KINDS: Array<[prefix: string, kind: WriteKind]> = [
  ['file#', 'record'],
  ['path#', 'record'],
  ['tag#', 'tagEntry'],
  ['index#months', 'monthRegistry'],
];

const kindOf = (pk: string | undefined): WriteKind => KINDS.find(([prefix]) => pk?.startsWith(prefix))?.[1] ?? 'other';
const emptyTally = (): WriteTally => ({ requests: 0, tableUnits: 0, indexUnits: 0, failed: 0 });

export const emptyTallies = (): WriteTallies => ({
  record: emptyTally(),
  tagEntry: emptyTally(),
  monthRegistry: emptyTally(),
  other: emptyTally(),
  byCommand: {},
});

const WRITES = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand']);

interface WriteInput {
  TableName?: string;
  Key?: Item;
  Item?: Item;
}

export interface WriteMeter {
  /** Every write, by kind: requests and failures only. */
  counted: WriteTallies;
  /** The writes sent while `measuring`: requests, write units and index writes. */
  measured: WriteTallies;
  measuring: boolean;
}

/**
 * Counts every command `client` sends. While `measuring`, it also reads the item of each single-item
 * write before and after it (on `observer`, a client without this middleware) to tell its write units and
 * the index writes it causes: three requests per write, so only a sample is measured. Meant for writes to
 * distinct items at any moment: two writes to one item in flight would blur each other's reading.
 */
export function meterWrites(client: DynamoDBClient, observer: DynamoDBClient): WriteMeter {
  const meter: WriteMeter = { counted: emptyTallies(), measured: emptyTallies(), measuring: false };
  const read = async (table: string, key: Item) =>
    (await observer.send(new GetItemCommand({ TableName: table, Key: key, ConsistentRead: true }))).Item;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? 'unknown';
      const measuring = meter.measuring;
      for (const tallies of measuring ? [meter.counted, meter.measured] : [meter.counted])
        tallies.byCommand[name] = (tallies.byCommand[name] ?? 0) + 1;
      const input = args.input as WriteInput;
      const keyValue = input.Key?.[TABLE_KEY] ?? input.Item?.[TABLE_KEY];
      if (!WRITES.has(name) || !input.TableName || !keyValue) return next(args);
      const kind = kindOf(keyValue.S);
      meter.counted[kind].requests += 1;
      if (!measuring) {
        try {
          return await next(args);
        } catch (error) {
          meter.counted[kind].failed += 1;
          throw error;
        }
      }
      const key = { [TABLE_KEY]: keyValue };
      const tally = meter.measured[kind];
      const before = await read(input.TableName, key);
      tally.requests += 1;
      try {
        const result = await next(args);
        const after = await read(input.TableName, key);
        tally.tableUnits += writeUnits(before, after);
        tally.indexUnits += indexWrites(before, after);
        return result;
      } catch (error) {
        meter.counted[kind].failed += 1;
        tally.failed += 1;
        tally.tableUnits += writeUnits(before, undefined);
        throw error;
      }
    },
    // After the document client's marshalling (serialize step): the input holds AttributeValues.
    { step: 'build', name: 'benchWriteMeter' },
  );
  return meter;
}
