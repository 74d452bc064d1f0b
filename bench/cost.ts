// First: the environment must be in place before the AWS SDK, Powertools or the handlers read it.
import './environment.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { DynamoDBClient, DescribeTableCommand, paginateScan } from '@aws-sdk/client-dynamodb';
import { HANDLER_ENTRY_METADATA } from '../infra/handler-metadata.js';
import { type FakeLabel, fakeProviderEnvironment, startFakeRekognition, startFakeVision } from '../local/fakes/providers.js';
import type { LocalStack } from '../local/stack.js';
import { type CfnTemplate, synthesizedWorkflow } from '../local/synthesized-template.js';
import { localTemplate } from '../local/template-cache.js';
import { BenchClient, bothExtensions } from './api-client.js';
import { AWS_PRICES } from './aws-prices.js';
import {
  type BilledUsage,
  type BillLine,
  billPer1000,
  billTotal,
  httpApiRequests,
  type Item,
  itemBytes,
  lambdaGbSeconds,
  expressGbSeconds,
  readUnits,
  writeUnits,
} from './bill.js';
import { CostMeter, type ExecutionRecord, type ServerRequest } from './cost-meter.js';
import { DYNAMODB_PRICES } from './dynamodb-prices.js';
import { benchPhoto } from './photo.js';
import { inParallel, roundRatio } from './stats.js';

/**
 * Issue 24, item 5: the AWS bill per 1,000 two-extension images, line by line, measured on a fresh local
 * stack in this process with the provider fakes at the issue's latencies (Rekognition 300 ms, Vision 500 ms).
 * `npm run bench:cost [uploads]` prints a markdown table and one `COST {...}` line; `npm run bench:cost --
 * memory` measures what a tagger needs to prepare the largest accepted image (bench/tagger-memory.ts).
 *
 * Measured here: each Lambda's invocations and wall time per invocation (the local runtime's invoke, from the
 * call to the handler's promise settling: provider waits are the fakes' latency, the CPU is this VM's, not
 * Lambda's); DynamoDB requests by operation and the size of the items they touch; S3 requests by method;
 * API requests and their bytes; each Step Functions execution's type, duration and event log (state
 * transitions); the bytes the handlers log. Memory sizes, state machine types and their log levels are read
 * from the synthesized template. Assumed (printed with the table): AWS's bytes of lines nobody in this process
 * writes (Lambda's START/END/REPORT lines, the API's access log line, a Standard execution's log events), and
 * X-Ray sampling.
 */

const LATENCY = { rekognition: 300, vision: 500 };
const DEFAULT_UPLOADS = 100;
const DEFAULT_CONCURRENCY = 2;
const WARM_UP = 4;
/** The issue's goal: AWS's part of the bill per 1,000 two-extension images, provider fees aside. */
const GOAL_USD = 0.06;
const EXTENSIONS = bothExtensions(5);
const LABELS: FakeLabel[] = [
  { name: 'Landscape', confidence: 97.2 },
  { name: 'Sky', confidence: 91.5 },
  { name: 'Gradient', confidence: 77.1 },
];
const LINE_PREFIX = 'COST ';
/** X-Ray's default sampling rule at volume: the first request each second, then 5 %. */
const XRAY_SAMPLED = 0.05;

/**
 * Lines CloudWatch Logs ingests that no code in this process writes, as AWS writes them (text log format,
 * the stack's default): Lambda's three platform lines per invocation, the API's access log line per request
 * (infra/api.ts's format, filled in), and one Step Functions log event (level ALL, no execution data).
 */
const REQUEST_ID = '3f1c7e4a-1d2b-4c5e-9f8a-0b1c2d3e4f5a';
const PLATFORM_LINES = [
  `START RequestId: ${REQUEST_ID} Version: $LATEST\n`,
  `END RequestId: ${REQUEST_ID}\n`,
  `REPORT RequestId: ${REQUEST_ID}\tDuration: 512.34 ms\tBilled Duration: 513 ms\tMemory Size: 1024 MB\tMax Memory Used: 187 MB\t\n`,
].join('');
const ACCESS_LOG_LINE = JSON.stringify({
  requestId: 'Ab1CdEfGhIjKlMn=',
  requestTime: '07/Dec/2026:23:30:00 +0000',
  ip: '203.0.113.10',
  userAgent: 'ImageKit-Node-SDK/7.1.0',
  method: 'POST',
  path: '/api/v1/files/upload',
  routeKey: 'POST /api/v1/files/upload',
  status: '200',
  responseLength: '642',
  integrationStatus: '200',
  integrationLatency: '612',
  error: '-',
  integrationError: '-',
});
const STATE_MACHINE_LOG_EVENT = JSON.stringify({
  id: '12',
  type: 'TaskStateEntered',
  details: { input: '', inputDetails: { truncated: false }, name: 'Tag with Rekognition' },
  previous_event_id: '11',
  event_timestamp: '1796772600123',
  execution_arn: `arn:aws:states:us-east-1:123456789012:execution:TaggingWorkflowStateMachine1A2B3C4D-AbCdEfGhIjKl:${REQUEST_ID}`,
  redrive_count: '0',
});

