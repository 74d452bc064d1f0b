// First: the environment must be in place before the AWS SDK, Powertools or the handlers read it.
import './environment.js';
import { type ChildProcess, spawn } from 'node:child_process';
import { subscribe } from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type FakeLabel, type FakeProvider, fakeProviderEnvironment, startFakeRekognition, startFakeVision } from '../local/fakes/providers.js';
import type { LocalStack } from '../local/stack.js';
import { BenchClient, bothExtensions, type Timed, type UploadBody } from './api-client.js';
import { reportLine, runReportingChild } from './child-report.js';
import { benchPhoto, gradientJpeg } from './photo.js';
import { type Provider, ProviderClock } from './provider-clock.js';
import { DYNAMODB_PRICES } from './dynamodb-prices.js';
import { type Row, table } from './report.js';
import { quantile, roundMs, roundRatio } from './stats.js';

/**
 * Issue 13 in one run: tagged against plain uploads/s (fakes at 20 ms, 16 in flight), tagged-upload
 * latency against the slowest fake (300/500 ms), the DynamoDB requests each upload costs (counted as
 * dynalite receives them), the memory of the process that runs the stack, and how long `npm start` takes
 * to be ready, cold (no cached template) and warm, with the RSS of that process idle and after a load.
 * Then issue 23: a fresh `npm start` whose providers change speed between phases of sequential tagged
 * uploads, each phase's p50 and max against its bar, and the sync window's reads per upload.
 *
 * Runs in a process of its own (`syncWindowBench`): the handlers read their configuration once per
 * process, and the RSS figures need a heap that nothing else has grown. `npx tsx bench/sync-window.ts`
 * [small|bench] runs it alone and prints the table, then one `SYNC_WINDOW {...}` line; `phases` runs
 * only issue 23's phases (small photo).
 */

const FAST = { rekognition: 20, vision: 20 };
const SLOW = { rekognition: 300, vision: 500 };
const THROUGHPUT = { uploads: 200, concurrency: 16, warmUp: 16 };
const LATENCY = { warmUp: 5, count: 40 };
const SYNC_WINDOW_MS = 3000;
/** The targets: tagged ≥ 0.6 × plain; p50 ≤ 1.10 × slowest + 50 ms, p95 ≤ 1.10 × slowest + 150 ms; RSS < 400 MB. */
const TARGET = { throughputRatio: 0.6, latencyFactor: 1.1, p50SlackMs: 50, p95SlackMs: 150, rssMb: 400 };
/**
 * Issue 23: a fresh `npm start`, then sequential tagged uploads in phases whose fakes answer quicker or
 * slower than the phase before: nothing learned at first, then every change of speed.
 */
const PHASES: Array<{ uploads: number; latency: Latency }> = [
  { uploads: 5, latency: { rekognition: 50, vision: 80 } },
  { uploads: 20, latency: SLOW },
  { uploads: 10, latency: { rekognition: 50, vision: 80 } },
  { uploads: 8, latency: { rekognition: 900, vision: 1200 } },
];
/** Issue 23's bar for each phase's p50 and max: 1.10 × the slower fake + 100 ms. */
const PHASE_BAR = { factor: 1.1, slackMs: 100 };
/** The API's count of the sync window's reads of the record, one EMF line per tagged upload. */
const READS_METRIC = 'SyncWindowRecordReads';
const EXTENSIONS = bothExtensions(5);
const LABELS: FakeLabel[] = [
  { name: 'Landscape', confidence: 97.2 },
  { name: 'Sky', confidence: 91.5 },
  { name: 'Gradient', confidence: 77.1 },
];
const LINE_PREFIX = 'SYNC_WINDOW ';
const thisScript = fileURLToPath(import.meta.url);
const repoRoot = fileURLToPath(new URL('../', import.meta.url));
/** What `npm start` needs of the checkout, copied so that its template cache starts empty (see npmStart). */
const START_SOURCES = ['local', 'infra', 'functions', 'web', 'package.json', 'package-lock.json', 'tsconfig.json'];
const READY_LINE = /aitags is running on (\S+) \(ready in (\d+) ms\)/;
const START_TIMEOUT_MS = 120_000;

type Latency = typeof FAST;
type Counts = Record<string, number>;

export interface LoadResult {
  uploads: number;
  concurrency: number;
  wallS: number;
  uploadsPerS: number;
  /** Tagged loads: extensions final (success) in the upload's own response, after the stack went idle, or never. */
  finalInResponse?: number;
  finalAfterIdle?: number;
  lost?: number;
  failedRequests: number;
  /** Requests the stand-ins received from the first upload until the stack was idle again, per upload. */
  dynamoPerUpload?: number;
  dynamoByOperation?: Counts;
  s3PerUpload?: number;
  stepFunctionsPerUpload?: number;
  /** CPU time of this process (stack, fakes and client: user + system, every thread) from the first upload until idle, per upload. */
  cpuMsPerUpload?: number;
}

