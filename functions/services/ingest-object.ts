import type { InspectedContent } from '../adapters/content-inspector.js';
import type { FileStore } from '../adapters/file-store.js';
import type { InboxTable, IngestProgress } from '../adapters/inbox-table.js';
import type { TaggingRuns } from './tagging-runs.js';
import {
  type CreatedObject,
  classifyInboxObject,
  type InboxObject,
  ingestSettings,
  presignedUploadRefusal,
  runIdOfEvent,
  s3EventId,
  type UploadIntent,
  type UploadSettings,
} from '../core/direct-upload.js';
import { ApiError } from '../core/errors.js';
import type { RequestedExtension, RunExtension } from '../core/extensions.js';
import type { FileRecord } from '../core/file-record.js';
import { logger } from '../runtime/logger.js';
import type { FileLibrary } from './file-library.js';

export interface IngestDeps {
  store: FileStore;
  inbox: InboxTable;
  files: FileLibrary;
  tagging: TaggingRuns;
  inspect: (bytes: Buffer) => Promise<InspectedContent>;
  /** For objects other tools write under ingest/; saved-extension references resolved as each object arrives. */
  defaultExtensions: RequestedExtension[];
  resolveExtensions: (requested: readonly RequestedExtension[]) => Promise<RunExtension[]>;
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
  if (inboxObject.kind === 'ignored') {
    if (inboxObject.reason)
      logger.warn('Object in ingest/ not stored: its path is not one aitags stores', { key: object.key, reason: inboxObject.reason });
    return 'ignored';
  }
  const current = await deps.store.head(object.key);
  // Gone: an earlier delivery of this event already moved it. Different: a newer PUT replaced it, and its
  // own event will handle it.
  if (!current) return 'duplicate';
  if (object.eTag && current.eTag !== object.eTag) return 'stale';
  const eventId = s3EventId(object.key, object.sequencer, object.eTag ?? current.eTag);
  const claim = await deps.inbox.claimEvent(eventId, new Date());
  if (claim.kind === 'done') return 'duplicate';
  // Thrown, not skipped: if the other invocation fails, Lambda's retry of this one must still find work.
  if (claim.kind === 'busy') throw new EventBeingHandled(eventId);
  try {
    const outcome = await storeObject(inboxObject, { eventId, size: current.size, progress: claim.progress }, deps);
    await deps.inbox.finishEvent(eventId);
    return outcome;
  } catch (error) {
    await deps.inbox.releaseEvent(eventId).catch(() => undefined);
    throw error;
  }
}

interface Arrival {
  eventId: string;
  size: number;
  /** What an earlier attempt at this same event already did. */
  progress: IngestProgress;
}

async function storeObject(object: Exclude<InboxObject, { kind: 'ignored' }>, arrival: Arrival, deps: IngestDeps): Promise<IngestOutcome> {
  const { eventId, size, progress } = arrival;
  let settings: UploadSettings;
  let fileId: string | undefined;
  if (object.kind === 'presigned') {
    const intent = await deps.inbox.getIntent(object.uploadId);
    const refusal = presignedUploadRefusal(intent, size, eventId);
    if (refusal || !intent) return refuse(object, intent, refusal ?? 'no intent', deps);
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
  let extensions: RunExtension[];
  try {
    // A presigned upload's were resolved when its URL was asked for (nothing to read); the defaults now.
    extensions = await deps.resolveExtensions(settings.extensions);
  } catch (error) {
    // A default that refers to a saved extension that does not exist: the object stays where it is, reported.
    if (error instanceof ApiError && error.status < 500) return refuse(object, undefined, error.message, deps);
    throw error;
  }
  if (!progress.stage) {
    let file: FileRecord;
    try {
      const bytes = Buffer.from(await deps.store.get(object.key));
      file = await deps.files.upload({ ...settings, bytes }, await deps.inspect(bytes), { fileId });
    } catch (error) {
      // A rule the request could not be checked against before the bytes came (e.g. a metadata merge too large).
      if (error instanceof ApiError && error.status < 500) return refuse(object, undefined, error.message, deps);
      throw error;
    }
    fileId = file.fileId;
    logger.appendKeys({ fileId });
    logger.info('Object stored as a file', { key: object.key, filePath: file.filePath, size: file.size });
    await deps.inbox.recordProgress(eventId, { fileId, stage: 'stored' });
  } else {
    fileId = progress.fileId;
    logger.appendKeys({ fileId });
    logger.info('Retry of an event whose object is already stored', { key: object.key, stage: progress.stage });
  }
  if (!fileId) throw new Error(`S3 event ${eventId} has progress without a fileId`);
  if (extensions.length && progress.stage !== 'tagging-started') {
    // Under ingest/, nobody waits: tagged at the background pace, shared with tagging jobs. A presigned
    // upload is someone's upload, and runs at once as an API upload's does.
    await deps.tagging.start(fileId, extensions, settings.webhookUrl, runIdOfEvent(eventId), object.kind !== 'presigned');
    await deps.inbox.recordProgress(eventId, { fileId, stage: 'tagging-started' });
  }
  // Last: an object still in the inbox is what makes a retry of a failed attempt do the work again.
  if (object.kind === 'presigned') await deps.inbox.settleIntent(object.uploadId, { state: 'stored', eventId });
  await deps.store.remove([object.key]);
  return 'stored';
}

/** An object that will not be stored: a presigned upload's object is deleted and its intent says why. */
async function refuse(object: InboxObject, intent: UploadIntent | undefined, reason: string, deps: IngestDeps): Promise<IngestOutcome> {
  logger.warn('Uploaded object refused', { key: object.key, reason });
  // An object under ingest/ is another tool's: it stays where it is, reported.
  if (object.kind !== 'presigned') return 'refused';
  await deps.store.remove([object.key]);
  if (intent === undefined || intent.state === 'waiting') {
    await deps.inbox.settleIntent(object.uploadId, { state: 'refused', reason }).catch(() => undefined);
  }
  return 'refused';
}