interface MachineFacts {
  logicalId: string;
  type: 'STANDARD' | 'EXPRESS';
  logLevel: string;
  stateNames: string[];
}

export interface CostReport {
  uploads: number;
  concurrency: number;
  fakeLatencyMs: typeof LATENCY;
  photoBytes: number;
  wallS: number;
  machine: { cpus: number; model: string; node: string };
  lambdas: BilledUsage['lambdas'];
  dynamo: { requestsPerUpload: Record<string, number>; readUnitsPerUpload: number; writeUnitsPerUpload: number; largestItemBytes: number };
  s3: { requestsPerUpload: Record<string, number> };
  api: { requestsPerUpload: number; meteredPerUpload: number };
  stepFunctions: {
    machines: Array<Omit<MachineFacts, 'stateNames'>>;
    executionsPerUpload: Record<string, number>;
    startExecutionPerUpload: Record<string, number>;
    /** Uploads whose run started a Standard execution, of all uploads (Standard executions ÷ uploads). */
    standardShare: number;
    standardTransitionsPerUpload: number;
    expressMeanMs: number | null;
  };
  logBytesPerUpload: Record<string, number>;
  lines: BillLine[];
  totalUsd: number;
  goalUsd: number;
  anomalies: string[];
  prices: string;
}

const portOf = (url: string) => Number(new URL(url).port);

/** Memory size per handler module, and each state machine's type, log level and states, from the synthesized template. */
function templateFacts(template: CfnTemplate): { memoryMb: Map<string, number>; machines: MachineFacts[] } {
  const memoryMb = new Map<string, number>();
  const machines: MachineFacts[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    const entry = resource.Metadata?.[HANDLER_ENTRY_METADATA];
    if (resource.Type === 'AWS::Lambda::Function' && typeof entry === 'string') memoryMb.set(entry, Number(resource.Properties?.MemorySize ?? 128));
    if (resource.Type === 'AWS::StepFunctions::StateMachine') {
      const workflow = synthesizedWorkflow(template, logicalId);
      const logging = resource.Properties?.LoggingConfiguration as { Level?: string } | undefined;
      machines.push({
        logicalId,
        type: workflow.type,
        logLevel: logging?.Level ?? 'OFF',
        stateNames: Object.keys(workflow.definition.States).sort(),
      });
    }
  }
  return { memoryMb, machines };
}

/**
 * Which of the template's machines an execution ran: the one with the same top-level states and, as the
 * Express run and the Standard continuations share theirs, of the type its ARN says (`:express:`).
 */
function machineOf(execution: ExecutionRecord, machines: MachineFacts[]): MachineFacts | undefined {
  const names = execution.stateNames.join('\0');
  const candidates = machines.filter((machine) => machine.stateNames.join('\0') === names);
  const type = execution.executionArn.includes(':express:') ? 'EXPRESS' : 'STANDARD';
  return candidates.find((machine) => machine.type === type) ?? candidates[0];
}

