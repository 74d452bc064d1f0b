import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startFakeRekognition, startFakeVision } from '../local/fakes/providers.js';
import { BenchClient } from './api-client.js';
import { reportLine, runReportingChild } from './child-report.js';
import { gradientJpeg } from './photo.js';
import { table } from './report.js';
import { inParallel, roundRatio } from './stats.js';

/**
 * Objects written under ingest/ (issue 22): `objects` images PUT straight to the bucket, as `aws s3 cp
 * --recursive` would, against a Rekognition fake with a token-bucket quota (`tps`) that aitags is told.
 * Optionally a tagging job over `jobFiles` seeded images starts at the same moment: both take their turns
 * at the same background pacer. Reads how many calls the quota refused (target ≤ 5 %) and the span from the
 * first PUT to the last accepted call against the paced floor — every accepted call at 80 % of the quota —
 * measured in the same run (target ≤ 1.3×).
 */

export interface IngestPacingOptions {
  objects: number;
  tps: number;
  /** Files a tagging job tags meanwhile; 0: no job. */
  jobFiles: number;
  latencyMs: number;
}

export interface IngestPacingReport extends IngestPacingOptions {
  share: number;
  writeS: number;
  /** From the first PUT to the last object stored as a file. */
  storedS: number;
  ingested: { listed: number; success: number; other: number };
  job: { status: string; succeeded: number; failed: number } | null;
  calls: number;
  accepted: number;
  overQuota: number;
  overQuotaShare: number;
  spanS: number;
  floorS: number;
  spanToFloor: number;
  anomalies: string[];
}

const LINE_PREFIX = 'INGEST_PACING ';
const mainScript = fileURLToPath(new URL('./ingest-pacing-main.ts', import.meta.url));
const EXTENSION = { name: 'aws-auto-tagging', minConfidence: 50, maxTags: 3 };
const WRITERS = 8;

/** One scenario in a process of its own (the handlers read their configuration once per process). */
export function ingestPacingBench(options: IngestPacingOptions): Promise<IngestPacingReport> {
  const args = [options.objects, options.tps, options.jobFiles, options.latencyMs].map(String);
  return runReportingChild<IngestPacingReport>(mainScript, args, LINE_PREFIX, 'ingest pacing');
}

