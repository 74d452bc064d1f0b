import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FileTable } from '../adapters/file-table.js';
import type { RunWatchTable } from '../adapters/run-watches.js';
import type { TagPolicies } from '../adapters/tag-policies.js';
import type { TaggingWorkflow } from '../adapters/tagging-workflow.js';
import type { RunExtension } from '../core/extensions.js';
import type { ExtensionName } from '../core/extension-names.js';
import type { ExtensionState, FileRecord, StartingRun } from '../core/file-record.js';
import { EXPRESS_RUN_DEADLINE_SECONDS, firstWatch } from '../core/run-watches.js';
import { nextReadAt, SettleTimes } from '../core/settle-schedule.js';
import { runProgress, type TaggingRunInput } from '../core/tagging-run.js';
import { webhookEventId } from '../core/webhook-events.js';
import { logger } from '../runtime/logger.js';
import { METRIC, recordMetric } from '../runtime/metrics.js';

/** Shared by the runs of one container: when recent runs settled adds reads around that time to the next runs'. */
const settleTimes = new SettleTimes();

/** A run an upload is about to start: its policy version is read while the upload stores the file. */
export interface NewRun extends StartingRun {
  /** The library's current tag policy version as the run began: the run's, whatever changes while it runs. */
  policyVersion: Promise<string>;
}

export interface TaggingResult {
  record: FileRecord;
  extensionStatus: Partial<Record<ExtensionName, ExtensionState>>;
}

/**
 * Tagging runs of one file: each starts one execution of the tagging workflow. Upload and update wait
 * up to the sync window and return as soon as every requested extension is final, else with the
 * unfinished ones `pending` (their result lands later, by webhook).
 */
export class TaggingRuns {
  constructor(
    private readonly table: FileTable,
    private readonly workflow: TaggingWorkflow,
    private readonly policies: Pick<TagPolicies, 'currentVersionId'>,
    private readonly watches: Pick<RunWatchTable, 'watch'>,
    private readonly syncWindowMs = 0,
  ) {}

  /** Watched first (a run whose workflow is lost is the reconciler's), then started. */
  private async startWorkflow(input: TaggingRunInput): Promise<void> {
    await this.watches.watch(firstWatch(input, EXPRESS_RUN_DEADLINE_SECONDS, new Date()));
    await this.workflow.start(input);
  }

  /**
   * Starts a run nobody waits for (an object that arrived in S3): every extension is owed a webhook when
   * a webhookUrl was given. `runId` names the execution; a duplicate start runs twice (Express), and the
   * run's writes, conditional on its run id, keep that harmless.
   * `paced`: its extensions take their turns at the providers' background pacers (an object under ingest/).
   */
  async start(fileId: string, extensions: RunExtension[], webhookUrl: string | undefined, runId: string, paced = false): Promise<void> {
    const record = await this.table.startRun(
      fileId,
      runId,
      extensions.map((extension) => extension.name),
    );
    if (webhookUrl) await this.promiseWebhooks(record, runId, extensions, webhookUrl);
    // Nobody waits (syncDeadline 0), and the same input every time: a retried start is idempotent.
    const policyVersion = await this.policies.currentVersionId();
    await this.startWorkflow({ fileId, runId, extensions, syncDeadline: 0, webhookUrl, policyVersion, lost: false, paced });
    logger.info('Tagging run started', { runId, paced, extensions: extensions.map((extension) => extension.name) });
  }

  /**
   * A new run of `extensions`, for an upload to start in the record it writes (then `runAndWait`). The
   * policy version is read from now on, beside the upload's own writes rather than after them.
   */
  newRun(extensions: RunExtension[]): NewRun {
    const policyVersion = this.policies.currentVersionId();
    // Awaited by runAndWait; an upload that fails before it must not leave the read's rejection unhandled.
    policyVersion.catch(() => undefined);
    return { runId: randomUUID(), names: extensions.map((extension) => extension.name), policyVersion };
  }