export interface SyncWindowReport {
  photo: SyncWindowPhoto;
  photoBytes: number;
  syncWindowMs: number;
  templateCached: boolean | null;
  plain: LoadResult;
  tagged: LoadResult;
  taggedOverPlain: number;
  latency: {
    fakeLatencyMs: Latency;
    n: number;
    p50Ms: number;
    p95Ms: number;
    maxMs: number;
    /** The targets: p50 ≤ 1.10 × slowest + 50 ms, p95 ≤ 1.10 × slowest + 150 ms. */
    p50TargetMs: number;
    p95TargetMs: number;
    p50OverSlowest: number;
    /** (p50 − 50) ÷ slowest and (p95 − 150) ÷ slowest, each against 1.10. */
    p50Factor: number;
    p95Factor: number;
    /** From the slower fake's answer leaving to the upload's response, median and p95. */
    afterLastAnswerP50Ms: number | null;
    afterLastAnswerP95Ms: number | null;
    dynamoPerUpload: number;
    dynamoByOperation: Counts;
  };
  /** This process (stack, fakes and client together), in MB. */
  memory: {
    beforeStackMb: number;
    idleRssMb: number;
    idleHeapUsedMb: number;
    afterLoadRssMb: number;
    afterLoadHeapUsedMb: number;
    peakRssMb: number;
  };
  npmStart: { cold: StartResult; warm: StartResult };
  phases: PhasesReport;
  anomalies: string[];
  node: string;
  totalRunS: number;
}

export interface StartResult {
  /** From spawning `node --import tsx local/start.ts` to its ready line. */
  wallMs: number;
  /** What the line says (timed from start.ts's own first statement, after its imports). */
  printedMs: number;
  idleRssMb: number;
  /** Only for the warm start: the same loads against it, client in this process. */
  afterLoadRssMb?: number;
  peakRssMb?: number;
  plainPerS?: number;
  taggedPerS?: number;
  taggedLost?: number;
}

export interface PhaseResult {
  fakeLatencyMs: Latency;
  uploads: number;
  p50Ms: number;
  maxMs: number;
  /** 1.10 × the slower fake + 100 ms, for p50 and max alike. */
  barMs: number;
  /** The sync window's reads of the record (the API's SyncWindowRecordReads metric), per upload. */
  readsPerUpload: number;
  /** From the slower fake's answer leaving to the upload's response, median and max. */
  afterLastAnswerP50Ms: number | null;
  afterLastAnswerMaxMs: number | null;
  /** From the upload's request to both providers asked (the later of the two), median and max: the part before the run's wait. */
  providersAskedP50Ms: number | null;
  providersAskedMaxMs: number | null;
}

export interface PhasesReport {
  phases: PhaseResult[];
  /** Over every phase: the sync window's reads per tagged upload, and what they cost on AWS per 1,000 uploads. */
  readsPerUpload: number;
  /** A consistent read of the record (≈ 1.2 KB, under 4 KB) is one read unit, at the on-demand list price. */
  usdPer1000Uploads: number;
}

/** The part in a process of its own; see the module comment. */
export function syncWindowBench(photo: SyncWindowPhoto = 'small'): Promise<SyncWindowReport> {
  return runReportingChild<SyncWindowReport>(thisScript, [photo], LINE_PREFIX, 'sync-window bench');
}

/** `small`: 640×480 (default), so the sync window and the stack's own work show, not sharp's; `bench`: the 1600×1200 bench photo. */
export type SyncWindowPhoto = 'small' | 'bench';

/**
 * Counts the requests each loopback server of this process receives, by port and operation (X-Amz-Target's
 * operation, else the HTTP method), through Node's `http.server.request.start` diagnostics channel: the
 * stand-ins stay as they are.
 */
class RequestCounter {
  private readonly counts = new Map<number, Counts>();

  constructor() {
    subscribe('http.server.request.start', (message) => {
      const { request, socket } = message as { request: IncomingMessage; socket: Socket };
      const port = socket.localPort ?? 0;
      const target = request.headers['x-amz-target'];
      const operation = typeof target === 'string' ? (target.split('.').at(-1) ?? target) : (request.method ?? '?');
      const counts = this.counts.get(port) ?? {};
      counts[operation] = (counts[operation] ?? 0) + 1;
      this.counts.set(port, counts);
    });
  }

  snapshot(port: number): Counts {
    return { ...this.counts.get(port) };
  }

  static since(before: Counts, after: Counts): Counts {
    return Object.fromEntries(Object.entries(after).map(([operation, count]) => [operation, count - (before[operation] ?? 0)]));
  }
}

