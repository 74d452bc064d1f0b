import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { runReportingChild } from './child-report.js';
import sharp from 'sharp';
import {
  type FakeLabel,
  type FakeProvider,
  fakeProviderEnvironment,
  type ProviderCall,
  startFakeRekognition,
  startFakeVision,
} from '../local/fakes/providers.js';
import { BenchClient, bothExtensions } from './api-client.js';
import { benchPhoto, gradientJpeg } from './photo.js';
import { table } from './report.js';
import { inParallel, quantile, roundRatio } from './stats.js';

/**
 * A burst of tagged uploads against provider fakes with a quota (`tps`, each provider), aitags not told
 * the quota: every upload asks for both extensions, the sync window is 0 (uploads answer `pending`) and
 * the state machine's waits run in real time (AITAGS_LOCAL_WAIT_SCALE=1). Reports what the fakes saw —
 * throttles, attempts per extension, how busy each quota was kept — and how every extension ended.
 */

export interface ProviderBurstOptions {
  /** Tagged uploads, each with both extensions. */
  uploads: number;
  /** Each fake provider's quota, calls a second. */
  tps: number;
  /** Uploads in flight at once. @default 16 */
  concurrency?: number;
  /** `small`: 640×480 (default); `bench`: the 1600×1200 bench photo, whose processing makes the local stack the bottleneck. */
  photo?: BurstPhoto;
  /** Progress lines; defaults to stderr. */
  log?: (line: string) => void;
}

export type ProviderName = 'rekognition' | 'vision';
export type BurstPhoto = 'small' | 'bench';

export interface ProviderBurstStats {
  calls: number;
  accepted: number;
  throttled: number;
  /** Provider calls per extension run (one per tagger attempt: the SDKs leave throttling to the state machine). */
  attemptsPerExtension: { median: number; p90: number; max: number; mean: number };
  /** From the first accepted call to the last. */
  acceptedSpanS: number;
  /** accepted ÷ (tps × acceptedSpanS): how busy the burst kept the quota. */
  utilisation: number;
}

export interface ProviderBurstReport {
  uploads: number;
  tps: number;
  concurrency: number;
  photo: { width: number; height: number; bytes: number };
  /** Sending every upload (each answered `pending`). */
  uploadSpanS: number;
  /** From the first upload sent to the last tagging run ended. */
  totalSpanS: number;
  /** The quota's floor for that span: the calls of one provider at tps. */
  minimumSpanS: number;
  /** Extension → final status (read with GET once the stack was idle) → files. */
  statuses: Record<string, Record<string, number>>;
  providers: Record<ProviderName, ProviderBurstStats>;
  /** CPU this process (stack, fakes and client) used during the burst, over the cores it had. */
  cpu: { userS: number; systemS: number; cores: number; busyShare: number };
}

const EXTENSIONS = bothExtensions(5);
const LABELS: FakeLabel[] = [
  { name: 'Landscape', confidence: 97.2 },
  { name: 'Sky', confidence: 91.5 },
];
const PROGRESS_EVERY_MS = 10_000;
const LINE_PREFIX = 'PROVIDER_BURST ';
const mainScript = fileURLToPath(new URL('./provider-burst-main.ts', import.meta.url));

/**
 * The burst in a process of its own (`provider-burst-main.ts`): the handlers read their configuration
 * once per process, as at a Lambda cold start, so a stack started next to another one would reuse the
 * first one's endpoints and sync window.
 */
export function providerBurstBench(options: Omit<ProviderBurstOptions, 'log'>): Promise<ProviderBurstReport> {
  const args = [options.uploads, options.tps, options.concurrency ?? 16, options.photo ?? 'small'].map(String);
  return runReportingChild<ProviderBurstReport>(mainScript, args, LINE_PREFIX, 'provider burst');
}

