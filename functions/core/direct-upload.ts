import { createHash, randomBytes } from 'node:crypto';
import * as z from 'zod/mini';
import { ApiError } from './errors.js';
import { extensionsSchema } from './extensions.js';
import { jsonBodyError } from './json-body.js';
import { checkStoredName, normalizeFolder, sanitizeFileName } from './file-fields.js';
import { customMetadataSchema, webhookUrlSchema } from './field-schemas.js';
import { checkUploadSettings, type UploadSettings } from './upload-request.js';

export type { UploadSettings };

export interface DirectUploadRequest {
  settings: UploadSettings;
  size: number;
  contentType: string;
}

/** Where presigned uploads land (`uploads/<fileId>/<name>`) and where other tools drop files (`ingest/…`). */
export const UPLOADS_PREFIX = 'uploads/';
export const INGEST_PREFIX = 'ingest/';
export const PRESIGNED_UPLOAD_SECONDS = 15 * 60;

const DIRECT_UPLOAD_HELP =
  'POST /api/v1/files/upload-url takes JSON: fileName, size (bytes), and optionally contentType, folder, tags, isPrivateFile, customCoordinates, customMetadata, extensions, webhookUrl, useUniqueFileName, overwriteFile, overwriteAITags, overwriteTags, overwriteCustomMetadata.';

const flag = z.boolean({ error: 'must be true or false' });

const directUploadSchema = z.strictObject(
  {
    fileName: z.string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') }),
    size: z
      .number({
        error: (issue) => (issue.input === undefined ? 'is required (the exact number of bytes you will PUT)' : 'must be a number of bytes'),
      })
      .check(
        z.refine(Number.isInteger, { error: 'must be a whole number of bytes', abort: true }),
        z.minimum(1, { error: 'must be at least 1 byte' }),
      ),
    contentType: z._default(
      z.string().check(z.regex(/^[\w.+-]+\/[\w.+-]+$/, { error: 'must be a MIME type such as image/jpeg' })),
      'application/octet-stream',
    ),
    folder: z._default(z.string(), '/'),
    tags: z.optional(
      z.union(
        [
          z.array(z.string()),
          z.pipe(
            z.string(),
            z.transform((text: string) => text.split(',')),
          ),
        ],
        { error: 'must be an array of strings' },
      ),
    ),
    isPrivateFile: z._default(flag, false),
    customCoordinates: z.optional(z.string()),
    customMetadata: z.optional(customMetadataSchema),
    extensions: z._default(extensionsSchema, []),
    webhookUrl: z.optional(webhookUrlSchema),
    useUniqueFileName: z._default(flag, true),
    overwriteFile: z._default(flag, true),
    overwriteAITags: z._default(flag, true),
    overwriteTags: z._default(flag, true),
    overwriteCustomMetadata: z._default(flag, true),
  },
  { error: 'must be a JSON object' },
);

/** The upload-url JSON body → settings kept for the upload, or a 400 naming the field; 413 over `maxBytes`. */
export function parseDirectUploadRequest(body: unknown, maxBytes: number): DirectUploadRequest {
  const parsed = directUploadSchema.safeParse(body);
  if (!parsed.success) throw jsonBodyError(parsed.error, DIRECT_UPLOAD_HELP);
  const { size, contentType, ...settings } = parsed.data;
  if (size > maxBytes) {
    throw new ApiError(
      413,
      `size ${size} is over the ${maxBytes}-byte limit for direct uploads`,
      'Compress or split the file; the deployment sets the limit (AITAGS_MAX_S3_UPLOAD_BYTES).',
    );
  }
  return { size, contentType, settings: checkUploadSettings({ ...settings, responseFields: [] }) };
}

/**
 * A presigned upload: what it asked for, kept until the object arrives. Keyed by its own upload id, so two
 * requests for one path never share an intent; bound to the first object that arrives for it.
 */
export interface UploadIntent {
  uploadId: string;
  fileId: string;
  settings: UploadSettings;
  size: number;
  contentType: string;
  expiresAt: string;
  state: 'waiting' | 'stored' | 'refused';
  reason?: string;
  /** The S3 event (and so the object: key, sequencer, ETag) the upload was stored from. */
  eventId?: string;
}

/** Why the object that arrived for a presigned upload is not stored, or undefined to store it. */
export function presignedUploadRefusal(intent: UploadIntent | undefined, size: number, eventId: string): string | undefined {
  if (!intent) return 'no upload was requested for this key (or its request expired)';
  if (intent.state === 'refused') return 'this upload was already refused';
  // The URL stays valid for 15 minutes: a second PUT to it must not store the file again, nor pay for tagging again.
  if (intent.state === 'stored' && intent.eventId !== eventId) return 'this upload URL was already used by an earlier object';
  if (size !== intent.size) return `the object has ${size} bytes but ${intent.size} were declared`;
  return undefined;
}