const total = (counts: Counts) => Object.values(counts).reduce((sum, count) => sum + count, 0);
const perUpload = (counts: Counts, uploads: number): Counts =>
  Object.fromEntries(
    Object.entries(counts)
      .filter(([, count]) => count > 0)
      .sort(([, a], [, b]) => b - a)
      .map(([operation, count]) => [operation, roundRatio(count / uploads)]),
  );
const portOf = (url: string) => Number(new URL(url).port);
const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

/** The whole part, in this process: must be one of its own (see syncWindowBench). */
export async function measureSyncWindow(photoKind: SyncWindowPhoto = 'small'): Promise<SyncWindowReport> {
  const runStartedAt = performance.now();
  const counter = new RequestCounter();
  const photoBytes = photoKind === 'bench' ? await benchPhoto() : await gradientJpeg(640, 480);
  const photo = new Blob([new Uint8Array(photoBytes)], { type: 'image/jpeg' });
  const clock = new ProviderClock();
  const rekognition = await startFakeRekognition({ labels: LABELS, latencyMs: FAST.rekognition }, { onRequest: clock.onRequest('rekognition') });
  const vision = await startFakeVision({ labels: LABELS, latencyMs: FAST.vision }, { onRequest: clock.onRequest('vision') });
  const dataDir = await mkdtemp(join(tmpdir(), 'aitags-sync-window-'));
  const anomalies: string[] = [];
  const beforeStack = process.memoryUsage();
  let stack: LocalStack | undefined;
  try {
    const { startLocalStack } = await import('../local/stack.js');
    stack = await startLocalStack({
      dataDir,
      port: 0,
      env: { POWERTOOLS_LOG_LEVEL: 'SILENT', ...fakeProviderEnvironment(rekognition, vision), AITAGS_SYNC_WINDOW_MS: String(SYNC_WINDOW_MS) },
    });
    const running = stack;
    await new Promise((resolve) => setTimeout(resolve, 500));
    const idle = process.memoryUsage();
    const client = new BenchClient(running.apiUrl, running.privateKey);
    const ports = {
      dynamo: portOf(running.dynamoEndpoint),
      s3: portOf(running.s3Endpoint),
      sfn: process.env.AWS_ENDPOINT_URL_SFN ? portOf(process.env.AWS_ENDPOINT_URL_SFN) : 0,
    };
    const counted = async <T>(work: () => Promise<T>) => {
      const before = { dynamo: counter.snapshot(ports.dynamo), s3: counter.snapshot(ports.s3), sfn: counter.snapshot(ports.sfn) };
      const cpuBefore = process.cpuUsage();
      const result = await work();
      await running.idle();
      const cpu = process.cpuUsage(cpuBefore);
      return {
        result,
        cpuMs: (cpu.user + cpu.system) / 1000,
        dynamo: RequestCounter.since(before.dynamo, counter.snapshot(ports.dynamo)),
        s3: RequestCounter.since(before.s3, counter.snapshot(ports.s3)),
        sfn: RequestCounter.since(before.sfn, counter.snapshot(ports.sfn)),
      };
    };
    const withCounts = (load: { result: LoadResult; cpuMs: number; dynamo: Counts; s3: Counts; sfn: Counts }): LoadResult => ({
      ...load.result,
      cpuMsPerUpload: roundRatio(load.cpuMs / load.result.uploads),
      dynamoPerUpload: roundRatio(total(load.dynamo) / load.result.uploads),
      dynamoByOperation: perUpload(load.dynamo, load.result.uploads),
      s3PerUpload: roundRatio(total(load.s3) / load.result.uploads),
      stepFunctionsPerUpload: roundRatio(total(load.sfn) / load.result.uploads),
    });

    // 1. Throughput, fakes at 20 ms: warm both paths up, then 200 plain and 200 tagged uploads, 16 in flight.
    await uploadLoad(client, photo, 'warm', THROUGHPUT.warmUp, THROUGHPUT.concurrency, undefined);
    await uploadLoad(client, photo, 'warm-tagged', THROUGHPUT.warmUp, THROUGHPUT.concurrency, EXTENSIONS);
    await running.idle();
    const plain = withCounts(await counted(() => uploadLoad(client, photo, 'plain', THROUGHPUT.uploads, THROUGHPUT.concurrency, undefined)));
    const tagged = withCounts(await counted(() => uploadLoad(client, photo, 'tagged', THROUGHPUT.uploads, THROUGHPUT.concurrency, EXTENSIONS)));
    if (tagged.lost || tagged.failedRequests) anomalies.push(`tagged load: ${tagged.lost} lost, ${tagged.failedRequests} failed requests`);
    if (plain.failedRequests) anomalies.push(`plain load: ${plain.failedRequests} failed requests`);

    // 2. Latency, fakes at 300/500 ms, one upload at a time.
    rekognition.behave({ labels: LABELS, latencyMs: SLOW.rekognition });
    vision.behave({ labels: LABELS, latencyMs: SLOW.vision });
    const latency = await counted(() => taggedLatency(client, photo, clock, anomalies));
    const slowest = Math.max(SLOW.rekognition, SLOW.vision);
    const { samplesMs, afterLastAnswerMs } = latency.result;
    const p50 = quantile(samplesMs, 0.5);
    const p95 = quantile(samplesMs, 0.95);
    const uploads = LATENCY.warmUp + LATENCY.count;
    const afterLoad = process.memoryUsage();

    const report: Omit<SyncWindowReport, 'npmStart' | 'phases' | 'totalRunS'> = {
      photo: photoKind,
      photoBytes: photoBytes.length,
      syncWindowMs: SYNC_WINDOW_MS,
      templateCached: (running as { templateCached?: boolean }).templateCached ?? null,
      plain,
      tagged,
      taggedOverPlain: roundRatio(tagged.uploadsPerS / plain.uploadsPerS),
      latency: {
        fakeLatencyMs: SLOW,
        n: samplesMs.length,
        p50Ms: roundMs(p50),
        p95Ms: roundMs(p95),
        maxMs: roundMs(Math.max(...samplesMs)),
        p50TargetMs: TARGET.latencyFactor * slowest + TARGET.p50SlackMs,
        p95TargetMs: TARGET.latencyFactor * slowest + TARGET.p95SlackMs,
        p50OverSlowest: roundRatio(p50 / slowest),
        p50Factor: roundRatio((p50 - TARGET.p50SlackMs) / slowest),
        p95Factor: roundRatio((p95 - TARGET.p95SlackMs) / slowest),
        afterLastAnswerP50Ms: afterLastAnswerMs.length ? roundMs(quantile(afterLastAnswerMs, 0.5)) : null,
        afterLastAnswerP95Ms: afterLastAnswerMs.length ? roundMs(quantile(afterLastAnswerMs, 0.95)) : null,
        // Warm-up uploads included: the counter covers the whole phase.
        dynamoPerUpload: roundRatio(total(latency.dynamo) / uploads),
        dynamoByOperation: perUpload(latency.dynamo, uploads),
      },
      memory: {
        beforeStackMb: mb(beforeStack.rss),
        idleRssMb: mb(idle.rss),
        idleHeapUsedMb: mb(idle.heapUsed),
        afterLoadRssMb: mb(afterLoad.rss),
        afterLoadHeapUsedMb: mb(afterLoad.heapUsed),
        peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      },
      anomalies,
      node: process.version,
    };
    await running.stop();
    stack = undefined;

    // 3. `npm start` in a fresh process, cold then warm; the warm one also takes the loads (fakes back at 20 ms).
    rekognition.behave({ labels: LABELS, latencyMs: FAST.rekognition });
    vision.behave({ labels: LABELS, latencyMs: FAST.vision });
    const fakeEnv = fakeProviderEnvironment(rekognition, vision);
    const { npmStart, phases } = await inCheckoutCopy(async (copy) => ({
      npmStart: await npmStartTwice(copy, fakeEnv, photo, anomalies),
      // 4. A third, fresh `npm start`: the phases of issue 23.
      phases: await speedPhases(copy, { rekognition, vision }, clock, photo, anomalies),
    }));
    return { ...report, npmStart, phases, totalRunS: Math.round((performance.now() - runStartedAt) / 100) / 10 };
  } finally {
    await stack?.stop();
    await Promise.all([rekognition.stop(), vision.stop()]);
    await rm(dataDir, { recursive: true, force: true });
  }
}

