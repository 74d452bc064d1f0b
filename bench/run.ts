// First: the environment must be in place before the AWS SDK, Powertools or the handlers read it.
import './environment.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  type FakeLabel,
  type FakeProvider,
  type RekognitionRequestSeen,
  startFakeRekognition,
  startFakeVision,
  type VisionRequestSeen,
  fakeProviderEnvironment,
} from '../local/fakes/providers.js';
import type { LocalStack } from '../local/stack.js';
import { BenchClient, bothExtensions, type Timed, type UploadBody } from './api-client.js';
import { coldStartBench, coldStartLine, formatColdStartTable } from './cold-start/run.js';
import { benchPhoto } from './photo.js';
import { formatProviderBurst, providerBurstBench, providerBurstLine } from './provider-burst.js';
import { ProviderClock } from './provider-clock.js';
import { benchLine, type Row, table } from './report.js';
import { quantile, roundMs, roundRatio, sequential, summarize } from './stats.js';

/**
 * `npm run bench`: the local stack on loopback with both providers faked, timed from a client in the same
 * process. Startup, plain upload, Get, tagged upload against the sync window (fakes slow and instant),
 * and a burst of concurrent tagged uploads. Prints a table, then one `BENCH {...}` JSON line.
 */

const SYNC_WINDOW_MS = 3000;
const SLOW = { rekognition: 300, vision: 500 };
const INSTANT = { rekognition: 0, vision: 0 };
const PLAIN = { warmUp: 5, count: 30 };
const DETAILS = { count: 50 };
const TAGGED = { warmUp: 3, count: 15 };
const BURST = { size: 8, batches: 3 };

const EXTENSIONS = bothExtensions(5);
/** `maxTags: 0` runs the whole workflow but skips the image and the provider call: the path's own cost. */
const NO_PROVIDER_CALL = bothExtensions(0);
const LABELS: FakeLabel[] = [
  { name: 'Landscape', confidence: 97.2 },
  { name: 'Sky', confidence: 91.5 },
  { name: 'Gradient', confidence: 77.1 },
  { name: 'Pattern', confidence: 62.4 },
];

type Latency = typeof SLOW;

interface Bench {
  stack: LocalStack;
  client: BenchClient;
  photo: Blob;
  clock: ProviderClock;
  rekognition: FakeProvider<RekognitionRequestSeen>;
  vision: FakeProvider<VisionRequestSeen>;
  anomalies: string[];
}

