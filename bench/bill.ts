import { AWS_PRICES } from './aws-prices.js';
import { DYNAMODB_PRICES } from './dynamodb-prices.js';

/**
 * The billing arithmetic of the cost bench, apart from any measuring: how AWS turns durations, sizes and
 * request counts into billed units, and the units into dollars (prices: aws-prices.ts, dynamodb-prices.ts).
 */

/** A Lambda invocation's billed GB-seconds: its duration rounded up to the next 1 ms, times its configured memory. */
export function lambdaGbSeconds(durationMs: number, memoryMb: number): number {
  const increment = AWS_PRICES.lambda.billedMsIncrement;
  return ((Math.ceil(durationMs / increment) * increment) / 1000) * (memoryMb / 1024);
}

/**
 * An Express execution's billed GB-seconds: duration rounded up to the next 100 ms, memory in 64 MB chunks
 * (64 MB at least).
 */
export function expressGbSeconds(durationMs: number, memoryMb = 64): number {
  const { expressBilledMsIncrement: msStep, expressMemoryIncrementMb: mbStep } = AWS_PRICES.stepFunctions;
  const billedMs = Math.max(1, Math.ceil(durationMs / msStep)) * msStep;
  const billedMb = Math.max(1, Math.ceil(memoryMb / mbStep)) * mbStep;
  return (billedMs / 1000) * (billedMb / 1024);
}

/** Read request units of one read of an item: 1 per 4 KB started when strongly consistent, half of that when eventually consistent. */
export function readUnits(itemBytes: number, consistent: boolean): number {
  const units = Math.max(1, Math.ceil(itemBytes / 4096));
  return consistent ? units : units / 2;
}

/** Write request units of one write: 1 per 1 KB started of the larger of the item before and after. */
export function writeUnits(itemBytes: number): number {
  return Math.max(1, Math.ceil(itemBytes / 1024));
}

/** A DynamoDB attribute value in the wire format (the JSON a client sends and dynalite stores). */
export type AttributeValue =
  | { S: string }
  | { N: string }
  | { B: string }
  | { BOOL: boolean }
  | { NULL: boolean }
  | { SS: string[] }
  | { NS: string[] }
  | { BS: string[] }
  | { L: AttributeValue[] }
  | { M: Record<string, AttributeValue> };
export type Item = Record<string, AttributeValue>;

/**
 * An item's size as DynamoDB bills it (developer guide, "Item sizes and formats"): attribute names and
 * strings in UTF-8 bytes, numbers ≈ 1 byte per two significant digits + 1, binary in bytes (base64 decoded),
 * 1 byte for a boolean or null, a list or map 3 bytes + 1 byte per element + its contents.
 */
export function itemBytes(item: Item): number {
  return Object.entries(item).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + valueBytes(value), 0);
}

function valueBytes(value: AttributeValue): number {
  if ('S' in value) return Buffer.byteLength(value.S);
  if ('N' in value) return numberBytes(value.N);
  if ('B' in value) return Buffer.from(value.B, 'base64').length;
  if ('BOOL' in value || 'NULL' in value) return 1;
  if ('SS' in value) return value.SS.reduce((sum, text) => sum + Buffer.byteLength(text), 0);
  if ('NS' in value) return value.NS.reduce((sum, text) => sum + numberBytes(text), 0);
  if ('BS' in value) return value.BS.reduce((sum, text) => sum + Buffer.from(text, 'base64').length, 0);
  if ('L' in value) return 3 + value.L.reduce((sum, element) => sum + 1 + valueBytes(element), 0);
  return 3 + Object.entries(value.M).reduce((sum, [name, element]) => sum + 1 + Buffer.byteLength(name) + valueBytes(element), 0);
}

function numberBytes(text: string): number {
  const digits = text.replace(/^-/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(1, digits.length) / 2) + 1;
}

/** API Gateway HTTP API requests as metered: one per 512 KB started of the request. */
export function httpApiRequests(requestBytes: number): number {
  return Math.max(1, Math.ceil(requestBytes / AWS_PRICES.httpApi.meteredBytes));
}

/** What the bench counted over a run of `uploads` two-extension uploads, in billed units. */
export interface BilledUsage {
  uploads: number;
  lambdas: Array<{ entry: string; memoryMb: number; invocations: number; gbSeconds: number; meanMs: number }>;
  dynamo: { readUnits: number; writeUnits: number };
  s3: { puts: number; gets: number };
  httpApiRequests: number;
  stepFunctions: {
    standardTransitions: number;
    expressExecutions: number;
    expressGbSeconds: number;
  };
  /** Bytes ingested into CloudWatch Logs, by what wrote them. */
  logBytes: Record<string, number>;
  /** X-Ray traces recorded (the tagging state machine traces; API and Lambdas do not). */
  xrayTraces: number;
}

