import { randomUUID } from 'node:crypto';
import type { InspectedContent } from '../adapters/content-inspector.js';
import type { FileStore } from '../adapters/file-store.js';
import type { InboxTable } from '../adapters/inbox-table.js';
import type { TaggingRuns } from './tagging-runs.js';
import {
  type CreatedObject,
  classifyInboxObject,
  type InboxObject,
  ingestSettings,
  presignedUploadRefusal,
  s3EventId,
  type UploadSettings,
} from '../core/direct-upload.js';
import type { Extension } from '../core/extensions.js';
import { logger } from '../runtime/logger.js';
import type { FileLibrary } from './file-library.js';

export interface IngestDeps {
  store: FileStore;
  inbox: InboxTable;
  files: FileLibrary;
  tagging: TaggingRuns;
  inspect: (bytes: Buffer) => Promise<InspectedContent>;
  defaultExtensions: Extension[];
  /** Larger objects are not read into memory: refused (a presigned upload cannot be larger anyway). */
  maxBytes: number;
}

/** Another invocation holds this event's claim right now. */
export class EventBeingHandled extends Error {
  constructor(eventId: string) {
    super(`S3 event ${eventId} is being handled by another invocation; retry later`);
    this.name = 'EventBeingHandled';
  }
}

export type IngestOutcome = 'stored' | 'ignored' | 'duplicate' | 'stale' | 'refused';

/**
 * One object that arrived in the bucket's inbox (a presigned upload, or a file another tool put under
 * ingest/) becomes a file, moved to its place and tagged as asked. Exactly once in effect: a duplicate or
 * stale event finds the object gone or different, or the event already claimed.
 */
export async function ingestObject(object: CreatedObject, deps: IngestDeps): Promise<IngestOutcome> {
  const inboxObject = classifyInboxObject(object.key);
  if (inboxObject.kind === 'ignored') return 'ignored';
  const current = await deps.store.head(object.key);
  // Gone: an earlier delivery of this event already moved it. Different: a newer PUT replaced it, and its
  // own event will handle it.
  if (!current) return 'duplicate';
  if (object.eTag && current.eTag !== object.eTag) return 'stale';
  const eventId = s3EventId(object.key, object.sequencer, object.eTag ?? current.eTag);
  const claim = await deps.inbox.claimEvent(eventId, new Date());
  if (claim === 'done') return 'duplicate';
  // Thrown, not skipped: if the other invocation fails, Lambda's retry of this one must still find work.
  if (claim === 'busy') throw new EventBeingHandled(eventId);
  try {
    const outcome = await storeObject(inboxObject, current.size, deps);
    await deps.inbox.finishEvent(eventId);
    return outcome;
  } catch (error) {
    await deps.inbox.releaseEvent(eventId).catch(() => undefined);
    throw error;
  }
}

async function storeObject(object: Exclude<InboxObject, { kind: 'ignored' }>, size: number, deps: IngestDeps): Promise<IngestOutcome> {
  let settings: UploadSettings;
  let fileId: string | undefined;
  if (object.kind === 'presigned') {
    const intent = await deps.inbox.getIntent(object.fileId);
    const refusal = presignedUploadRefusal(intent, size);
    if (refusal || !intent) {
      logger.warn('Presigned upload refused', { fileId: object.fileId, key: object.key, reason: refusal });
      await deps.store.remove([object.key]);
      if (intent?.state === 'waiting') await deps.inbox.settleIntent(object.fileId, 'refused', refusal);
      return 'refused';
    }
    settings = intent.settings;
    fileId = intent.fileId;
  } else {
    if (size > deps.maxBytes) {
      // Left where it is: it is another tool's object, and only too large for this deployment.
      logger.error('Object in ingest/ too large to store', { key: object.key, size, maxBytes: deps.maxBytes });
      return 'refused';
    }
    settings = ingestSettings(object, deps.defaultExtensions);
  }
  const bytes = Buffer.from(await deps.store.get(object.key));
  const file = await deps.files.upload({ ...settings, bytes }, await deps.inspect(bytes), fileId);
  logger.appendKeys({ fileId: file.fileId });
  logger.info('Object stored as a file', { key: object.key, filePath: file.filePath, size: file.size });
  if (settings.extensions.length) await deps.tagging.start(file.fileId, settings.extensions, settings.webhookUrl, randomUUID());
  // Last: an object still in the inbox is what makes a retry of a failed attempt do the work again.
  if (object.kind === 'presigned') await deps.inbox.settleIntent(object.fileId, 'stored');
  await deps.store.remove([object.key]);
  return 'stored';
}