async function main(): Promise<void> {
  const runStartedAt = performance.now();
  const photoBytes = await benchPhoto();
  const clock = new ProviderClock();
  const rekognition = await startFakeRekognition({ labels: LABELS }, { onRequest: clock.onRequest('rekognition') });
  const vision = await startFakeVision({ labels: LABELS }, { onRequest: clock.onRequest('vision') });
  const dataDir = await mkdtemp(join(tmpdir(), 'aitags-bench-'));
  let stack: LocalStack | undefined;
  const cleanUp = async () => {
    await stack?.stop();
    await rekognition.stop();
    await vision.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => {
    cleanUp().finally(() => process.exit(130));
  });

  try {
    // 1. Startup, cold in this process: loading the stack module (CDK included) and starting it.
    const importStartedAt = performance.now();
    const { startLocalStack } = await import('../local/stack.js');
    const startStartedAt = performance.now();
    stack = await startLocalStack({
      dataDir,
      port: 0,
      env: {
        POWERTOOLS_LOG_LEVEL: 'SILENT',
        ...fakeProviderEnvironment(rekognition, vision),
        AITAGS_SYNC_WINDOW_MS: String(SYNC_WINDOW_MS),
      },
    });
    const readyAt = performance.now();
    const startup = {
      importMs: roundMs(startStartedAt - importStartedAt),
      startMs: roundMs(readyAt - startStartedAt),
      totalMs: roundMs(readyAt - importStartedAt),
    };

    const bench: Bench = {
      stack,
      client: new BenchClient(stack.apiUrl, stack.privateKey),
      photo: new Blob([new Uint8Array(photoBytes)], { type: 'image/jpeg' }),
      clock,
      rekognition,
      vision,
      anomalies: [],
    };

    // 2. Upload without extensions.
    const plain = await sequential(
      PLAIN.warmUp,
      PLAIN.count,
      async (index) => (await bench.client.upload(bench.photo, { fileName: `plain-${index}.jpg` })).ms,
    );
    const plainUpload = { ...summarize(plain.samplesMs), firstMs: roundMs(plain.warmUpMs[0] as number), photoBytes: photoBytes.length };

    // 3. Get details of one stored file, over and over.
    const target = (await bench.client.upload(bench.photo, { fileName: 'details.jpg' })).body.fileId;
    const details = await sequential(0, DETAILS.count, async () => (await bench.client.details(target)).ms);
    const getDetails = summarize(details.samplesMs);

    // 4. Tagged upload against the sync window: fakes slow (300/500 ms), then instant (pure overhead).
    const slowest = Math.max(SLOW.rekognition, SLOW.vision);
    const slow = await taggedUploads(bench, 'slow', SLOW);
    const taggedSlow = {
      ...slow,
      fakeLatencyMs: SLOW,
      ratioToSlowestFake: roundRatio(slow.medianMs / slowest),
      overheadMs: roundMs(slow.medianMs - slowest),
    };
    const instant = await taggedUploads(bench, 'instant', INSTANT);
    const taggedInstant = {
      ...instant,
      fakeLatencyMs: INSTANT,
      ratioToPlainUpload: roundRatio(instant.medianMs / plainUpload.medianMs),
      overheadOverPlainMs: roundMs(instant.medianMs - plainUpload.medianMs),
    };

    const workflowOnly = await taggedUploads(bench, 'no-provider-call', INSTANT, NO_PROVIDER_CALL);
    const taggedNoProviderCall = {
      n: workflowOnly.n,
      medianMs: workflowOnly.medianMs,
      p90Ms: workflowOnly.p90Ms,
      minMs: workflowOnly.minMs,
      maxMs: workflowOnly.maxMs,
      samplesMs: workflowOnly.samplesMs,
      overheadOverPlainMs: roundMs(workflowOnly.medianMs - plainUpload.medianMs),
    };

    // 5. Bursts of concurrent tagged uploads, fakes slow.
    const burst = await concurrentBursts(bench, SLOW);
    const concurrent = { ...burst, ratioToSingleTagged: roundRatio(burst.medianBatchMs / taggedSlow.medianMs) };

    await stack.idle();
    // Loaded only now: the adapters build their SDK clients from the environment the stack has set.
    const { referenceCosts } = await import('./reference-costs.js');
    const reference = await referenceCosts(photoBytes);
    // The workflow synthesis (CDK) inside startLocalStack, redone warm: a lower bound of its share of startup.
    const { synthesizeTemplate } = await import('../local/synthesize.js');
    const synthStartedAt = performance.now();
    synthesizeTemplate();
    const startupWithSynth = { ...startup, warmResynthesisMs: roundMs(performance.now() - synthStartedAt) };

    const rows: Row[] = [
      {
        measurement: 'startup (import + start)',
        n: 1,
        median: startup.totalMs,
        p90: '',
        note: `import ${startup.importMs} + start ${startup.startMs} (warm re-synth alone ${startupWithSynth.warmResynthesisMs})`,
      },
      {
        measurement: 'upload, no extensions',
        n: plainUpload.n,
        median: plainUpload.medianMs,
        p90: plainUpload.p90Ms,
        note: `first (cold) ${plainUpload.firstMs} ms; ${Math.round(photoBytes.length / 1024)} KiB JPEG`,
      },
      { measurement: 'GET details', n: getDetails.n, median: getDetails.medianMs, p90: getDetails.p90Ms, note: '' },
      {
        measurement: 'tagged upload, fakes 300/500',
        n: taggedSlow.n,
        median: taggedSlow.medianMs,
        p90: taggedSlow.p90Ms,
        note: `${taggedSlow.ratioToSlowestFake}x slowest fake; overhead ${taggedSlow.overheadMs} ms`,
      },
      {
        measurement: 'tagged upload, fakes 0/0',
        n: taggedInstant.n,
        median: taggedInstant.medianMs,
        p90: taggedInstant.p90Ms,
        note: `${taggedInstant.ratioToPlainUpload}x plain upload (+${taggedInstant.overheadOverPlainMs} ms)`,
      },
      {
        measurement: 'tagged upload, maxTags 0',
        n: taggedNoProviderCall.n,
        median: taggedNoProviderCall.medianMs,
        p90: taggedNoProviderCall.p90Ms,
        note: `workflow only, no image prep or provider call (+${taggedNoProviderCall.overheadOverPlainMs} ms over plain)`,
      },
      {
        measurement: `${BURST.size} concurrent tagged, 300/500`,
        n: `${BURST.batches}x${BURST.size}`,
        median: concurrent.medianBatchMs,
        p90: '',
        note: `batch wall; ${concurrent.ratioToSingleTagged}x one tagged upload; per request median ${concurrent.perRequest.medianMs}`,
      },
    ];
    const breakdownRows: Row[] = [taggedSlow, taggedInstant].flatMap((run, index) => {
      const label = index === 0 ? '300/500' : '0/0';
      return [
        {
          measurement: `  ${label}: start → Rekognition asked`,
          n: run.n,
          median: run.breakdown.toRekognitionAskedMs,
          p90: '',
          note: 'store + start run + prep + fake decode',
        },
        { measurement: `  ${label}: start → Vision asked`, n: run.n, median: run.breakdown.toVisionAskedMs, p90: '', note: '' },
        {
          measurement: `  ${label}: last answer → response`,
          n: run.n,
          median: run.breakdown.afterLastAnswerMs,
          p90: run.breakdown.afterLastAnswerP90Ms,
          note: 'record outcome + poll wait + read',
        },
      ];
    });
    const referenceRows: Row[] = [
      { measurement: '  alone: inspect upload (metadata+thumb)', n: 10, median: reference.inspectUploadMs, p90: '', note: 'once per upload' },
      {
        measurement: '  alone: prepare image for a provider',
        n: 10,
        median: reference.prepareForProviderMs,
        p90: '',
        note: 'at most once per extension',
      },
      { measurement: '  alone: fake provider decode', n: 10, median: reference.fakeDecodeMs, p90: '', note: 'before the fake latency starts' },
    ];
    console.log(table([...rows, ...breakdownRows, ...referenceRows]));
    if (bench.anomalies.length) console.log(`anomalies: ${bench.anomalies.join('; ')}`);

    await stack.idle();
    console.log(
      benchLine({
        startup: startupWithSynth,
        plainUpload,
        getDetails,
        taggedUploadSlowFakes: taggedSlow,
        taggedUploadInstantFakes: taggedInstant,
        taggedUploadNoProviderCall: taggedNoProviderCall,
        concurrentTaggedUploads: concurrent,
        referenceCosts: reference,
        syncWindowMs: SYNC_WINDOW_MS,
        anomalies: bench.anomalies,
        node: process.version,
        totalRunMs: roundMs(performance.now() - runStartedAt),
      }),
    );
  } finally {
    await cleanUp();
  }
}