/** Read and write units of the DynamoDB requests, from the size of the items they touched (the table as the run left it). */
async function dynamoUnits(
  requests: ServerRequest[],
  endpoint: string,
  table: string,
): Promise<{ readUnits: number; writeUnits: number; largestItemBytes: number; assumptions: string[] }> {
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    const description = (await client.send(new DescribeTableCommand({ TableName: table }))).Table;
    const keyNames = (description?.KeySchema ?? []).map((key) => key.AttributeName as string);
    const indexes = (description?.GlobalSecondaryIndexes ?? []).map((index) => ({
      keys: (index.KeySchema ?? []).map((key) => key.AttributeName as string),
      projected: index.Projection?.NonKeyAttributes ?? [],
    }));
    const keyOf = (item: Record<string, unknown>) => JSON.stringify(keyNames.map((name) => item[name] ?? null));
    const sizes = new Map<string, number>();
    const indexed = new Set<string>();
    const inIndex = (item: Record<string, unknown>) => indexes.some(({ keys }) => keys.every((name) => name in item));
    for await (const page of paginateScan({ client }, { TableName: table })) {
      for (const item of page.Items ?? []) {
        const key = keyOf(item);
        sizes.set(key, itemBytes(item as Item));
        if (inIndex(item)) indexed.add(key);
      }
    }
    /** An update writes the index when the item is in it and the update names one of its keys or projected attributes. */
    const indexedNames = new Set(indexes.flatMap(({ keys, projected }) => [...keys, ...projected]));
    const touchesIndex = (body: Record<string, unknown>) => {
      const aliases = Object.values((body.ExpressionAttributeNames as Record<string, string> | undefined) ?? {});
      const words = String(body.UpdateExpression ?? '').match(/[A-Za-z_][\w]*/g) ?? [];
      return [...aliases, ...words].some((name) => indexedNames.has(name));
    };
    let reads = 0;
    let writes = 0;
    const assumptions = new Set<string>();
    for (const { operation, body } of requests) {
      if (!body) continue;
      const key = body.Key ? keyOf(body.Key as Record<string, unknown>) : body.Item ? keyOf(body.Item as Record<string, unknown>) : '';
      const consistent = body.ConsistentRead === true;
      const stored = sizes.get(key);
      switch (operation) {
        case 'GetItem':
          reads += readUnits(stored ?? 1, consistent);
          break;
        case 'PutItem':
          writes += writeUnits(Math.max(stored ?? 0, itemBytes(body.Item as Item))) + (inIndex(body.Item as Item) ? 1 : 0);
          break;
        case 'UpdateItem':
          writes += writeUnits(stored ?? 1) + (indexed.has(key) && touchesIndex(body) ? 1 : 0);
          break;
        case 'DeleteItem':
          writes += writeUnits(stored ?? 1);
          if (stored === undefined) assumptions.add('a deleted item is billed 1 WRU');
          break;
        case 'Query':
        case 'Scan':
          reads += readUnits(1, consistent);
          assumptions.add('a Query returns under 4 KB');
          break;
        default:
          assumptions.add(`${operation} not billed here`);
      }
    }
    assumptions.add(
      'an index write is 1 WRU: a put of an item with the GSI keys, an update of an indexed item naming a key or projected attribute (a deleted entry: none counted)',
    );
    assumptions.add('an item is billed at its size when the run ended (items only grow during a run)');
    return { readUnits: reads, writeUnits: writes, largestItemBytes: Math.max(0, ...sizes.values()), assumptions: [...assumptions] };
  } finally {
    client.destroy();
  }
}

/** S3's request classes: PUT, COPY, POST and LIST; GET, HEAD and the rest; DELETE is free. */
function s3Class(request: ServerRequest): 'put' | 'get' | 'free' {
  if (request.method === 'DELETE') return 'free';
  if (request.method === 'PUT' || request.method === 'POST') return 'put';
  const [path = '', query = ''] = request.url.split('?');
  const bucketOnly = path.split('/').filter(Boolean).length <= 1;
  if (request.method === 'GET' && bucketOnly && /(^|&)(list-type|prefix)=/.test(query)) return 'put';
  return 'get';
}

const countBy = <T>(items: readonly T[], keyOf: (item: T) => string): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const item of items) counts[keyOf(item)] = (counts[keyOf(item)] ?? 0) + 1;
  return counts;
};
const perUpload = (counts: Record<string, number>, uploads: number) =>
  Object.fromEntries(
    Object.entries(counts)
      .sort(([, a], [, b]) => b - a)
      .map(([key, count]) => [key, roundRatio(count / uploads)]),
  );