/**
 * `count` uploads, `concurrency` at a time; a tagged one counts as final when its response says so, else
 * once GET details says so after the load (the stand-in stack idle, or a few seconds for a separate process).
 */
async function uploadLoad(
  client: BenchClient,
  photo: Blob,
  label: string,
  count: number,
  concurrency: number,
  extensions: string | undefined,
  settle: () => Promise<void> = async () => {},
): Promise<LoadResult> {
  const replies: Array<Timed<UploadBody> | undefined> = new Array(count);
  let next = 0;
  const startedAt = performance.now();
  const worker = async () => {
    while (next < count) {
      const index = next++;
      const fields: Record<string, string> = { fileName: `${label}-${index}.jpg` };
      if (extensions) fields.extensions = extensions;
      replies[index] = await client.upload(photo, fields).catch(() => undefined);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  const wallMs = performance.now() - startedAt;
  const result: LoadResult = {
    uploads: count,
    concurrency,
    wallS: Math.round(wallMs / 100) / 10,
    uploadsPerS: Math.round((count / (wallMs / 1000)) * 10) / 10,
    failedRequests: replies.filter((reply) => !reply).length,
  };
  if (!extensions) return result;
  const allSucceeded = (statuses: Record<string, string> | undefined) =>
    Object.keys(statuses ?? {}).length === 2 && Object.values(statuses ?? {}).every((status) => status === 'success');
  const unsettled = replies.filter((reply): reply is Timed<UploadBody> => reply !== undefined && !allSucceeded(reply.body.extensionStatus));
  await settle();
  let finalAfterIdle = 0;
  for (const reply of unsettled) {
    const details = await client.details(reply.body.fileId).catch(() => undefined);
    if (allSucceeded(details?.body.extensionStatus as Record<string, string> | undefined)) finalAfterIdle++;
  }
  const answered = replies.filter(Boolean).length;
  return { ...result, finalInResponse: answered - unsettled.length, finalAfterIdle, lost: count - (answered - unsettled.length) - finalAfterIdle };
}

/** Sequential tagged uploads against slow fakes; each split at the slower fake's answer (ProviderClock). */
async function taggedLatency(client: BenchClient, photo: Blob, clock: ProviderClock, anomalies: string[]) {
  const samplesMs: number[] = [];
  const afterLastAnswerMs: number[] = [];
  for (let index = 0; index < LATENCY.warmUp + LATENCY.count; index++) {
    const reply = await client.upload(photo, { fileName: `latency-${index}.jpg`, extensions: EXTENSIONS });
    const statuses = Object.values(reply.body.extensionStatus ?? {});
    if (statuses.length !== 2 || statuses.some((status) => status !== 'success')) {
      anomalies.push(`latency #${index}: extensionStatus ${JSON.stringify(reply.body.extensionStatus)}`);
    }
    if (index < LATENCY.warmUp) continue;
    samplesMs.push(reply.ms);
    const rekognitionAsked = clock.firstAsked('rekognition', reply.startedAt, reply.endedAt);
    const visionAsked = clock.firstAsked('vision', reply.startedAt, reply.endedAt);
    if (rekognitionAsked !== undefined && visionAsked !== undefined) {
      afterLastAnswerMs.push(reply.endedAt - Math.max(rekognitionAsked + SLOW.rekognition, visionAsked + SLOW.vision));
    }
  }
  return { samplesMs, afterLastAnswerMs };
}

/**
 * Runs `work` in a copy of the checkout whose node_modules links every package of this one but not
 * `.cache`: its first `npm start` finds no cached template (as after editing infra/ or functions/), the
 * next ones find the one the first wrote. The checkout's own cache, shared with whatever else runs here,
 * is left alone.
 */
async function inCheckoutCopy<T>(work: (copy: string) => Promise<T>): Promise<T> {
  const copy = await mkdtemp(join(tmpdir(), 'aitags-npm-start-'));
  try {
    for (const source of START_SOURCES) await cp(join(repoRoot, source), join(copy, source), { recursive: true });
    await mkdir(join(copy, 'node_modules'));
    for (const name of await readdir(join(repoRoot, 'node_modules'))) {
      if (name !== '.cache') await symlink(join(repoRoot, 'node_modules', name), join(copy, 'node_modules', name));
    }
    return await work(copy);
  } finally {
    await rm(copy, { recursive: true, force: true });
  }
}

/** `node --import tsx local/start.ts` twice from a fresh checkout copy: the template synthesized (cold), then cached (warm). */
async function npmStartTwice(copy: string, fakeEnv: Record<string, string>, photo: Blob, anomalies: string[]): Promise<SyncWindowReport['npmStart']> {
  const cold = await npmStart(copy, fakeEnv);
  await cold.stop();
  const warm = await npmStart(copy, fakeEnv);
  try {
    const client = new BenchClient(warm.apiUrl, warm.privateKey);
    const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 3000));
    await uploadLoad(client, photo, 'warm', THROUGHPUT.warmUp, THROUGHPUT.concurrency, EXTENSIONS, settle);
    const plain = await uploadLoad(client, photo, 'plain', THROUGHPUT.uploads, THROUGHPUT.concurrency, undefined);
    const tagged = await uploadLoad(client, photo, 'tagged', THROUGHPUT.uploads, THROUGHPUT.concurrency, EXTENSIONS, settle);
    if (tagged.lost || tagged.failedRequests) anomalies.push(`npm start, tagged load: ${tagged.lost} lost, ${tagged.failedRequests} failed requests`);
    const status = await processStatus(warm.pid);
    return {
      cold: cold.result,
      warm: {
        ...warm.result,
        afterLoadRssMb: status.rssMb,
        peakRssMb: status.peakMb,
        plainPerS: plain.uploadsPerS,
        taggedPerS: tagged.uploadsPerS,
        taggedLost: tagged.lost,
      },
    };
  } finally {
    await warm.stop();
  }
}

