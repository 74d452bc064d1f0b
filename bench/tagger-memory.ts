import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import sharp from 'sharp';
import { type ImageProvider, planProviderImage, type ProviderImagePlan } from '../functions/core/provider-image.js';
import { reportLine, runReportingChild } from './child-report.js';
import { benchPhoto } from './photo.js';

/**
 * What a tagger needs to prepare the largest image an upload accepts, measured: each image is prepared in
 * a process of its own that first loads what a tagger loads (sharp and the SDK clients), then reads the
 * image's bytes (as the tagger reads the original from S3) and runs `transcodeWithSharp`, the tagger's own
 * transcode, to the size `planProviderImage` picks. The process's peak RSS (VmHWM) is the figure a Lambda's
 * memory size must hold.
 *
 * The largest accepted image: an upload takes up to 50 MB through S3 (4 MB direct) and any pixel count
 * sharp opens, whose default limit is 268,402,689 pixels (16,383 × 16,383); the content inspector and the
 * taggers keep that default. Above 10,000 px a side Rekognition cannot read the original either, so both
 * taggers transcode it.
 */

const MAX_SIDE = 16_383;
/** Lambda gives a function one vCPU's worth of CPU at 1,769 MB, in proportion below (Lambda developer guide, "Memory and computing power"). */
const MB_PER_VCPU = 1769;
/** Over the measured peak: V8's heap grows with traffic, and a Vision request holds the JPEG again as base64 JSON. */
const HEADROOM = 1.25;
const MEMORY_STEP_MB = 64;

interface ImageCase {
  name: string;
  make: (file: string) => Promise<void>;
}

/** A smooth gradient scaled up: libvips never holds the whole image while writing it. */
const gradient = async (width: number, height: number, alpha: boolean) => {
  const small = 256;
  const pixels = Buffer.alloc(small * small * 4);
  for (let y = 0; y < small; y++) for (let x = 0; x < small; x++) pixels.set([x, y, 128 + ((x * y) % 64), alpha ? 200 : 255], (y * small + x) * 4);
  const image = sharp(pixels, { raw: { width: small, height: small, channels: 4 } }).resize(width, height, { fit: 'fill', kernel: 'cubic' });
  return alpha ? image : image.removeAlpha();
};

const CASES: ImageCase[] = [
  { name: 'bench photo 1600×1200 JPEG', make: async (file) => writeFile(file, await benchPhoto()) },
  {
    name: 'phone photo 4000×3000 JPEG',
    make: async (file) =>
      (await gradient(4000, 3000, false))
        .jpeg({ quality: 92 })
        .toFile(file)
        .then(() => {}),
  },
  {
    name: `largest: ${MAX_SIDE}×${MAX_SIDE} JPEG`,
    make: async (file) =>
      (await gradient(MAX_SIDE, MAX_SIDE, false))
        .jpeg({ quality: 85 })
        .toFile(file)
        .then(() => {}),
  },
  {
    name: `largest, EXIF-rotated: ${MAX_SIDE}×${MAX_SIDE} JPEG, orientation 6`,
    make: async (file) =>
      (await gradient(MAX_SIDE, MAX_SIDE, false))
        .jpeg({ quality: 85 })
        .withMetadata({ orientation: 6 })
        .toFile(file)
        .then(() => {}),
  },
  {
    // The most bytes an upload takes (50 MB through S3): noise barely compresses.
    name: 'largest in bytes: 6144×6144 JPEG of noise',
    make: async (file) =>
      sharp({ create: { width: 6144, height: 6144, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 40 } } })
        .jpeg({ quality: 90 })
        .toFile(file)
        .then(() => {}),
  },
  {
    // A gradient this size is over 50 MB as PNG; one colour and alpha decode through the same rows (PNG has no shrink-on-load).
    name: `largest PNG: ${MAX_SIDE}×${MAX_SIDE} RGBA, one colour`,
    make: async (file) =>
      sharp({ create: { width: MAX_SIDE, height: MAX_SIDE, channels: 4, background: { r: 200, g: 120, b: 40, alpha: 0.8 } } })
        .png({ compressionLevel: 6 })
        .toFile(file)
        .then(() => {}),
  },
];