/** Sequential tagged uploads with both extensions; each split at the moments the fakes were asked (they answer their latency after). */
async function taggedUploads(bench: Bench, label: string, latency: Latency, requested = EXTENSIONS) {
  await behave(bench, latency);
  const split = { toRekognitionAsked: [] as number[], toVisionAsked: [] as number[], afterLastAnswer: [] as number[] };
  const run = await sequential(TAGGED.warmUp, TAGGED.count, async (index) => {
    const reply = await bench.client.upload(bench.photo, { fileName: `tagged-${label}-${index}.jpg`, extensions: requested });
    checkTagged(bench, reply, `tagged ${label} #${index}`);
    if (index >= TAGGED.warmUp) {
      const rekognitionAsked = bench.clock.firstAsked('rekognition', reply.startedAt, reply.endedAt);
      const visionAsked = bench.clock.firstAsked('vision', reply.startedAt, reply.endedAt);
      if (rekognitionAsked !== undefined && visionAsked !== undefined) {
        split.toRekognitionAsked.push(rekognitionAsked - reply.startedAt);
        split.toVisionAsked.push(visionAsked - reply.startedAt);
        split.afterLastAnswer.push(reply.endedAt - Math.max(rekognitionAsked + latency.rekognition, visionAsked + latency.vision));
      }
    }
    return reply.ms;
  });
  return {
    ...summarize(run.samplesMs),
    firstMs: roundMs(run.warmUpMs[0] as number),
    samplesMs: run.samplesMs.map(roundMs),
    breakdown: {
      toRekognitionAskedMs: medianMs(split.toRekognitionAsked),
      toVisionAskedMs: medianMs(split.toVisionAsked),
      afterLastAnswerMs: medianMs(split.afterLastAnswer),
      afterLastAnswerP90Ms: split.afterLastAnswer.length ? roundMs(quantile(split.afterLastAnswer, 0.9)) : null,
    },
  };
}