/**
 * Issue 23's phases (PHASES) against a fresh `npm start` from `copy`, client and fakes in this process:
 * sequential tagged uploads, the fakes' latency changed between phases. Reads per upload come from the
 * server's own metric lines (EMF on its stdout, one per tagged upload, in order: the uploads are sequential).
 */
async function speedPhases(
  copy: string,
  fakes: Record<Provider, Pick<FakeProvider<unknown>, 'url' | 'behave'>>,
  clock: ProviderClock,
  photo: Blob,
  anomalies: string[],
): Promise<PhasesReport> {
  const reads: number[] = [];
  const server = await npmStart(copy, fakeProviderEnvironment(fakes.rekognition, fakes.vision), {
    env: { POWERTOOLS_METRICS_DISABLED: 'false' },
    onLine: (line) => {
      const value = metricValue(line, READS_METRIC);
      if (value !== undefined) reads.push(value);
    },
  });
  try {
    const client = new BenchClient(server.apiUrl, server.privateKey);
    const samples: Array<{ ms: number; afterLastAnswerMs: number | undefined; askedMs: number | undefined }> = [];
    for (const [phase, { uploads, latency }] of PHASES.entries()) {
      fakes.rekognition.behave({ labels: LABELS, latencyMs: latency.rekognition });
      fakes.vision.behave({ labels: LABELS, latencyMs: latency.vision });
      for (let index = 0; index < uploads; index++) {
        const reply = await client.upload(photo, { fileName: `phase-${phase + 1}-${index}.jpg`, extensions: EXTENSIONS });
        const statuses = Object.values(reply.body.extensionStatus ?? {});
        if (statuses.length !== 2 || statuses.some((status) => status !== 'success')) {
          anomalies.push(`phase ${phase + 1} #${index}: extensionStatus ${JSON.stringify(reply.body.extensionStatus)}`);
        }
        const rekognitionAsked = clock.firstAsked('rekognition', reply.startedAt, reply.endedAt);
        const visionAsked = clock.firstAsked('vision', reply.startedAt, reply.endedAt);
        const lastAnswer =
          rekognitionAsked === undefined || visionAsked === undefined
            ? undefined
            : Math.max(rekognitionAsked + latency.rekognition, visionAsked + latency.vision);
        samples.push({
          ms: reply.ms,
          afterLastAnswerMs: lastAnswer === undefined ? undefined : reply.endedAt - lastAnswer,
          askedMs:
            rekognitionAsked === undefined || visionAsked === undefined ? undefined : Math.max(rekognitionAsked, visionAsked) - reply.startedAt,
        });
      }
    }
    const expected = samples.length;
    const waitUntil = performance.now() + 5000;
    while (reads.length < expected && performance.now() < waitUntil) await new Promise((resolve) => setTimeout(resolve, 50));
    if (reads.length !== expected) anomalies.push(`phases: ${reads.length} ${READS_METRIC} lines for ${expected} tagged uploads`);
    let first = 0;
    const phases = PHASES.map(({ uploads, latency }): PhaseResult => {
      const ms = samples.slice(first, first + uploads).map((sample) => sample.ms);
      const after = samples
        .slice(first, first + uploads)
        .flatMap((sample) => (sample.afterLastAnswerMs === undefined ? [] : [sample.afterLastAnswerMs]));
      const asked = samples.slice(first, first + uploads).flatMap((sample) => (sample.askedMs === undefined ? [] : [sample.askedMs]));
      const phaseReads = reads.slice(first, first + uploads);
      first += uploads;
      return {
        fakeLatencyMs: latency,
        uploads,
        p50Ms: roundMs(quantile(ms, 0.5)),
        maxMs: roundMs(Math.max(...ms)),
        barMs: roundMs(PHASE_BAR.factor * Math.max(latency.rekognition, latency.vision) + PHASE_BAR.slackMs),
        readsPerUpload: roundRatio(phaseReads.reduce((sum, count) => sum + count, 0) / uploads),
        afterLastAnswerP50Ms: after.length ? roundMs(quantile(after, 0.5)) : null,
        afterLastAnswerMaxMs: after.length ? roundMs(Math.max(...after)) : null,
        providersAskedP50Ms: asked.length ? roundMs(quantile(asked, 0.5)) : null,
        providersAskedMaxMs: asked.length ? roundMs(Math.max(...asked)) : null,
      };
    });
    const readsPerUpload = reads.reduce((sum, count) => sum + count, 0) / expected;
    return {
      phases,
      readsPerUpload: roundRatio(readsPerUpload),
      usdPer1000Uploads: Math.round(readsPerUpload * 1000 * (DYNAMODB_PRICES.usdPerMillionReadUnits / 1e6) * 1e5) / 1e5,
    };
  } finally {
    await server.stop();
  }
}

