import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { Webhook } from 'standardwebhooks';
import { type FakeLabel, fakeProviderEnvironment, startFakeRekognition, startFakeVision } from '../local/fakes/providers.js';
import { BenchClient } from './api-client.js';
import { reportLine, runReportingChild } from './child-report.js';
import { table } from './report.js';
import { inParallel, quantile, roundMs, roundRatio } from './stats.js';
import { gradientJpeg } from './photo.js';

/**
 * A tagging job over a folder of seeded images (issue 12): the Rekognition fake has a token-bucket quota
 * (`tps`) that aitags is told (AITAGS_REKOGNITION_TPS), a fixed latency, and the state machine's waits run
 * in real time (AITAGS_LOCAL_WAIT_SCALE=1). The job paces itself at 80 % of that quota; the bench polls
 * GET /v1/tagging-jobs/:id, checks its progress, its final counts, every file and its one webhook, and
 * reads its throughput against that share — the fastest the job may go by design.
 */

export interface TaggingJobsOptions {
  /** Images seeded in one folder, all tagged by one job. @default 2000 */
  files?: number;
  /** The Rekognition fake's quota, calls a second, and AITAGS_REKOGNITION_TPS. @default 20 */
  tps?: number;
  /** The fakes' latency, ms. @default 50 */
  latencyMs?: number;
  /** AITAGS_VISION_RPM: high, so that it never binds (the job asks Rekognition only). @default 6000 */
  visionRpm?: number;
  /** Uploads in flight at once while seeding. @default 8 */
  uploadConcurrency?: number;
  /** Progress lines; defaults to stderr. */
  log?: (line: string) => void;
}

interface Job {
  jobId: string;
  status: string;
  total: number | null;
  done: number;
  succeeded: number;
  failed: number;
  skipped: number;
  createdAt: string;
  finishedAt: string | null;
  startedAtMs?: number;
  rate?: number;
  error?: { message: string; reason: string };
}

export interface TaggingJobsReport {
  files: number;
  tps: number;
  latencyMs: number;
  visionRpm: number;
  /** The job's share of the quota, files a second (0.8 × tps): the reference, and the fastest the job may go. */
  quotaShare: number;
  /** The rate the job stored for itself, files a second. */
  jobRate: number | null;
  photo: { width: number; height: number; bytes: number };
  seeding: { seconds: number; uploadsPerSecond: number };
  /** From POST to the job entering `running` (planning: the selection and the manifest). */
  planningS: number;
  /** From the job entering `running` (its startedAtMs) to its end (finishedAt). */
  runningS: number;
  /** The least the running part can take at the quota share: the last file starts at (files − 1) / share. */
  floorS: number;
  filesPerSecond: number;
  /** filesPerSecond ÷ quotaShare (the issue's target: ≥ 0.90). */
  ratioToShare: number;
  final: Pick<Job, 'status' | 'total' | 'done' | 'succeeded' | 'failed' | 'skipped' | 'error'>;
  polls: number;
  /** How long GET /v1/tagging-jobs/:id took while the job ran, ms. */
  pollLatency: { medianMs: number; p90Ms: number; maxMs: number };
  /** Did `done` ever decrease between two polls? */
  progressMonotonic: boolean;
  /** Largest gap, in files, between the schedule (startedAtMs + i / rate) and `done` as polled. */
  maxLagFiles: number;
  /** `done` at every tenth of the running part, as polled. */
  progress: Array<{ atS: number; done: number }>;
  /** Every file as GET /v1/files lists it afterwards. */
  filesChecked: { listed: number; tagged: number; failed: number; skipped: number; other: number };
  webhook: { deliveries: number; verified: number; afterEndS: number | null; status: string | null };
  rekognition: {
    calls: number;
    accepted: number;
    overQuota: number;
    acceptedSpanS: number;
    acceptedPerSecond: number;
    /** From the job entering `running` to the first call (file 0's turn is at once). */
    firstCallAfterRunningS: number | null;
    /** Most calls in any one second: the pace allows ⌈share⌉, the bucket ≈ 2 × tps. */
    busiestSecond: number;
  };
  visionCalls: number;
  cpu: { userS: number; systemS: number; cores: number; busyShare: number };
  anomalies: string[];
}