/** The burst in this process; it must be one of its own (see providerBurstBench). Cleans up whatever happens. */
export async function measureProviderBurst(options: ProviderBurstOptions): Promise<ProviderBurstReport> {
  const { uploads, tps } = options;
  const concurrency = options.concurrency ?? 16;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  if (!Number.isInteger(uploads) || uploads < 1) throw new Error(`uploads must be a positive integer (got ${uploads})`);

  log(`provider burst: ${uploads} photos, each unique…`);
  const photos = await distinctPhotos(uploads, options.photo ?? 'small');
  const rekognition = await startFakeRekognition({ labels: LABELS }, { tps });
  const vision = await startFakeVision({ labels: LABELS }, { tps });
  const dataDir = await mkdtemp(join(tmpdir(), 'aitags-provider-burst-'));
  const { startLocalStack } = await import('../local/stack.js');
  const stack = await startLocalStack({
    dataDir,
    port: 0,
    env: {
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      ...fakeProviderEnvironment(rekognition, vision),
      AITAGS_SYNC_WINDOW_MS: '0',
      AITAGS_LOCAL_WAIT_SCALE: '1',
    },
  });
  const progress = setInterval(() => {
    const seen = (calls: ProviderCall[]) =>
      `${calls.filter((call) => !call.overQuota).length} accepted/${calls.filter((call) => call.overQuota).length} throttled`;
    log(`  rekognition ${seen(rekognition.calls)}, vision ${seen(vision.calls)}`);
  }, PROGRESS_EVERY_MS);
  try {
    const client = new BenchClient(stack.apiUrl, stack.privateKey);
    log(`provider burst: ${uploads} tagged uploads, ${concurrency} at a time, both fakes at ${tps} calls/s…`);
    const cpuBefore = process.cpuUsage();
    const startedAt = performance.now();
    const fileIds = await inParallel(uploads, concurrency, async (index) => {
      const photo = new Blob([new Uint8Array(photos.bytes[index] as Buffer)], { type: 'image/jpeg' });
      return (await client.upload(photo, { fileName: `burst-${index}.jpg`, extensions: EXTENSIONS })).body.fileId;
    });
    const uploadedAt = performance.now();
    await stack.idle();
    const idleAt = performance.now();
    const cpu = process.cpuUsage(cpuBefore);

    const statuses: Record<string, Record<string, number>> = {};
    await inParallel(fileIds.length, concurrency, async (index) => {
      const details = await client.details(fileIds[index] as string);
      for (const [extension, status] of Object.entries((details.body.extensionStatus ?? {}) as Record<string, string>)) {
        statuses[extension] = { ...statuses[extension], [status]: (statuses[extension]?.[status] ?? 0) + 1 };
      }
    });
    const wallS = (idleAt - startedAt) / 1000;
    const cores = cpus().length;
    return {
      uploads,
      tps,
      concurrency,
      photo: { ...photos.size, bytes: Math.round(photos.bytes.reduce((sum, bytes) => sum + bytes.length, 0) / uploads) },
      uploadSpanS: seconds(uploadedAt - startedAt),
      totalSpanS: seconds(idleAt - startedAt),
      minimumSpanS: seconds((uploads / tps) * 1000),
      statuses,
      providers: { rekognition: providerStats(rekognition, tps), vision: providerStats(vision, tps) },
      cpu: {
        userS: seconds(cpu.user / 1000),
        systemS: seconds(cpu.system / 1000),
        cores,
        busyShare: roundRatio((cpu.user + cpu.system) / 1e6 / (wallS * cores)),
      },
    };
  } finally {
    clearInterval(progress);
    await stack.stop();
    await Promise.all([rekognition.stop(), vision.stop()]);
    await rm(dataDir, { recursive: true, force: true });
  }
}

function providerStats(fake: FakeProvider<unknown>, tps: number): ProviderBurstStats {
  const accepted = fake.calls.filter((call) => !call.overQuota);
  const perImage = new Map<string | undefined, number>();
  for (const call of fake.calls) perImage.set(call.image, (perImage.get(call.image) ?? 0) + 1);
  const attempts = [...perImage.values()];
  const spanS = accepted.length > 1 ? ((accepted.at(-1)?.at ?? 0) - (accepted[0]?.at ?? 0)) / 1000 : 0;
  return {
    calls: fake.calls.length,
    accepted: accepted.length,
    throttled: fake.calls.length - accepted.length,
    attemptsPerExtension: attempts.length
      ? {
          median: quantile(attempts, 0.5),
          p90: quantile(attempts, 0.9),
          max: Math.max(...attempts),
          mean: roundRatio(attempts.reduce((sum, count) => sum + count, 0) / attempts.length),
        }
      : { median: 0, p90: 0, max: 0, mean: 0 },
    acceptedSpanS: seconds(spanS * 1000),
    utilisation: spanS > 0 ? roundRatio(accepted.length / (tps * spanS)) : 0,
  };
}