/** Batches of concurrent tagged uploads; each batch starts once the previous one's executions have ended. */
async function concurrentBursts(bench: Bench, latency: Latency) {
  await behave(bench, latency);
  const batchesMs: number[] = [];
  const requestsMs: number[] = [];
  let pending = 0;
  for (let batch = 0; batch < BURST.batches; batch++) {
    await bench.stack.idle();
    const startedAt = performance.now();
    const replies = await Promise.all(
      Array.from({ length: BURST.size }, (_, index) =>
        bench.client.upload(bench.photo, { fileName: `burst-${batch}-${index}.jpg`, extensions: EXTENSIONS }),
      ),
    );
    batchesMs.push(Math.max(...replies.map((reply) => reply.endedAt)) - startedAt);
    for (const [index, reply] of replies.entries()) {
      requestsMs.push(reply.ms);
      pending += Object.values(reply.body.extensionStatus ?? {}).filter((status) => status === 'pending').length;
      checkTagged(bench, reply, `burst ${batch} #${index}`);
    }
  }
  return {
    batchSize: BURST.size,
    batches: BURST.batches,
    batchesMs: batchesMs.map(roundMs),
    medianBatchMs: roundMs(quantile(batchesMs, 0.5)),
    perRequest: summarize(requestsMs),
    pendingExtensions: pending,
  };
}

async function behave(bench: Bench, latency: Latency): Promise<void> {
  await bench.stack.idle();
  bench.rekognition.behave({ latencyMs: latency.rekognition, labels: LABELS });
  bench.vision.behave({ latencyMs: latency.vision, labels: LABELS });
}

/** Both extensions final and successful within the window, each provider asked once; anything else is noted. */
function checkTagged(bench: Bench, reply: Timed<UploadBody>, what: string): void {
  const statuses = reply.body.extensionStatus ?? {};
  const unfinished = Object.entries(statuses).filter(([, status]) => status !== 'success');
  if (unfinished.length || Object.keys(statuses).length !== 2) bench.anomalies.push(`${what}: extensionStatus ${JSON.stringify(statuses)}`);
  for (const provider of ['rekognition', 'vision'] as const) {
    const asked = bench.clock.count(provider, reply.startedAt, reply.endedAt);
    if (asked > 1 && what.startsWith('tagged')) bench.anomalies.push(`${what}: ${provider} asked ${asked} times`);
  }
}

const medianMs = (samples: number[]) => (samples.length ? roundMs(quantile(samples, 0.5)) : null);

/** Every function of the synthesized stack, cold: bundle size and import (+ first call) against its floor. */
async function coldStarts(): Promise<void> {
  const report = await coldStartBench();
  console.log(formatColdStartTable(report));
  console.log(coldStartLine(report));
  if (report.failed.length) process.exitCode = 1;
}

/** 500 uploads with both extensions against fakes at 5 TPS that aitags is not told about. */
async function providerBurst(): Promise<void> {
  const report = await providerBurstBench({ uploads: 500, tps: 5 });
  console.log(formatProviderBurst(report));
  console.log(providerBurstLine(report));
}

/** List and search over 100,000 seeded files, reindex throughput and the index's write cost (issue 10). */
async function searchIndex(): Promise<void> {
  // Loaded only now: imported at the top, its SDK modules would be warm when main() times the stack's cold import.
  const { searchIndexBench, searchIndexLine } = await import('./search-index/run.js');
  const { formatSearchIndex } = await import('./search-index/report.js');
  const report = await searchIndexBench();
  console.log(formatSearchIndex(report));
  console.log(searchIndexLine(report));
  if (report.anomalies.length) process.exitCode = 1;
}

/** One tagging job over 2,000 images against a Rekognition fake at 20 calls/s that aitags is told (issue 12). */
async function taggingJobs(): Promise<void> {
  // Loaded only now, as searchIndex: it imports standardwebhooks, which main() times cold inside the stack.
  const { formatTaggingJobs, taggingJobsBench, taggingJobsLine } = await import('./tagging-jobs.js');
  const report = await taggingJobsBench({ files: 2000, tps: 20 });
  console.log(formatTaggingJobs(report));
  console.log(taggingJobsLine(report));
  if (report.anomalies.length) process.exitCode = 1;
}

/** Tagged against plain uploads/s, latency against the slowest fake, DynamoDB requests per upload, RSS, `npm start` ready (issue 13). */
async function syncWindow(): Promise<void> {
  // Loaded only now, as searchIndex; it runs in a child of its own (a fresh heap for the RSS figures).
  const { formatSyncWindow, syncWindowBench, syncWindowLine } = await import('./sync-window.js');
  const report = await syncWindowBench();
  console.log(formatSyncWindow(report));
  console.log(syncWindowLine(report));
  if (report.anomalies.length) process.exitCode = 1;
}

main()
  .then(coldStarts)
  .then(providerBurst)
  .then(searchIndex)
  .then(taggingJobs)
  .then(syncWindow)
  .catch((error: unknown) => {
    console.error('bench failed:', error);
    process.exitCode = 1;
  });