export interface PreparedMeasurement {
  image: string;
  bytes: number;
  width: number;
  height: number;
  plans: Record<'rekognition (AWS, reads S3)' | 'vision', string>;
  /** RSS once sharp and the SDK clients are loaded, after reading the bytes, and the peak (VmHWM) over the transcode. */
  loadedRssMb: number;
  readRssMb: number;
  peakRssMb: number;
  transcodeMs: number;
  transcodeCpuMs: number;
  outBytes: number;
  sharpCacheMb: number;
  libvipsThreads: number;
}

export interface TaggerMemoryReport {
  cases: PreparedMeasurement[];
  headroom: number;
  /** The largest peak × headroom, rounded up to 64 MB. */
  recommendedMb: number;
  configuredMb: number;
  /** The worst case's transcode on Lambda at the configured and the recommended size, scaling its CPU time by the vCPU share. */
  worstCpuMs: number;
  worstAtConfiguredS: number;
  worstAtRecommendedS: number;
  /** Transcode seconds on Lambda by memory size, each case's CPU time over the vCPU share. */
  transcodeSecondsByMemory: Array<{ memoryMb: number; vcpu: number; seconds: Record<string, number> }>;
}

const planText = (plan: ProviderImagePlan) => (plan.kind === 'transcode' ? `transcode to ${plan.width}×${plan.height}` : plan.kind);

/** The child: loads what a tagger loads, reads the file, transcodes it as planned, and prints one line. */
async function prepareOne(file: string): Promise<PreparedMeasurement> {
  await Promise.all([
    import('@aws-sdk/client-s3'),
    import('@aws-sdk/client-dynamodb'),
    import('@aws-sdk/lib-dynamodb'),
    import('@aws-sdk/client-rekognition'),
    import('@google-cloud/vision'),
  ]);
  const { transcodeWithSharp } = await import('../functions/adapters/image-prep.js');
  const status = async () => {
    const text = await readFile('/proc/self/status', 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? Number.NaN);
    return { rssMb: Math.round(kb('VmRSS') / 1024), peakMb: Math.round(kb('VmHWM') / 1024) };
  };
  const loaded = await status();
  const bytes = await readFile(file);
  const metadata = await sharp(bytes).metadata();
  // As the record holds them: displayed sides (after EXIF orientation).
  const rotated = (metadata.orientation ?? 1) >= 5;
  const width = (rotated ? metadata.height : metadata.width) ?? 0;
  const height = (rotated ? metadata.width : metadata.height) ?? 0;
  const facts = { mime: `image/${metadata.format === 'jpeg' ? 'jpeg' : metadata.format}`, size: bytes.length, width, height };
  const providers: Record<keyof PreparedMeasurement['plans'], ImageProvider> = {
    'rekognition (AWS, reads S3)': { name: 'rekognition', readsS3: true },
    vision: { name: 'vision' },
  };
  const plans = Object.fromEntries(Object.entries(providers).map(([name, provider]) => [name, planProviderImage(facts, provider)])) as Record<
    keyof PreparedMeasurement['plans'],
    ProviderImagePlan
  >;
  const read = await status();
  const plan = plans.vision;
  const cpuBefore = process.cpuUsage();
  const startedAt = performance.now();
  const out = plan.kind === 'transcode' ? await transcodeWithSharp(bytes, plan) : bytes;
  const transcodeMs = performance.now() - startedAt;
  const cpu = process.cpuUsage(cpuBefore);
  const after = await status();
  return {
    image: file,
    bytes: bytes.length,
    width,
    height,
    plans: Object.fromEntries(Object.entries(plans).map(([name, value]) => [name, planText(value)])) as PreparedMeasurement['plans'],
    loadedRssMb: loaded.rssMb,
    readRssMb: read.rssMb,
    peakRssMb: after.peakMb,
    transcodeMs: Math.round(transcodeMs),
    transcodeCpuMs: Math.round((cpu.user + cpu.system) / 1000),
    outBytes: out.length,
    sharpCacheMb: Math.round((sharp.cache().memory.high ?? 0) * 10) / 10,
    libvipsThreads: sharp.concurrency(),
  };
}

const PREPARED_PREFIX = 'PREPARED ';
const inChild = (file: string) =>
  runReportingChild<PreparedMeasurement>(fileURLToPath(import.meta.url), ['child', file], PREPARED_PREFIX, `preparing ${file}`);