export async function measureCost(uploads = DEFAULT_UPLOADS, concurrency = DEFAULT_CONCURRENCY): Promise<CostReport> {
  const meter = new CostMeter();
  const anomalies: string[] = [];
  const photoBytes = await benchPhoto();
  const photo = new Blob([new Uint8Array(photoBytes)], { type: 'image/jpeg' });
  const rekognition = await startFakeRekognition({ labels: LABELS, latencyMs: LATENCY.rekognition });
  const vision = await startFakeVision({ labels: LABELS, latencyMs: LATENCY.vision });
  const dataDir = await mkdtemp(join(tmpdir(), 'aitags-cost-'));
  let stack: LocalStack | undefined;
  meter.capture();
  try {
    const { startLocalStack } = await import('../local/stack.js');
    stack = await startLocalStack({
      dataDir,
      port: 0,
      // What a deployed function logs: Powertools' default level (the stack sets none) and its EMF metrics.
      env: { POWERTOOLS_LOG_LEVEL: 'INFO', POWERTOOLS_METRICS_DISABLED: 'false', ...fakeProviderEnvironment(rekognition, vision) },
    });
    const running = stack;
    const { template } = await localTemplate({});
    const { memoryMb, machines } = templateFacts(template);
    const ports = {
      api: portOf(running.apiUrl),
      dynamo: portOf(running.dynamoEndpoint),
      s3: portOf(running.s3Endpoint),
      sfn: portOf(process.env.AWS_ENDPOINT_URL_SFN ?? 'http://127.0.0.1:0'),
    };
    meter.tap(ports.dynamo);
    meter.tap(ports.sfn);
    const client = new BenchClient(running.apiUrl, running.privateKey);
    const upload = async (name: string) => {
      const reply = await client.upload(photo, { fileName: `${name}.jpg`, extensions: EXTENSIONS });
      const statuses = Object.values(reply.body.extensionStatus ?? {});
      return statuses.length === 2 && statuses.every((status) => status === 'success');
    };
    // Warm: every handler loaded and its clients connected, as a busy deployment's containers are.
    await inParallel(WARM_UP, concurrency, (index) => upload(`warm-${index}`));
    await running.idle();

    meter.start();
    const startedAt = performance.now();
    let final: boolean[];
    try {
      final = await inParallel(uploads, concurrency, (index) => upload(`cost-${index}`));
      await running.idle();
    } finally {
      await meter.stop();
    }
    const wallS = (performance.now() - startedAt) / 1000;
    const notFinal = final.filter((ok) => !ok).length;
    if (notFinal) anomalies.push(`${notFinal} uploads answered without both extensions success (they still ran to the end: counted)`);

    // Lambda: every invocation in the window, billed at its function's memory.
    const byEntry = new Map<string, { invocations: number; gbSeconds: number; ms: number }>();
    for (const { entry, ms } of meter.invocations) {
      const memory = memoryMb.get(entry);
      if (memory === undefined) anomalies.push(`no function in the template runs ${entry}`);
      const sum = byEntry.get(entry) ?? { invocations: 0, gbSeconds: 0, ms: 0 };
      sum.invocations++;
      sum.gbSeconds += lambdaGbSeconds(ms, memory ?? 128);
      sum.ms += ms;
      byEntry.set(entry, sum);
    }
    const lambdas = [...byEntry.entries()]
      .map(([entry, sum]) => ({
        entry,
        memoryMb: memoryMb.get(entry) ?? 128,
        invocations: sum.invocations,
        gbSeconds: sum.gbSeconds,
        meanMs: sum.ms / sum.invocations,
      }))
      .sort((a, b) => b.gbSeconds - a.gbSeconds);

    // DynamoDB.
    const dynamoRequests = meter.requestsTo(ports.dynamo);
    const dynamo = await dynamoUnits(dynamoRequests, running.dynamoEndpoint, running.table);

    // S3.
    const s3Requests = meter.requestsTo(ports.s3);
    const s3Counts = countBy(s3Requests, s3Class);

    // API Gateway.
    const apiRequests = meter.requestsTo(ports.api);
    const metered = apiRequests.reduce((sum, request) => sum + httpApiRequests(request.contentLength ?? 0), 0);

    // Step Functions: each execution by the machine it ran.
    const executions = meter.executions.map((execution) => ({ execution, machine: machineOf(execution, machines) }));
    for (const { execution, machine } of executions) {
      if (!machine) anomalies.push(`execution ${execution.executionArn} matches no state machine of the template`);
      const expressArn = execution.executionArn.includes(':express:');
      if (machine && (machine.type === 'EXPRESS') !== expressArn) anomalies.push(`${execution.executionArn} ran as ${machine.type} in the template`);
    }
    const standard = executions.filter(
      ({ machine, execution }) => (machine?.type ?? (execution.executionArn.includes(':express:') ? 'EXPRESS' : 'STANDARD')) === 'STANDARD',
    );
    const express = executions.filter((record) => !standard.includes(record));
    const standardTransitions = standard.reduce((sum, { execution }) => sum + execution.entered + execution.retried, 0);
    const expressGb = express.reduce((sum, { execution }) => sum + expressGbSeconds(execution.ms), 0);
    const startRequests = meter.requestsTo(ports.sfn).filter((request) => request.operation === 'StartExecution');

    // CloudWatch Logs.
    const invocations = meter.invocations.length;
    const loggedEvents = executions.reduce((sum, { execution, machine }) => {
      const level = machine?.logLevel ?? 'OFF';
      // Level ALL logs every history event; AWS's history has 3 more per Lambda task (scheduled, started, succeeded) and 2 per Map.
      if (level !== 'ALL') return sum;
      return sum + execution.events + 3 * execution.taskEntered + 2 * execution.mapEntered;
    }, 0);
    const logBytes = {
      'handler logs': meter.written.stdout + meter.written.stderr,
      'Lambda platform lines': invocations * Buffer.byteLength(PLATFORM_LINES),
      'API access log': apiRequests.length * Buffer.byteLength(`${ACCESS_LOG_LINE}\n`),
      'state machine log': loggedEvents * Buffer.byteLength(STATE_MACHINE_LOG_EVENT),
    };

    const usage: BilledUsage = {
      uploads,
      lambdas,
      dynamo: { readUnits: dynamo.readUnits, writeUnits: dynamo.writeUnits },
      s3: { puts: s3Counts.put ?? 0, gets: s3Counts.get ?? 0 },
      httpApiRequests: metered,
      stepFunctions: { standardTransitions, expressExecutions: express.length, expressGbSeconds: expressGb },
      logBytes,
      // Every machine traces (tracingEnabled): each execution, Standard or Express, is a request to sample.
      xrayTraces: executions.length * XRAY_SAMPLED,
    };
    const lines = billPer1000(usage);
    anomalies.push(...dynamo.assumptions.map((text) => `assumed: ${text}`));
    return {
      uploads,
      concurrency,
      fakeLatencyMs: LATENCY,
      photoBytes: photoBytes.length,
      wallS: roundRatio(wallS),
      machine: { cpus: cpus().length, model: cpus()[0]?.model ?? '?', node: process.version },
      lambdas,
      dynamo: {
        requestsPerUpload: perUpload(
          countBy(dynamoRequests, (request) => request.operation ?? request.method),
          uploads,
        ),
        readUnitsPerUpload: roundRatio(dynamo.readUnits / uploads),
        writeUnitsPerUpload: roundRatio(dynamo.writeUnits / uploads),
        largestItemBytes: dynamo.largestItemBytes,
      },
      s3: {
        requestsPerUpload: perUpload(
          countBy(s3Requests, (request) => `${request.method} (${s3Class(request)})`),
          uploads,
        ),
      },
      api: { requestsPerUpload: roundRatio(apiRequests.length / uploads), meteredPerUpload: roundRatio(metered / uploads) },
      stepFunctions: {
        machines: machines.map(({ logicalId, type, logLevel }) => ({ logicalId, type, logLevel })),
        executionsPerUpload: perUpload(
          countBy(executions, ({ machine, execution }) => `${machine?.logicalId ?? execution.stateMachineArn} (${machine?.type ?? '?'})`),
          uploads,
        ),
        startExecutionPerUpload: perUpload(
          countBy(
            startRequests,
            (request) =>
              String(request.body?.stateMachineArn ?? '?')
                .split(':')
                .at(-1) ?? '?',
          ),
          uploads,
        ),
        standardShare: roundRatio(standard.length / uploads),
        standardTransitionsPerUpload: roundRatio(standardTransitions / uploads),
        expressMeanMs: express.length ? Math.round(express.reduce((sum, { execution }) => sum + execution.ms, 0) / express.length) : null,
      },
      logBytesPerUpload: Object.fromEntries(Object.entries(logBytes).map(([what, bytes]) => [what, Math.round(bytes / uploads)])),
      lines,
      totalUsd: billTotal(lines),
      goalUsd: GOAL_USD,
      anomalies,
      prices: `${AWS_PRICES.asOf}; DynamoDB ${DYNAMODB_PRICES.asOf}`,
    };
  } finally {
    await stack?.stop();
    meter.release();
    await Promise.all([rekognition.stop(), vision.stop()]);
    await rm(dataDir, { recursive: true, force: true });
  }
}