/** The value of `metric` in an EMF line (a JSON object with `_aws`), if the line is one that carries it. */
function metricValue(line: string, metric: string): number | undefined {
  if (!line.startsWith('{') || !line.includes(`"${metric}"`)) return undefined;
  const value = (JSON.parse(line) as Record<string, unknown>)[metric];
  return typeof value === 'number' ? value : undefined;
}

interface StartedServer {
  result: StartResult;
  apiUrl: string;
  privateKey: string;
  pid: number;
  stop(): Promise<void>;
}

interface StartOptions {
  env?: Record<string, string>;
  /** Every line the server prints on stdout. */
  onLine?: (line: string) => void;
}

async function npmStart(root: string, fakeEnv: Record<string, string>, options: StartOptions = {}): Promise<StartedServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'aitags-npm-start-data-'));
  const privateKey = 'private_sync_window_bench_key';
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      ...fakeEnv,
      PORT: '0',
      AITAGS_DATA_DIR: dataDir,
      AITAGS_PRIVATE_KEY: privateKey,
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      ...options.env,
    },
  });
  const { onLine } = options;
  if (onLine) {
    let partial = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) onLine(line);
    });
  }
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const { line, at } = await readyLine(child);
    const match = READY_LINE.exec(line) as RegExpExecArray;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const pid = child.pid as number;
    const status = await processStatus(pid);
    return {
      result: { wallMs: Math.round(at - spawnedAt), printedMs: Number(match[2]), idleRssMb: status.rssMb },
      apiUrl: match[1] as string,
      privateKey,
      pid,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function readyLine(child: ChildProcess): Promise<{ line: string; at: number }> {
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start not ready after ${START_TIMEOUT_MS} ms: ${output.slice(-2000)}`)), START_TIMEOUT_MS);
    const read = (chunk: Buffer) => {
      const at = performance.now();
      output += chunk.toString();
      const line = output.split('\n').find((text) => READY_LINE.test(text));
      if (line) {
        clearTimeout(timer);
        resolve({ line, at });
      }
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited with ${code}: ${output.slice(-2000)}`));
    });
  });
}