export interface BillLine {
  line: string;
  /** What was billed per 1,000 images, in words and numbers. */
  quantity: string;
  usd: number;
}

const X_RAY_USD_PER_TRACE = 5 / 1_000_000;
const per1000 = (value: number, uploads: number) => (value * 1000) / uploads;
const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

/** The bill per 1,000 images, line by line, from what `uploads` uploads used. */
export function billPer1000(usage: BilledUsage): BillLine[] {
  const { uploads } = usage;
  const lambda = AWS_PRICES.lambda;
  const sfn = AWS_PRICES.stepFunctions;
  const lines: BillLine[] = usage.lambdas.map((fn) => {
    const invocations = per1000(fn.invocations, uploads);
    const gbSeconds = per1000(fn.gbSeconds, uploads);
    return {
      line: `Lambda ${fn.entry} (${fn.memoryMb} MB)`,
      quantity: `${round(invocations)} invocations × ${round(fn.meanMs)} ms = ${round(gbSeconds, 2)} GB-s`,
      usd: gbSeconds * lambda.usdPerGbSecond + (invocations * lambda.usdPerMillionRequests) / 1e6,
    };
  });
  const transitions = per1000(usage.stepFunctions.standardTransitions, uploads);
  lines.push({
    line: 'Step Functions Standard',
    quantity: `${round(transitions)} state transitions`,
    usd: transitions * sfn.standardUsdPerTransition,
  });
  const expressExecutions = per1000(usage.stepFunctions.expressExecutions, uploads);
  const expressGb = per1000(usage.stepFunctions.expressGbSeconds, uploads);
  lines.push({
    line: 'Step Functions Express',
    quantity: `${round(expressExecutions)} executions, ${round(expressGb, 2)} GB-s`,
    usd: (expressExecutions * sfn.expressUsdPerMillionRequests) / 1e6 + expressGb * sfn.expressUsdPerGbSecond,
  });
  const rru = per1000(usage.dynamo.readUnits, uploads);
  const wru = per1000(usage.dynamo.writeUnits, uploads);
  lines.push({ line: 'DynamoDB reads', quantity: `${round(rru)} RRU`, usd: (rru * DYNAMODB_PRICES.usdPerMillionReadUnits) / 1e6 });
  lines.push({ line: 'DynamoDB writes', quantity: `${round(wru)} WRU`, usd: (wru * DYNAMODB_PRICES.usdPerMillionWriteUnits) / 1e6 });
  const puts = per1000(usage.s3.puts, uploads);
  const gets = per1000(usage.s3.gets, uploads);
  lines.push({
    line: 'S3 requests',
    quantity: `${round(puts)} PUT-class, ${round(gets)} GET-class`,
    usd: (puts * AWS_PRICES.s3.usdPerThousandPuts) / 1000 + (gets * AWS_PRICES.s3.usdPerThousandGets) / 1000,
  });
  const apiRequests = per1000(usage.httpApiRequests, uploads);
  lines.push({
    line: 'API Gateway HTTP API',
    quantity: `${round(apiRequests)} requests (512 KB units)`,
    usd: (apiRequests * AWS_PRICES.httpApi.usdPerMillionRequests) / 1e6,
  });
  const logBytes = Object.values(usage.logBytes).reduce((sum, bytes) => sum + bytes, 0);
  const logKb = per1000(logBytes, uploads) / 1024;
  lines.push({
    line: 'CloudWatch Logs ingestion',
    quantity: `${round(logKb)} KB (${Object.entries(usage.logBytes)
      .map(([what, bytes]) => `${what} ${round(per1000(bytes, uploads) / 1024)}`)
      .join(', ')})`,
    usd: (logKb / 1024 / 1024) * AWS_PRICES.cloudWatchLogs.usdPerGbIngested,
  });
  const traces = per1000(usage.xrayTraces, uploads);
  lines.push({ line: 'X-Ray traces', quantity: `${round(traces)} traces recorded`, usd: traces * X_RAY_USD_PER_TRACE });
  return lines;
}

export const billTotal = (lines: readonly BillLine[]) => lines.reduce((sum, line) => sum + line.usd, 0);