const PATTERN_BITS = 16;
const PATTERN_SQUARE = 16;

/**
 * `count` JPEGs, each with its index drawn in its corner as black and white squares (contrast JPEG keeps,
 * so the tagger's transcodes of two images never coincide): the fakes tell images apart by digest.
 */
async function distinctPhotos(count: number, photo: BurstPhoto): Promise<{ bytes: Buffer[]; size: { width: number; height: number } }> {
  const base = photo === 'bench' ? await benchPhoto() : await gradientJpeg(640, 480);
  const { width = 0, height = 0 } = await sharp(base).metadata();
  const bytes = await inParallel(count, cpus().length, (index) => {
    const pattern = Buffer.alloc(PATTERN_BITS * PATTERN_SQUARE * PATTERN_SQUARE * 3);
    for (let y = 0; y < PATTERN_SQUARE; y++) {
      for (let x = 0; x < PATTERN_BITS * PATTERN_SQUARE; x++) {
        const bit = (index >> Math.floor(x / PATTERN_SQUARE)) & 1;
        pattern.fill(bit ? 255 : 0, (y * PATTERN_BITS * PATTERN_SQUARE + x) * 3, (y * PATTERN_BITS * PATTERN_SQUARE + x + 1) * 3);
      }
    }
    return sharp(base)
      .composite([{ input: pattern, raw: { width: PATTERN_BITS * PATTERN_SQUARE, height: PATTERN_SQUARE, channels: 3 }, left: 0, top: 0 }])
      .jpeg({ quality: 85 })
      .toBuffer();
  });
  return { bytes, size: { width, height } };
}

const seconds = (ms: number) => Math.round(ms / 100) / 10;

export function formatProviderBurst(report: ProviderBurstReport): string {
  const statusText = Object.entries(report.statuses)
    .map(
      ([extension, counts]) =>
        `${extension} ${Object.entries(counts)
          .map(([status, n]) => `${status} ${n}`)
          .join(', ')}`,
    )
    .join('; ');
  const rows = (['rekognition', 'vision'] as const).map((name) => {
    const stats = report.providers[name];
    return {
      measurement: `${name}: attempts per extension`,
      n: report.uploads,
      median: stats.attemptsPerExtension.median,
      p90: stats.attemptsPerExtension.p90,
      note: `max ${stats.attemptsPerExtension.max}, mean ${stats.attemptsPerExtension.mean}; ${stats.accepted} accepted, ${stats.throttled} throttled; utilisation ${stats.utilisation} over ${stats.acceptedSpanS} s`,
    };
  });
  return [
    `provider burst: ${report.uploads} uploads × 2 extensions, each fake at ${report.tps} calls/s (aitags not told), ${report.photo.width}×${report.photo.height} JPEG of ~${Math.round(report.photo.bytes / 1024)} KiB`,
    table(rows).replace('median ms', 'median').replace('p90 ms', 'p90'),
    `uploads sent in ${report.uploadSpanS} s; all runs ended after ${report.totalSpanS} s (quota floor ${report.minimumSpanS} s)`,
    `final statuses: ${statusText}`,
    `CPU: ${report.cpu.userS} s user + ${report.cpu.systemS} s system over ${report.totalSpanS} s on ${report.cpu.cores} cores (${Math.round(report.cpu.busyShare * 100)} % busy)`,
  ].join('\n');
}

/** The machine-readable result: one line, greppable by its prefix. */
export const providerBurstLine = (report: ProviderBurstReport) => `${LINE_PREFIX}${JSON.stringify(report)}`;