  /** Starts a run and waits for it up to the sync window. */
  async startAndWait(fileId: string, extensions: RunExtension[], webhookUrl: string | undefined): Promise<TaggingResult> {
    const run = this.newRun(extensions);
    const record = await this.table.startRun(fileId, run.runId, run.names);
    return this.runAndWait(record, run, extensions, webhookUrl);
  }

  /**
   * Runs `run`, already started in `record` (its extensions pending for its runId), and waits for it up
   * to the sync window.
   */
  async runAndWait(started: FileRecord, run: NewRun, extensions: RunExtension[], webhookUrl: string | undefined): Promise<TaggingResult> {
    const startedAt = Date.now();
    const syncDeadline = startedAt + this.syncWindowMs;
    const { runId, names } = run;
    const { fileId } = started;
    let record = started;
    logger.info('Tagging run starting', { runId, extensions: names });
    try {
      const policyVersion = await run.policyVersion;
      await this.startWorkflow({ fileId, runId, extensions, syncDeadline, webhookUrl, policyVersion, lost: false, paced: false });
    } catch (error) {
      logger.error('Could not start the tagging workflow', { runId, error: error as Error });
      for (const name of names) {
        const failed = { message: 'Could not start the tagging workflow; retry the request', reason: 'WORKFLOW_UNAVAILABLE' };
        record = (await this.table.recordOutcome(fileId, runId, name, { status: 'failed', error: failed })) ?? record;
      }
    }
    let progress = runProgress(record, extensions);
    let reads = 0;
    let lastReadMs: number | undefined;
    const expected = settleTimes.expectedFor(names);
    while (!progress.settled && Date.now() < syncDeadline) {
      const readAt = startedAt + nextReadAt(lastReadMs, expected);
      await sleep(Math.max(0, Math.min(readAt, syncDeadline) - Date.now()));
      // From when the read was made, not when it was due: a late read (a busy event loop) spaces the next from itself.
      lastReadMs = Date.now() - startedAt;
      const latest = await this.table.get(fileId);
      reads++;
      if (!latest) break;
      record = latest;
      progress = runProgress(record, extensions);
    }
    // The record's last write is when the run settled, whenever the read came.
    if (progress.settled && reads) settleTimes.observe(names, Date.parse(record.updatedAt) - startedAt);
    recordMetric(METRIC.syncWindowReads, reads);
    if (webhookUrl && !progress.settled) ({ record, progress } = await this.promiseWebhooks(record, runId, extensions, webhookUrl));
    const pending = Object.values(progress.extensionStatus).filter((status) => status === 'pending').length;
    if (pending) recordMetric(METRIC.pendingAtWindowEnd, pending);
    return { record, extensionStatus: progress.extensionStatus };
  }

  /**
   * Marks each still-pending extension as owed a webhook, conditionally on it still being pending. An
   * extension that became final in between fails the condition and is reported final instead: its
   * tagger's final write saw no mark, so no event will be sent, and none is needed.
   */
  private async promiseWebhooks(record: FileRecord, runId: string, extensions: RunExtension[], url: string) {
    const pending = extensions.filter((extension) => record.extensionStatus[extension.name] === 'pending');
    const marked = await Promise.all(
      pending.map((extension) => {
        const eventId = webhookEventId(runId, extension.name);
        return this.table.reportPending(record.fileId, extension.name, { runId, url, eventId });
      }),
    );
    const promised = pending.filter((_, index) => marked[index]).map((extension) => extension.name);
    const latest = promised.length === pending.length ? record : ((await this.table.get(record.fileId)) ?? record);
    logger.info('Extensions reported pending; their results go to the webhook', { runId, extensions: promised });
    const progress = runProgress(latest, extensions);
    // What the caller is told must match the marks: a promised extension is pending, even if it landed since.
    for (const name of promised) progress.extensionStatus[name] = 'pending';
    return { record: latest, progress };
  }
}
