import { resolveExtensions } from '../../../functions/core/saved-extensions.js';
import { describe, expect, it, vi } from 'vitest';
import type { EventClaim, InboxTable, IngestProgress } from '../../../functions/adapters/inbox-table.js';
import { runIdOfEvent, s3EventId, type UploadIntent } from '../../../functions/core/direct-upload.js';
import { logger } from '../../../functions/runtime/logger.js';
import type { FileLibrary } from '../../../functions/services/file-library.js';
import { ingestObject, type IngestDeps } from '../../../functions/services/ingest-object.js';
import type { TaggingRuns } from '../../../functions/services/tagging-runs.js';
import { fileRecord, jpegFacts, uploadRequest } from '../../support/sample-files.js';

const UPLOAD_ID = 'abcdefabcdefabcdefabcdef';
const KEY = `uploads/${UPLOAD_ID}/beach.jpg`;
const extension = { name: 'aws-auto-tagging' as const, minConfidence: 80, maxTags: 5 };

/** An inbox with one presigned upload and the claim semantics of the DynamoDB adapter. */
function inbox(intent: UploadIntent) {
  const claims = new Map<string, { state: string; progress: IngestProgress }>();
  const fake = {
    getIntent: async () => intent,
    settleIntent: vi.fn(async (_: string, settled: { state: UploadIntent['state']; eventId?: string }) => {
      intent.state = settled.state;
      if (settled.eventId) intent.eventId = settled.eventId;
    }),
    claimEvent: async (eventId: string): Promise<EventClaim> => {
      const claim = claims.get(eventId);
      if (claim?.state === 'done') return { kind: 'done' };
      if (claim?.state === 'processing') return { kind: 'busy' };
      claims.set(eventId, { state: 'processing', progress: claim?.progress ?? {} });
      return { kind: 'claimed', progress: claim?.progress ?? {} };
    },
    recordProgress: async (eventId: string, progress: IngestProgress) => {
      const claim = claims.get(eventId);
      if (claim) claim.progress = progress;
    },
    finishEvent: async (eventId: string) => {
      const claim = claims.get(eventId);
      if (claim) claim.state = 'done';
    },
    releaseEvent: async (eventId: string) => {
      const claim = claims.get(eventId);
      if (claim) claim.state = 'failed';
    },
  };
  return fake as unknown as InboxTable;
}

function setUp() {
  const bytes = Buffer.from('jpeg bytes');
  const intent: UploadIntent = {
    uploadId: UPLOAD_ID,
    fileId: '65f1c0ffee0000000000abcd',
    settings: { ...uploadRequest({ extensions: [extension] }), bytes: undefined } as unknown as UploadIntent['settings'],
    size: bytes.length,
    contentType: 'image/jpeg',
    expiresAt: '2030-01-01T00:00:00.000Z',
    state: 'waiting',
  };
  let objectThere = true;
  let failRemoveOnce = true;
  const upload = vi.fn(async () => fileRecord({ fileId: intent.fileId }));
  const start = vi.fn(async () => undefined);
  const deps: IngestDeps = {
    store: {
      put: async () => undefined,
      get: async () => bytes,
      head: async () => (objectThere ? { size: bytes.length, eTag: 'etag-1' } : undefined),
      remove: async () => {
        if (failRemoveOnce) {
          failRemoveOnce = false;
          throw new Error('S3 is having a moment');
        }
        objectThere = false;
      },
    },
    inbox: inbox(intent),
    files: { upload } as unknown as FileLibrary,
    tagging: { start } as unknown as TaggingRuns,
    inspect: async () => ({ facts: jpegFacts, thumbnail: undefined }),
    defaultExtensions: [],
    resolveExtensions: async (requested) => resolveExtensions(requested, () => undefined),
    maxBytes: 1024,
  };
  return { deps, upload, start, intent, bytes };
}

const created = { key: KEY, size: 10, eTag: 'etag-1', sequencer: '0A1' };

describe('ingestObject', () => {
  it('picks a retried event up where the failed attempt stopped: one stored file, one tagging run', async () => {
    const { deps, upload, start } = setUp();
    await expect(ingestObject(created, deps)).rejects.toThrow('S3 is having a moment');
    expect(await ingestObject(created, deps)).toBe('stored');
    expect(upload).toHaveBeenCalledTimes(1);
    expect(start).toHaveBeenCalledTimes(1);
    // A presigned upload is someone's upload: not paced (false), as an API upload.
    expect(start.mock.calls[0]).toEqual(['65f1c0ffee0000000000abcd', [extension], undefined, runIdOfEvent(s3EventId(KEY, '0A1', 'etag-1')), false]);
  });

  it('refuses a second object PUT to an upload URL already used, storing and tagging nothing more', async () => {
    const { deps, upload, start } = setUp();
    await ingestObject(created, deps).catch(() => undefined);
    await ingestObject(created, deps);
    const again = { ...created, sequencer: '0A2' };
    const head = deps.store.head;
    deps.store.head = async () => ({ size: 10, eTag: 'etag-1' });
    expect(await ingestObject(again, deps)).toBe('refused');
    deps.store.head = head;
    expect(upload).toHaveBeenCalledTimes(1);
    expect(start).toHaveBeenCalledTimes(1);
  });

  it('leaves an object under ingest/ whose folder name is too long where it is, saying why, without failing', async () => {
    // Prepare
    const { deps, upload } = setUp();
    const warned = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const key = `ingest/${'f'.repeat(256)}/a.jpg`;

    // Act
    const outcome = await ingestObject({ ...created, key }, deps);

    // Assess
    expect(outcome).toBe('ignored');
    expect(upload).not.toHaveBeenCalled();
    expect(warned).toHaveBeenCalledWith('Object in ingest/ not stored: its path is not one aitags stores', {
      key,
      reason: `folder: the folder name "${'f'.repeat(40)}…" is 256 characters long; a folder name may be at most 255`,
    });
    warned.mockRestore();
  });
});
