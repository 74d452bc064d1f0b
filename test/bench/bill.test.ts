import { describe, expect, it } from 'vitest';
import {
  type BilledUsage,
  billPer1000,
  billTotal,
  expressGbSeconds,
  httpApiRequests,
  itemBytes,
  lambdaGbSeconds,
  readUnits,
  writeUnits,
} from '../../bench/bill.js';

describe('the cost bench arithmetic', () => {
  it('bills a Lambda invocation by the started millisecond times its memory', () => {
    expect(lambdaGbSeconds(1000, 1024)).toBe(1);
    expect(lambdaGbSeconds(100.2, 1024)).toBeCloseTo(0.101, 12);
    expect(lambdaGbSeconds(500, 256)).toBe(0.125);
  });

  it('bills an Express execution by the started 100 ms and 64 MB chunks, 64 MB at least', () => {
    expect(expressGbSeconds(1)).toBe(0.1 * 0.0625);
    expect(expressGbSeconds(100)).toBe(0.1 * 0.0625);
    expect(expressGbSeconds(101)).toBeCloseTo(0.2 * 0.0625, 12);
    expect(expressGbSeconds(950, 10)).toBeCloseTo(1 * 0.0625, 12);
    expect(expressGbSeconds(1000, 65)).toBeCloseTo(1 * 0.125, 12);
  });

  it('counts read units per started 4 KB, halved when eventually consistent', () => {
    expect(readUnits(1, true)).toBe(1);
    expect(readUnits(4096, true)).toBe(1);
    expect(readUnits(4097, true)).toBe(2);
    expect(readUnits(1200, false)).toBe(0.5);
    expect(readUnits(9000, false)).toBe(1.5);
  });

  it('counts write units per started 1 KB', () => {
    expect(writeUnits(0)).toBe(1);
    expect(writeUnits(1024)).toBe(1);
    expect(writeUnits(1025)).toBe(2);
    expect(writeUnits(3000)).toBe(3);
  });

  it('sizes an item as DynamoDB does: names, UTF-8 strings, numbers, and 3 + 1 per element for maps and lists', () => {
    expect(itemBytes({ pk: { S: 'file#1' } })).toBe(2 + 6);
    expect(itemBytes({ name: { S: 'ü' } })).toBe(4 + 2);
    expect(itemBytes({ n: { N: '12345' } })).toBe(1 + 4);
    expect(itemBytes({ ok: { BOOL: true }, none: { NULL: true } })).toBe(2 + 1 + 4 + 1);
    expect(itemBytes({ tags: { L: [{ S: 'a' }, { S: 'bc' }] } })).toBe(4 + 3 + (1 + 1) + (1 + 2));
    expect(itemBytes({ m: { M: { k: { S: 'v' } } } })).toBe(1 + 3 + 1 + 1 + 1);
  });

  it('meters an HTTP API request per started 512 KB', () => {
    expect(httpApiRequests(0)).toBe(1);
    expect(httpApiRequests(512 * 1024)).toBe(1);
    expect(httpApiRequests(512 * 1024 + 1)).toBe(2);
  });

  it('prices the usage of a run per 1,000 images, line by line', () => {
    const usage: BilledUsage = {
      uploads: 10,
      lambdas: [{ entry: 'upload', memoryMb: 1024, invocations: 10, gbSeconds: 5, meanMs: 500 }],
      dynamo: { readUnits: 80, writeUnits: 40 },
      s3: { puts: 20, gets: 10 },
      httpApiRequests: 10,
      stepFunctions: { standardTransitions: 90, expressExecutions: 10, expressGbSeconds: 0.0625 },
      logBytes: { 'handler logs': 1024 * 1024 },
      xrayTraces: 0.5,
    };
    const lines = Object.fromEntries(billPer1000(usage).map((line) => [line.line, line.usd]));
    expect(lines['Lambda upload (1024 MB)']).toBeCloseTo(500 * 0.0000133334 + 1000 * 0.2e-6, 12);
    expect(lines['Step Functions Standard']).toBeCloseTo(9000 * 0.000025, 12);
    expect(lines['Step Functions Express']).toBeCloseTo(1000 * 1e-6 + 6.25 * 0.00001667, 12);
    expect(lines['DynamoDB reads']).toBeCloseTo(8000 * 0.125e-6, 12);
    expect(lines['DynamoDB writes']).toBeCloseTo(4000 * 0.625e-6, 12);
    expect(lines['S3 requests']).toBeCloseTo(2000 * 0.005e-3 + 1000 * 0.0004e-3, 12);
    expect(lines['API Gateway HTTP API']).toBeCloseTo(1000 * 1e-6, 12);
    expect(lines['CloudWatch Logs ingestion']).toBeCloseTo((100 / 1024) * 0.5, 12);
    expect(lines['X-Ray traces']).toBeCloseTo(50 * 5e-6, 12);
    expect(billTotal(billPer1000(usage))).toBeCloseTo(
      Object.values(lines).reduce((sum, usd) => sum + usd, 0),
      12,
    );
  });
});