/** A fresh id per presigned upload: names its intent and its inbox key. */
export const newUploadId = () => randomBytes(12).toString('hex');

export const uploadObjectKey = (uploadId: string, fileName: string) => `${UPLOADS_PREFIX}${uploadId}/${fileName}`;

/**
 * S3 event keys are URL-encoded with `+` for spaces; this is the one place they are decoded (the local
 * runtime encodes s3rver's raw keys the same way before handing them over).
 */
export function decodeS3Key(raw: string): string {
  return decodeURIComponent(raw.replace(/\+/g, ' '));
}

/** The inverse, as S3 writes keys into event records. */
export function encodeS3Key(key: string): string {
  return encodeURIComponent(key).replace(/%20/g, '+').replace(/%2F/g, '/');
}

export type InboxObject =
  | { kind: 'presigned'; uploadId: string; key: string }
  | { kind: 'ingest'; key: string; folder: string; fileName: string }
  /** `reason`: why an object under ingest/ has no path aitags stores. */
  | { kind: 'ignored'; key: string; reason?: string };

/** What a created object is: a presigned upload, a file dropped into the ingest prefix, or neither. */
export function classifyInboxObject(key: string): InboxObject {
  const presigned = new RegExp(`^${UPLOADS_PREFIX}([0-9a-f]{24})/[^/]+$`).exec(key);
  if (presigned?.[1]) return { kind: 'presigned', uploadId: presigned[1], key };
  if (key.startsWith(INGEST_PREFIX) && !key.endsWith('/')) {
    const path = key.slice(INGEST_PREFIX.length);
    const slash = path.lastIndexOf('/');
    try {
      const fileName = checkStoredName(sanitizeFileName(path.slice(slash + 1)), false);
      return { kind: 'ingest', key, folder: normalizeFolder(path.slice(0, slash + 1)), fileName };
    } catch (error) {
      // e.g. a `..` segment or a name too long: not a path aitags will store
      if (error instanceof ApiError) return { kind: 'ignored', key, reason: error.message };
      throw error;
    }
  }
  return { kind: 'ignored', key };
}

/** Settings for a file dropped into the ingest prefix: its path kept, replaced on re-upload, default extensions. */
export function ingestSettings(object: Extract<InboxObject, { kind: 'ingest' }>, defaultExtensions: UploadSettings['extensions']): UploadSettings {
  return {
    fileName: object.fileName,
    useUniqueFileName: false,
    folder: object.folder,
    tags: null,
    isPrivateFile: false,
    customCoordinates: null,
    customMetadata: undefined,
    extensions: defaultExtensions,
    webhookUrl: undefined,
    overwriteFile: true,
    overwriteAITags: true,
    overwriteTags: false,
    overwriteCustomMetadata: false,
    responseFields: [],
  };
}

/**
 * S3 delivers events at least once and out of order. One PUT of one key is identified by the key, the
 * event's sequencer (unique per PUT of a key) and the ETag of the bytes.
 */
export const s3EventId = (key: string, sequencer: string | undefined, eTag: string | undefined) => `${key}#${sequencer ?? '-'}#${eTag ?? '-'}`;

/**
 * The tagging run (and so the execution name) an S3 event starts: derived from the event, so a retried
 * invocation finds the execution it already started instead of paying the providers twice.
 */
export function runIdOfEvent(eventId: string): string {
  const hex = createHash('sha256').update(eventId).digest('hex');
  return `s3-${hex.slice(0, 32)}`;
}

/** The parts of one S3 ObjectCreated record ingesting needs (key already decoded). */
export interface CreatedObject {
  key: string;
  size: number | undefined;
  eTag: string | undefined;
  sequencer: string | undefined;
}

/** The fields of an S3 notification event that ingesting reads; anything else S3 sends is ignored. */
export const s3EventSchema = z.object({
  Records: z.array(
    z.object({
      eventName: z.string(),
      s3: z.object({
        object: z.object({ key: z.string(), size: z.optional(z.number()), eTag: z.optional(z.string()), sequencer: z.optional(z.string()) }),
      }),
    }),
  ),
});

/** The objects an S3 event reports created, keys decoded. */
export function createdObjects(event: z.infer<typeof s3EventSchema>): CreatedObject[] {
  return event.Records.filter((record) => record.eventName.startsWith('ObjectCreated:')).map(({ s3: { object } }) => ({
    key: decodeS3Key(object.key),
    size: object.size,
    eTag: object.eTag,
    sequencer: object.sequencer,
  }));
}