const usd = (value: number) => `$${value < 0.0001 && value > 0 ? value.toExponential(1) : value.toFixed(4)}`;

/** The markdown table per 1,000 images, then the facts it was computed from. */
export function formatCost(report: CostReport): string {
  const share = (value: number) => `${Math.round((value / report.totalUsd) * 100)} %`;
  const rows = report.lines.map((line) => `| ${line.line} | ${line.quantity} | ${usd(line.usd)} | ${share(line.usd)} |`);
  const verdict = report.totalUsd <= report.goalUsd ? 'meets' : 'MISSES';
  const sfn = report.stepFunctions;
  return [
    `AWS bill per 1,000 two-extension images: ${report.uploads} uploads of a ${Math.round(report.photoBytes / 1024)} KB JPEG, ${report.concurrency} in flight, fakes Rekognition ${report.fakeLatencyMs.rekognition} ms / Vision ${report.fakeLatencyMs.vision} ms, ${report.wallS} s; ${report.machine.cpus} × ${report.machine.model}, Node ${report.machine.node}`,
    '',
    '| line | per 1,000 images | USD | share |',
    '|---|---|---:|---:|',
    ...rows,
    `| **total** (goal ≤ $${report.goalUsd.toFixed(2)}: ${verdict}) | provider fees aside | **${usd(report.totalUsd)}** | 100 % |`,
    '',
    `Step Functions: ${Object.entries(sfn.executionsPerUpload)
      .map(([machine, count]) => `${machine} ${count}`)
      .join(
        ', ',
      )} executions per upload; StartExecution requests per upload ${JSON.stringify(sfn.startExecutionPerUpload)}; uploads reaching Standard ${Math.round(sfn.standardShare * 100)} %; ${sfn.standardTransitionsPerUpload} Standard transitions per upload${sfn.expressMeanMs === null ? '' : `; Express mean ${sfn.expressMeanMs} ms`}`,
    `machines in the template: ${sfn.machines.map((machine) => `${machine.logicalId} ${machine.type} (logs ${machine.logLevel})`).join(', ')}`,
    `DynamoDB per upload: ${JSON.stringify(report.dynamo.requestsPerUpload)} → ${report.dynamo.readUnitsPerUpload} RRU, ${report.dynamo.writeUnitsPerUpload} WRU (largest item ${report.dynamo.largestItemBytes} B)`,
    `S3 per upload: ${JSON.stringify(report.s3.requestsPerUpload)}; API requests per upload ${report.api.requestsPerUpload} (${report.api.meteredPerUpload} metered)`,
    `log bytes per upload: ${JSON.stringify(report.logBytesPerUpload)}`,
    `Lambda duration = local wall time of each invocation (provider waits = the fakes' latency; CPU work at this VM's speed, not at the function's share of a vCPU); memory from the template; ${report.prices}`,
    ...(report.anomalies.length ? [`notes: ${report.anomalies.join('; ')}`] : []),
  ].join('\n');
}