const FOLDER = '/bench-jobs';
const AWS = { name: 'aws-auto-tagging', minConfidence: 50, maxTags: 5 };
const LABELS: FakeLabel[] = [
  { name: 'Harbour', confidence: 95.1 },
  { name: 'Sky', confidence: 88.4 },
];
const POLL_MS = 250;
const PROGRESS_EVERY_MS = 10_000;
const MAX_POLL_FAILURES = 20;
const QUIET_MS = 5_000;
const REQUEST_TIMEOUT_MS = 20_000;
/** After the job ends: how long its webhook may take to arrive, then how long a second one is waited for. */
const WEBHOOK_WAIT_MS = 30_000;
const DUPLICATE_WAIT_MS = 3_000;
const FINAL = new Set(['planned', 'succeeded', 'failed', 'cancelled']);
const LINE_PREFIX = 'TAGGING_JOBS ';
const mainScript = fileURLToPath(new URL('./tagging-jobs-main.ts', import.meta.url));

/** The job in a process of its own (`tagging-jobs-main.ts`): the handlers read their configuration once per process. */
export function taggingJobsBench(options: Omit<TaggingJobsOptions, 'log'> = {}): Promise<TaggingJobsReport> {
  const args = [options.files ?? 2000, options.tps ?? 20, options.latencyMs ?? 50, options.visionRpm ?? 6000].map(String);
  return runReportingChild<TaggingJobsReport>(mainScript, args, LINE_PREFIX, 'tagging jobs');
}