/** VmRSS and VmHWM (peak) of a process, in MB, from /proc. */
async function processStatus(pid: number): Promise<{ rssMb: number; peakMb: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rssMb: Math.round(kb('VmRSS') / 1024), peakMb: Math.round(kb('VmHWM') / 1024) };
}

export function formatSyncWindow(report: SyncWindowReport): string {
  const { plain, tagged, latency, memory, npmStart } = report;
  const ops = (counts: Counts | undefined) =>
    Object.entries(counts ?? {})
      .map(([operation, count]) => `${operation} ${count}`)
      .join(', ');
  const verdict = (ok: boolean) => (ok ? 'meets' : 'MISSES');
  const rows: Row[] = [
    {
      measurement: 'plain uploads/s, fakes 20 ms, 16 in flight',
      n: plain.uploads,
      median: plain.uploadsPerS,
      p90: '',
      note: `${plain.wallS} s; CPU ${plain.cpuMsPerUpload} ms/upload; DynamoDB ${plain.dynamoPerUpload}/upload (${ops(plain.dynamoByOperation)}); S3 ${plain.s3PerUpload}`,
    },
    {
      measurement: 'tagged uploads/s, same',
      n: tagged.uploads,
      median: tagged.uploadsPerS,
      p90: '',
      note: `${report.taggedOverPlain}x plain (target >= ${TARGET.throughputRatio}x: ${verdict(report.taggedOverPlain >= TARGET.throughputRatio)}); CPU ${tagged.cpuMsPerUpload} ms/upload; final in response ${tagged.finalInResponse}, after idle ${tagged.finalAfterIdle}, lost ${tagged.lost}`,
    },
    {
      measurement: '  DynamoDB requests per tagged upload',
      n: tagged.uploads,
      median: tagged.dynamoPerUpload ?? null,
      p90: '',
      note: `${ops(tagged.dynamoByOperation)}; S3 ${tagged.s3PerUpload}, Step Functions ${tagged.stepFunctionsPerUpload}`,
    },
    {
      measurement: 'tagged upload, fakes 300/500, p50 | p95',
      n: latency.n,
      median: latency.p50Ms,
      p90: latency.p95Ms,
      note: `p50 <= 1.10 x slowest + 50 ms = ${latency.p50TargetMs}: ${verdict(latency.p50Ms <= latency.p50TargetMs)} ((p50-50)/500 = ${latency.p50Factor}); p95 <= 1.10 x slowest + 150 ms = ${latency.p95TargetMs}: ${verdict(latency.p95Ms <= latency.p95TargetMs)} ((p95-150)/500 = ${latency.p95Factor})`,
    },
    {
      measurement: '  slower answer -> response, p50 | p95',
      n: latency.n,
      median: latency.afterLastAnswerP50Ms,
      p90: latency.afterLastAnswerP95Ms,
      note: `p50 ${latency.p50OverSlowest}x slowest; DynamoDB ${latency.dynamoPerUpload}/upload (${ops(latency.dynamoByOperation)})`,
    },
  ];
  const warm = npmStart.warm;
  return [
    `sync window and throughput (issue 13): ${report.photo} JPEG of ${Math.round(report.photoBytes / 1024)} KiB, sync window ${report.syncWindowMs} ms, template ${report.templateCached ? 'cached' : 'synthesized'}`,
    table(rows).replace('median ms', 'median').replace('p90 ms', 'p95'),
    `memory of this process (stack + fakes + client): ${memory.beforeStackMb} MB before the stack; idle after start RSS ${memory.idleRssMb} MB (heap used ${memory.idleHeapUsedMb}); after the loads ${memory.afterLoadRssMb} MB (heap used ${memory.afterLoadHeapUsedMb}); peak ${memory.peakRssMb} MB`,
    `npm start, cold template: ready ${npmStart.cold.wallMs} ms after spawn (line says ${npmStart.cold.printedMs} ms), RSS idle ${npmStart.cold.idleRssMb} MB`,
    `npm start, warm template: ready ${warm.wallMs} ms after spawn (line says ${warm.printedMs} ms), RSS idle ${warm.idleRssMb} MB, after ${THROUGHPUT.uploads} plain + ${THROUGHPUT.uploads} tagged uploads ${warm.afterLoadRssMb} MB (target < ${TARGET.rssMb}: ${verdict((warm.afterLoadRssMb ?? Number.POSITIVE_INFINITY) < TARGET.rssMb)}; peak ${warm.peakRssMb}); client outside it: plain ${warm.plainPerS}/s, tagged ${warm.taggedPerS}/s, lost ${warm.taggedLost}`,
    formatPhases(report.phases),
    ...(report.anomalies.length ? [`anomalies: ${report.anomalies.join('; ')}`] : []),
  ].join('\n');
}