if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) {
  if (process.argv[2] === 'memory') {
    const { measureTaggerMemory, formatTaggerMemory } = await import('./tagger-memory.js');
    const { memoryMb } = templateFacts((await localTemplate({})).template);
    const taggers = ['tag-with-rekognition', 'tag-with-vision'].map((entry) => memoryMb.get(entry));
    if (taggers[0] === undefined || taggers[0] !== taggers[1])
      throw new Error(`the taggers' memory sizes differ or are missing: ${taggers.join(', ')}`);
    const report = await measureTaggerMemory(taggers[0]);
    console.log(formatTaggerMemory(report));
    console.log(`TAGGER_MEMORY ${JSON.stringify(report)}`);
  } else {
    const [uploads, concurrency] = [process.argv[2] ?? DEFAULT_UPLOADS, process.argv[3] ?? DEFAULT_CONCURRENCY].map(Number) as [number, number];
    if (![uploads, concurrency].every((value) => Number.isInteger(value) && value > 0))
      throw new Error(`usage: bench/cost.ts [uploads] [in flight] | memory (got ${process.argv.slice(2).join(' ')})`);
    const report = await measureCost(uploads, concurrency);
    console.log(formatCost(report));
    console.log(`${LINE_PREFIX}${JSON.stringify(report)}`);
  }
}