export async function measureIngestPacing(options: IngestPacingOptions): Promise<IngestPacingReport> {
  const { objects, tps, jobFiles, latencyMs } = options;
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const anomalies: string[] = [];
  const photo = await gradientJpeg(320, 240);
  const rekognition = await startFakeRekognition({ labels: [{ name: 'Harbour', confidence: 95 }], latencyMs }, { tps });
  const vision = await startFakeVision({ latencyMs });
  const dataDir = await mkdtemp(join(tmpdir(), 'aitags-ingest-pacing-'));
  const { startLocalStack } = await import('../local/stack.js');
  const { fakeProviderEnvironment } = await import('../local/fakes/providers.js');
  const { BACKGROUND_QUOTA_SHARE } = await import('../functions/core/pacer.js');
  const stack = await startLocalStack({
    dataDir,
    port: 0,
    env: {
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      ...fakeProviderEnvironment(rekognition, vision),
      AITAGS_LOCAL_WAIT_SCALE: '1',
      AITAGS_REKOGNITION_TPS: String(tps),
      AITAGS_VISION_RPM: '6000',
      AITAGS_DEFAULT_EXTENSIONS: JSON.stringify([EXTENSION]),
    },
  });
  const s3 = new S3Client({
    endpoint: stack.s3Endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
  const auth = `Basic ${Buffer.from(`${stack.privateKey}:`).toString('base64')}`;
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${stack.apiUrl}${path}`, {
      method,
      headers: { authorization: auth, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    return (await response.json()) as T;
  };
  try {
    if (jobFiles) {
      log(`ingest pacing: seeding ${jobFiles} files for the job…`);
      const client = new BenchClient(stack.apiUrl, stack.privateKey);
      const blob = new Blob([new Uint8Array(photo)], { type: 'image/jpeg' });
      await inParallel(jobFiles, WRITERS, (index) =>
        client.upload(blob, { fileName: `job-${index}.jpg`, folder: '/bench-job' }).then(() => undefined),
      );
      await stack.idle();
      rekognition.reset();
    }
    log(
      `ingest pacing: ${objects} objects under ingest/${jobFiles ? `, and a job over ${jobFiles} files` : ''}, Rekognition fake at ${tps} calls/s…`,
    );
    const startedAt = Date.now();
    const job = jobFiles ? call<{ jobId: string }>('POST', '/v1/tagging-jobs', { path: '/bench-job', extensions: [EXTENSION] }) : undefined;
    await inParallel(objects, WRITERS, async (index) => {
      await s3.send(
        new PutObjectCommand({ Bucket: stack.bucket, Key: `ingest/bench-ingest/p-${index}.jpg`, Body: photo, ContentType: 'image/jpeg' }),
      );
    });
    const writeS = (Date.now() - startedAt) / 1000;
    const jobId = (await job)?.jobId;
    await stack.idle();

    const listed = await call<Array<{ extensionStatus?: Record<string, string>; createdAt: string }>>(
      'GET',
      `/v1/files?path=${encodeURIComponent('/bench-ingest')}&limit=1000`,
    );
    const success = listed.filter((file) => file.extensionStatus?.[EXTENSION.name] === 'success').length;
    const ingested = { listed: listed.length, success, other: listed.length - success };
    // When the last object had become a file: the local stack's own pace of storing, which bounds the span from below.
    const storedS = (Math.max(...listed.map((file) => Date.parse(file.createdAt))) - startedAt) / 1000;
    // Why the job's files that failed failed: reasons counted, from the files as listed.
    const jobFailures: Record<string, number> = {};
    if (jobId) {
      const jobListed = await call<Array<{ extensionErrors?: Record<string, { reason: string; message: string }> }>>(
        'GET',
        `/v1/files?path=${encodeURIComponent('/bench-job')}&limit=1000`,
      );
      for (const file of jobListed) {
        for (const error of Object.values(file.extensionErrors ?? {})) {
          const key = `${error.reason}: ${error.message.slice(0, 120)}`;
          jobFailures[key] = (jobFailures[key] ?? 0) + 1;
        }
      }
    }
    const jobState = jobId
      ? await call<{ status: string; succeeded: number; failed: number; error?: { reason: string; message: string } }>(
          'GET',
          `/v1/tagging-jobs/${jobId}`,
        )
      : undefined;
    const accepted = rekognition.calls.filter((entry) => !entry.overQuota);
    const overQuota = rekognition.calls.length - accepted.length;
    const share = tps * BACKGROUND_QUOTA_SHARE;
    const spanS = ((accepted.at(-1)?.at ?? startedAt) - startedAt) / 1000;
    // The least the accepted calls can take at the share: the last starts (n − 1) / share after the first.
    const floorS = (accepted.length - 1) / share;
    if (ingested.listed !== objects || ingested.other) anomalies.push(`ingested ${JSON.stringify(ingested)}`);
    if (jobState && (jobState.status !== 'succeeded' || jobState.succeeded !== jobFiles)) {
      anomalies.push(
        `job ${jobState.status}${jobState.error ? ` (${jobState.error.reason}: ${jobState.error.message})` : ''}: ${jobState.succeeded} succeeded, ${jobState.failed} failed (${JSON.stringify(jobFailures)})`,
      );
    }
    if (accepted.length !== objects + jobFiles) anomalies.push(`${accepted.length} calls accepted for ${objects + jobFiles} images`);
    return {
      ...options,
      share,
      writeS: round(writeS),
      storedS: round(storedS),
      ingested,
      job: jobState ? { status: jobState.status, succeeded: jobState.succeeded, failed: jobState.failed } : null,
      calls: rekognition.calls.length,
      accepted: accepted.length,
      overQuota,
      overQuotaShare: roundRatio(overQuota / Math.max(1, rekognition.calls.length)),
      spanS: round(spanS),
      floorS: round(floorS),
      spanToFloor: roundRatio(spanS / floorS),
      anomalies,
    };
  } catch (error) {
    // Said before the stack stops: work still under way may crash the process as its stores close.
    log(`ingest pacing: failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    throw error;
  } finally {
    s3.destroy();
    await stack.stop();
    await Promise.all([rekognition.stop(), vision.stop()]);
    await rm(dataDir, { recursive: true, force: true });
  }
}

const round = (value: number) => Math.round(value * 10) / 10;

export function formatIngestPacing(reports: IngestPacingReport[]): string {
  return table(
    reports.map((report) => ({
      measurement: `${report.objects} ingest/ objects${report.jobFiles ? ` + job of ${report.jobFiles}` : ''}, span s`,
      n: report.accepted,
      median: report.spanS,
      p90: '',
      note: `floor ${report.floorS} s (${report.accepted} calls at ${report.share}/s): ${report.spanToFloor}× (target ≤ 1.3); over quota ${report.overQuota} of ${report.calls} calls = ${Math.round(report.overQuotaShare * 1000) / 10} % (target ≤ 5 %); written in ${report.writeS} s, stored by ${report.storedS} s${report.anomalies.length ? `; anomalies: ${report.anomalies.join('; ')}` : ''}`,
    })),
  )
    .replace('median ms', '    value')
    .replace('p90 ms', '   p90');
}

export const ingestPacingLine = (report: IngestPacingReport) => reportLine(LINE_PREFIX, report);