export async function measureTaggerMemory(configuredMb: number): Promise<TaggerMemoryReport> {
  const dir = await mkdtemp(join(tmpdir(), 'aitags-tagger-memory-'));
  try {
    const cases: PreparedMeasurement[] = [];
    for (const [index, imageCase] of CASES.entries()) {
      const file = join(dir, `${index}.${imageCase.name.includes('PNG') ? 'png' : 'jpg'}`);
      await imageCase.make(file);
      if ((await stat(file)).size > 50 * 1024 * 1024) throw new Error(`${imageCase.name} is over the 50 MB upload limit`);
      cases.push({ ...(await inChild(file)), image: imageCase.name });
    }
    const worst = cases.reduce((a, b) => (b.peakRssMb > a.peakRssMb ? b : a));
    const recommendedMb = Math.ceil((worst.peakRssMb * HEADROOM) / MEMORY_STEP_MB) * MEMORY_STEP_MB;
    const slowest = cases.reduce((a, b) => (b.transcodeCpuMs > a.transcodeCpuMs ? b : a));
    const seconds = (mb: number) => Math.round((slowest.transcodeCpuMs / Math.min(1, mb / MB_PER_VCPU) / 1000) * 10) / 10;
    return {
      cases,
      headroom: HEADROOM,
      recommendedMb,
      configuredMb,
      worstCpuMs: slowest.transcodeCpuMs,
      worstAtConfiguredS: seconds(configuredMb),
      worstAtRecommendedS: seconds(recommendedMb),
      transcodeSecondsByMemory: [...new Set([recommendedMb, 512, 768, configuredMb, MB_PER_VCPU])]
        .sort((a, b) => a - b)
        .map((memoryMb) => {
          const vcpu = Math.min(1, memoryMb / MB_PER_VCPU);
          return {
            memoryMb,
            vcpu: Math.round(vcpu * 100) / 100,
            seconds: Object.fromEntries(cases.map((c) => [c.image, Math.round((c.transcodeCpuMs / vcpu / 1000) * 100) / 100])),
          };
        }),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function formatTaggerMemory(report: TaggerMemoryReport): string {
  const rows = report.cases.map(
    (c) =>
      `| ${c.image} | ${(c.bytes / 1024 / 1024).toFixed(1)} MB | ${c.plans['rekognition (AWS, reads S3)']} / ${c.plans.vision} | ${c.loadedRssMb} | ${c.readRssMb} | **${c.peakRssMb}** | ${c.transcodeMs} (CPU ${c.transcodeCpuMs}) | ${c.sharpCacheMb} |`,
  );
  return [
    `Tagger memory: peak RSS of a process that loads what a tagger loads, reads the image and runs transcodeWithSharp (libvips threads: ${report.cases[0]?.libvipsThreads})`,
    '',
    '| image | bytes | plan: Rekognition (AWS) / Vision | RSS loaded MB | after read MB | peak MB | transcode ms | sharp cache high MB |',
    '|---|---:|---|---:|---:|---:|---:|---:|',
    ...rows,
    '',
    `recommended tagger memorySize: ${report.recommendedMb} MB (largest peak × ${report.headroom}, rounded up to 64 MB); configured today: ${report.configuredMb} MB`,
    '',
    `| memory | vCPU | ${report.cases.map((c) => c.image).join(' | ')} |`,
    `|---:|---:|${report.cases.map(() => '---:').join('|')}|`,
    ...report.transcodeSecondsByMemory.map(
      (row) => `| ${row.memoryMb} MB | ${row.vcpu} | ${report.cases.map((c) => `${row.seconds[c.image]} s`).join(' | ')} |`,
    ),
    '',
    `slowest transcode: ${report.worstCpuMs} ms of CPU here → ≈ ${report.worstAtConfiguredS} s at ${report.configuredMb} MB (${(Math.min(1, report.configuredMb / MB_PER_VCPU)).toFixed(2)} vCPU), ≈ ${report.worstAtRecommendedS} s at ${report.recommendedMb} MB (${Math.min(1, report.recommendedMb / MB_PER_VCPU).toFixed(2)} vCPU)`,
  ].join('\n');
}

if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url && process.argv[2] === 'child') {
  const measurement = await prepareOne(process.argv[3] as string);
  console.log(reportLine(PREPARED_PREFIX, measurement));
}
