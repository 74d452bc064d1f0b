import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FileTable } from './adapters/file-table.js';
import type { TaggingRuns } from './adapters/tagging-runs.js';
import type { AutoTagging as Extension, ExtensionName } from './core/extensions.js';
import type { ExtensionState, FileRecord } from './core/file-record.js';
import { runProgress } from './core/tagging-run.js';
import { logger } from './logger.js';

/** How often the record is re-read while the sync window is open: one consistent read each time. */
const POLL_MS = 100;

export interface TaggingResult {
  record: FileRecord;
  extensionStatus: Partial<Record<ExtensionName, ExtensionState>>;
}

/**
 * Starts a tagging run and waits for it up to the sync window: returns as soon as every requested
 * extension is final, else with the unfinished ones `pending` (their result lands later, by webhook).
 */
export class AutoTaggingRuns {
  constructor(
    private readonly table: FileTable,
    private readonly runs: TaggingRuns,
    private readonly syncWindowMs: number,
  ) {}

  async run(fileId: string, extensions: Extension[], webhookUrl: string | undefined): Promise<TaggingResult> {
    const runId = randomUUID();
    const syncDeadline = Date.now() + this.syncWindowMs;
    const names = extensions.map((extension) => extension.name);
    let record = await this.table.startRun(fileId, runId, names);
    logger.info('Tagging run starting', { runId, extensions: names });
    try {
      await this.runs.start({ fileId, runId, extensions, syncDeadline, webhookUrl });
    } catch (error) {
      logger.error('Could not start the tagging workflow', { runId, error: error as Error });
      for (const name of names) {
        const failed = { message: `Could not start the tagging workflow: ${(error as Error).message}`, reason: 'WORKFLOW_UNAVAILABLE' };
        record = (await this.table.recordOutcome(fileId, runId, name, { status: 'failed', error: failed })) ?? record;
      }
    }
    let progress = runProgress(record, extensions);
    while (!progress.settled && Date.now() < syncDeadline) {
      await sleep(Math.min(POLL_MS, syncDeadline - Date.now()));
      const latest = await this.table.get(fileId);
      if (!latest) break;
      record = latest;
      progress = runProgress(record, extensions);
    }
    return { record, extensionStatus: progress.extensionStatus };
  }
}