/** The job in this process; it must be one of its own (see taggingJobsBench). Cleans up whatever happens. */
export async function measureTaggingJobs(options: TaggingJobsOptions = {}): Promise<TaggingJobsReport> {
  const files = options.files ?? 2000;
  const tps = options.tps ?? 20;
  const latencyMs = options.latencyMs ?? 50;
  const visionRpm = options.visionRpm ?? 6000;
  const uploadConcurrency = options.uploadConcurrency ?? 8;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  if (!Number.isInteger(files) || files < 1) throw new Error(`files must be a positive integer (got ${files})`);
  if (!(tps > 0)) throw new Error(`tps must be a positive number (got ${tps})`);
  const anomalies: string[] = [];

  const photo = await gradientJpeg(320, 240);
  const { width = 0, height = 0 } = await sharp(photo).metadata();
  const rekognition = await startFakeRekognition({ labels: LABELS, latencyMs }, { tps });
  const vision = await startFakeVision({ labels: LABELS, latencyMs });
  const receiver = await startReceiver();
  const dataDir = await mkdtemp(join(tmpdir(), 'aitags-tagging-jobs-'));
  const { startLocalStack } = await import('../local/stack.js');
  const { BACKGROUND_QUOTA_SHARE } = await import('../functions/core/pacer.js');
  const stack = await startLocalStack({
    dataDir,
    port: 0,
    env: {
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      ...fakeProviderEnvironment(rekognition, vision),
      AITAGS_SYNC_WINDOW_MS: '0',
      AITAGS_LOCAL_WAIT_SCALE: '1',
      AITAGS_REKOGNITION_TPS: String(tps),
      AITAGS_VISION_RPM: String(visionRpm),
    },
  });
  const auth = `Basic ${Buffer.from(`${stack.privateKey}:`).toString('base64')}`;
  const call = async <T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${stack.apiUrl}${path}`, {
      method,
      headers: { authorization: auth, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
  let progress: NodeJS.Timeout | undefined;
  try {
    // 1. Seed the folder: plain uploads, no extensions.
    const client = new BenchClient(stack.apiUrl, stack.privateKey);
    const blob = new Blob([new Uint8Array(photo)], { type: 'image/jpeg' });
    log(`tagging jobs: seeding ${files} images in ${FOLDER}, ${uploadConcurrency} uploads at a time…`);
    const seedStartedAt = performance.now();
    await inParallel(files, uploadConcurrency, async (index) => {
      await client.upload(blob, { fileName: `photo-${index}.jpg`, folder: FOLDER });
    });
    await stack.idle();
    const seedS = (performance.now() - seedStartedAt) / 1000;
    rekognition.reset();
    vision.reset();

    // 2. The job, polled until it ends.
    log(
      `tagging jobs: one job over ${files} files, aws-auto-tagging, Rekognition fake at ${tps} calls/s (${latencyMs} ms), polled every ${POLL_MS} ms…`,
    );
    const cpuBefore = process.cpuUsage();
    const postedAt = Date.now();
    const created = await call<Job>('POST', '/v1/tagging-jobs', { path: FOLDER, extensions: [AWS], webhookUrl: receiver.url });
    if (created.status !== 202) throw new Error(`POST /v1/tagging-jobs answered ${created.status}: ${JSON.stringify(created.body)}`);
    const { jobId } = created.body;
    const polled: Array<{ at: number; job: Job }> = [];
    let latest = created.body;
    progress = setInterval(() => log(`  ${latest.status}: done ${latest.done}/${latest.total ?? '?'}`), PROGRESS_EVERY_MS);
    const pollMs: number[] = [];
    const pollFailures: string[] = [];
    while (!FINAL.has(latest.status)) {
      await sleep(POLL_MS);
      const sentAt = performance.now();
      try {
        const reply = await call<Job>('GET', `/v1/tagging-jobs/${jobId}`);
        if (reply.status !== 200) throw new Error(`answered ${reply.status}: ${JSON.stringify(reply.body).slice(0, 300)}`);
        pollMs.push(performance.now() - sentAt);
        latest = reply.body;
        polled.push({ at: Date.now(), job: latest });
      } catch (error) {
        // A poll that fails is reported, not fatal: the job runs on regardless.
        pollFailures.push(String(error));
        log(`  poll failed after ${Math.round(performance.now() - sentAt)} ms: ${String(error)}`);
        if (pollFailures.length > MAX_POLL_FAILURES) throw new Error(`${pollFailures.length} polls failed; the last: ${String(error)}`);
      }
    }
    log(`tagging jobs: job ${latest.status}: ${JSON.stringify({ ...latest, extensions: undefined })}`);
    if (latest.status !== 'succeeded') {
      // A job that ended early may leave its Map's items running locally: let them finish before the stack stops.
      for (let seen = -1; seen !== rekognition.calls.length; ) {
        seen = rekognition.calls.length;
        await sleep(QUIET_MS);
      }
    }
    if (pollFailures.length) anomalies.push(`${pollFailures.length} polls failed (first: ${pollFailures[0]})`);
    clearInterval(progress);
    const endedPolledAt = Date.now();
    const cpu = process.cpuUsage(cpuBefore);

    // 3. Its webhook: exactly one, once the execution is over.
    const webhookArrived = await Promise.race([receiver.waitFor(1).then(() => true), sleep(WEBHOOK_WAIT_MS).then(() => false)]);
    await stack.idle();
    await sleep(DUPLICATE_WAIT_MS);
    const verifier = new Webhook(Buffer.from(stack.webhookSecret).toString('base64'));
    let verified = 0;
    let webhookStatus: string | null = null;
    for (const delivery of receiver.received) {
      try {
        const payload = verifier.verify(delivery.body, {
          'webhook-id': String(delivery.headers['webhook-id']),
          'webhook-timestamp': String(delivery.headers['webhook-timestamp']),
          'webhook-signature': String(delivery.headers['webhook-signature']),
        }) as { type?: string; data?: { jobId?: string; status?: string } };
        if (payload.type === 'tagging-job.completed' && payload.data?.jobId === jobId) verified++;
        webhookStatus = payload.data?.status ?? null;
      } catch (error) {
        anomalies.push(`webhook not verified: ${String(error)}`);
      }
    }
    if (!webhookArrived) anomalies.push(`no job webhook within ${WEBHOOK_WAIT_MS / 1000} s of the end`);
    if (receiver.received.length !== 1) anomalies.push(`${receiver.received.length} job webhooks received (expected 1)`);

    // 4. Every file as listed.
    const filesChecked = { listed: 0, tagged: 0, failed: 0, skipped: 0, other: 0 };
    for (let skip = 0; skip < files; skip += 1000) {
      const page = await call<Array<{ AITags?: Array<{ source: string }> | null; extensionStatus?: Record<string, string> }>>(
        'GET',
        `/v1/files?path=${encodeURIComponent(FOLDER)}&limit=1000&skip=${skip}`,
      );
      if (page.status !== 200) throw new Error(`GET /v1/files answered ${page.status}`);
      for (const file of page.body) {
        filesChecked.listed++;
        const status = file.extensionStatus?.[AWS.name];
        if (status === 'success' && file.AITags?.some((tag) => tag.source === AWS.name)) filesChecked.tagged++;
        else if (status === 'failed') filesChecked.failed++;
        else if (status === undefined) filesChecked.skipped++;
        else filesChecked.other++;
      }
    }

    // 5. Figures.
    const final = (await call<Job>('GET', `/v1/tagging-jobs/${jobId}`)).body;
    const quotaShare = tps * BACKGROUND_QUOTA_SHARE;
    const runningAt = final.startedAtMs ?? polled.find((poll) => poll.job.status === 'running')?.at ?? postedAt;
    const endedAt = final.finishedAt ? Date.parse(final.finishedAt) : endedPolledAt;
    const runningS = (endedAt - runningAt) / 1000;
    const filesPerSecond = (final.total ?? 0) / runningS;
    const rate = final.rate ?? quotaShare;
    let monotonic = true;
    let maxLagFiles = 0;
    for (const [index, poll] of polled.entries()) {
      const before = polled[index - 1];
      if (before && poll.job.done < before.job.done) monotonic = false;
      if (poll.job.status === 'running' && poll.at > runningAt) {
        const scheduled = Math.min(files, Math.floor(((poll.at - runningAt) / 1000) * rate) + 1);
        maxLagFiles = Math.max(maxLagFiles, scheduled - poll.job.done);
      }
    }
    const progressSamples = Array.from({ length: 11 }, (_, tenth) => {
      const at = runningAt + ((endedAt - runningAt) * tenth) / 10;
      const seen = polled.filter((poll) => poll.at <= at).at(-1);
      return { atS: seconds(at - runningAt), done: seen?.job.done ?? 0 };
    });
    const accepted = rekognition.calls.filter((call) => !call.overQuota);
    const acceptedSpanS = accepted.length > 1 ? ((accepted.at(-1)?.at ?? 0) - (accepted[0]?.at ?? 0)) / 1000 : 0;
    const wallS = (endedPolledAt - postedAt) / 1000;
    const cores = cpus().length;

    if (final.status !== 'succeeded') anomalies.push(`job ended ${final.status}`);
    if (final.total !== files || final.done !== final.total) anomalies.push(`total ${final.total}, done ${final.done} (expected ${files})`);
    if (final.succeeded + final.failed + final.skipped !== final.total) anomalies.push('succeeded + failed + skipped ≠ total');
    if (!monotonic) anomalies.push('done decreased between two polls');
    if (filesChecked.listed !== files || filesChecked.other > 0) anomalies.push(`files listed ${JSON.stringify(filesChecked)}`);
    if (filesChecked.tagged !== final.succeeded || filesChecked.failed !== final.failed || filesChecked.skipped !== final.skipped) {
      anomalies.push(`files as listed ${JSON.stringify(filesChecked)} differ from the job's counts`);
    }
    if (accepted.length !== final.succeeded) anomalies.push(`${accepted.length} Rekognition calls accepted for ${final.succeeded} files tagged`);

    return {
      files,
      tps,
      latencyMs,
      visionRpm,
      quotaShare,
      jobRate: final.rate ?? null,
      photo: { width, height, bytes: photo.length },
      seeding: { seconds: seconds(seedS * 1000), uploadsPerSecond: roundRatio(files / seedS) },
      planningS: seconds(runningAt - postedAt),
      runningS: seconds(runningS * 1000),
      floorS: seconds(((files - 1) / quotaShare) * 1000),
      filesPerSecond: roundRatio(filesPerSecond),
      ratioToShare: roundRatio(filesPerSecond / quotaShare),
      final: {
        status: final.status,
        total: final.total,
        done: final.done,
        succeeded: final.succeeded,
        failed: final.failed,
        skipped: final.skipped,
        ...(final.error && { error: final.error }),
      },
      polls: polled.length,
      pollLatency: pollMs.length
        ? { medianMs: roundMs(quantile(pollMs, 0.5)), p90Ms: roundMs(quantile(pollMs, 0.9)), maxMs: roundMs(Math.max(...pollMs)) }
        : { medianMs: 0, p90Ms: 0, maxMs: 0 },
      progressMonotonic: monotonic,
      maxLagFiles,
      progress: progressSamples,
      filesChecked,
      webhook: {
        deliveries: receiver.received.length,
        verified,
        afterEndS: receiver.firstAt === undefined ? null : seconds(receiver.firstAt - endedAt),
        status: webhookStatus,
      },
      rekognition: {
        calls: rekognition.calls.length,
        accepted: accepted.length,
        overQuota: rekognition.calls.length - accepted.length,
        acceptedSpanS: seconds(acceptedSpanS * 1000),
        acceptedPerSecond: acceptedSpanS > 0 ? roundRatio((accepted.length - 1) / acceptedSpanS) : 0,
        firstCallAfterRunningS: rekognition.calls[0] ? seconds(rekognition.calls[0].at - runningAt) : null,
        busiestSecond: busiestSecond(rekognition.calls.map((call) => call.at)),
      },
      visionCalls: vision.calls.length,
      cpu: {
        userS: seconds(cpu.user / 1000),
        systemS: seconds(cpu.system / 1000),
        cores,
        busyShare: roundRatio((cpu.user + cpu.system) / 1e6 / (wallS * cores)),
      },
      anomalies,
    };
  } catch (error) {
    // Said before the stack stops: work still under way may crash the process as its stores close.
    log(`tagging jobs: failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    throw error;
  } finally {
    clearInterval(progress);
    await stack.stop();
    await Promise.all([rekognition.stop(), vision.stop(), receiver.stop()]);
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** A loopback webhook receiver: records every delivery and answers 200. */
async function startReceiver() {
  const received: Array<{ headers: IncomingHttpHeaders; body: string; at: number }> = [];
  const waiters: Array<() => void> = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
      for (const resolve of waiters.splice(0)) resolve();
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/job-hooks`,
    received,
    get firstAt() {
      return received[0]?.at;
    },
    waitFor(count: number): Promise<void> {
      if (received.length >= count) return Promise.resolve();
      return new Promise<void>((resolve) => waiters.push(resolve)).then(() => this.waitFor(count));
    },
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Most of `times` (ms, ascending) within any 1,000 ms. */
function busiestSecond(times: number[]): number {
  let most = 0;
  for (let start = 0, end = 0; end < times.length; end++) {
    while ((times[end] as number) - (times[start] as number) >= 1000) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const seconds = (ms: number) => Math.round(ms / 100) / 10;

export function formatTaggingJobs(report: TaggingJobsReport): string {
  const rows = [
    {
      measurement: 'job running → end, s',
      n: report.files,
      median: report.runningS,
      p90: '',
      note: `floor ${report.floorS} s: the last file starts at (files − 1) ÷ share`,
    },
    {
      measurement: 'throughput, files/s',
      n: report.files,
      median: report.filesPerSecond,
      p90: '',
      note: `${report.ratioToShare}× the job's share ${report.quotaShare}/s = 0.8 × ${report.tps} tps (target ≥ 0.90)`,
    },
    { measurement: 'planning (POST → running), s', n: 1, median: report.planningS, p90: '', note: 'the selection and the manifest' },
    {
      measurement: 'Rekognition calls accepted / s',
      n: report.rekognition.accepted,
      median: report.rekognition.acceptedPerSecond,
      p90: '',
      note: `${report.rekognition.overQuota} over quota of ${report.rekognition.calls} calls, over ${report.rekognition.acceptedSpanS} s; first ${report.rekognition.firstCallAfterRunningS} s after running; busiest second ${report.rekognition.busiestSecond}`,
    },
    {
      measurement: 'progress lag behind schedule',
      n: report.polls,
      median: report.maxLagFiles,
      p90: '',
      note: `max files; done ${report.progressMonotonic ? 'never decreased' : 'DECREASED'} between polls`,
    },
    {
      measurement: 'GET job while running, ms',
      n: report.polls,
      median: report.pollLatency.medianMs,
      p90: report.pollLatency.p90Ms,
      note: `max ${report.pollLatency.maxMs}`,
    },
  ];
  const { final, filesChecked, webhook } = report;
  return [
    `tagging jobs: ${report.files} images of ${report.photo.width}×${report.photo.height} (${Math.round(report.photo.bytes / 1024)} KiB), one job with aws-auto-tagging; Rekognition fake at ${report.tps} calls/s (token bucket, burst ${report.tps}), ${report.latencyMs} ms latency; AITAGS_VISION_RPM ${report.visionRpm}`,
    table(rows).replace('median ms', '    value').replace('p90 ms', '   p90'),
    `seeded in ${report.seeding.seconds} s (${report.seeding.uploadsPerSecond} uploads/s)`,
    `final: ${final.status}, total ${final.total}, done ${final.done}, succeeded ${final.succeeded}, failed ${final.failed}, skipped ${final.skipped}`,
    `files as listed: ${filesChecked.listed} listed, ${filesChecked.tagged} tagged, ${filesChecked.failed} failed, ${filesChecked.skipped} without a run, ${filesChecked.other} other`,
    `job webhook: ${webhook.deliveries} received (${webhook.verified} verified, status ${webhook.status}), ${webhook.afterEndS} s after finishedAt`,
    `progress (s → done): ${report.progress.map((sample) => `${sample.atS}→${sample.done}`).join(', ')}`,
    `CPU: ${report.cpu.userS} s user + ${report.cpu.systemS} s system on ${report.cpu.cores} cores (${Math.round(report.cpu.busyShare * 100)} % busy) from POST to end`,
    ...(report.anomalies.length ? [`anomalies: ${report.anomalies.join('; ')}`] : []),
  ].join('\n');
}

/** The machine-readable result: one line, greppable by its prefix. */
export const taggingJobsLine = (report: TaggingJobsReport) => reportLine(LINE_PREFIX, report);