export function formatPhases(report: PhasesReport): string {
  const verdict = (ms: number, bar: number) => (ms <= bar ? 'meets' : 'MISSES');
  const rows: Row[] = report.phases.map((phase) => ({
    measurement: `${phase.uploads} tagged uploads, fakes ${phase.fakeLatencyMs.rekognition}/${phase.fakeLatencyMs.vision}, p50 | max`,
    n: phase.uploads,
    median: phase.p50Ms,
    p90: phase.maxMs,
    note: `bar 1.10 x slower + 100 ms = ${phase.barMs}: p50 ${verdict(phase.p50Ms, phase.barMs)}, max ${verdict(phase.maxMs, phase.barMs)}; reads ${phase.readsPerUpload}/upload; providers asked p50 ${phase.providersAskedP50Ms}, max ${phase.providersAskedMaxMs}; slower answer -> response p50 ${phase.afterLastAnswerP50Ms}, max ${phase.afterLastAnswerMaxMs}`,
  }));
  return [
    'provider speed changes on a fresh npm start (issue 23), one upload at a time:',
    table(rows).replace('median ms', 'p50').replace('p90 ms', 'max'),
    `sync window reads: ${report.readsPerUpload} per tagged upload -> $${report.usdPer1000Uploads} per 1,000 uploads at $${DYNAMODB_PRICES.usdPerMillionReadUnits} per million read units (${DYNAMODB_PRICES.asOf})`,
  ].join('\n');
}

/** Issue 23's phases alone, against a fresh `npm start` (template synthesized first: a copy of the checkout). */
async function measurePhases(): Promise<{ phases: PhasesReport; anomalies: string[] }> {
  const photo = new Blob([new Uint8Array(await gradientJpeg(640, 480))], { type: 'image/jpeg' });
  const clock = new ProviderClock();
  const rekognition = await startFakeRekognition({ labels: LABELS }, { onRequest: clock.onRequest('rekognition') });
  const vision = await startFakeVision({ labels: LABELS }, { onRequest: clock.onRequest('vision') });
  const anomalies: string[] = [];
  try {
    const phases = await inCheckoutCopy(async (copy) => {
      const first = await npmStart(copy, fakeProviderEnvironment(rekognition, vision));
      await first.stop();
      return speedPhases(copy, { rekognition, vision }, clock, photo, anomalies);
    });
    return { phases, anomalies };
  } finally {
    await Promise.all([rekognition.stop(), vision.stop()]);
  }
}

export const syncWindowLine = (report: SyncWindowReport) => reportLine(LINE_PREFIX, report);

if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url && process.argv[2] === 'phases') {
  const { phases, anomalies } = await measurePhases();
  console.log(formatPhases(phases));
  if (anomalies.length) console.log(`anomalies: ${anomalies.join('; ')}`);
  console.log(reportLine(LINE_PREFIX, { phases, anomalies }));
  if (anomalies.length) process.exitCode = 1;
} else if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) {
  const photo = (process.argv[2] ?? 'small') as SyncWindowPhoto;
  if (photo !== 'small' && photo !== 'bench') throw new Error(`photo must be small, bench or phases (got ${photo})`);
  const report = await measureSyncWindow(photo);
  console.log(formatSyncWindow(report));
  console.log(syncWindowLine(report));
  if (report.anomalies.length) process.exitCode = 1;
}
