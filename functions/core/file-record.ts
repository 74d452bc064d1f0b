import { badRequest } from './errors.js';
import { EXTENSION_NAMES, type ExtensionName } from './extension-names.js';
import type { DetailsChange } from './details-change.js';
import { type CustomMetadata, checkCustomMetadata, checkTags } from './file-fields.js';
import type { UploadRequest } from './upload-request.js';

export interface AITag {
  name: string;
  confidence: number;
  source: ExtensionName;
}
export type ExtensionState = 'success' | 'failed' | 'pending';
/** As in ImageKit's FAILURE webhook: `message` for people, `reason` a stable code. */
export interface ExtensionError {
  message: string;
  reason: string;
}
export type FileType = 'image' | 'non-image';

/** One extension's final status, as a tagger (or the failure recorder) reports it. */
export interface ExtensionOutcome {
  name: ExtensionName;
  status: Exclude<ExtensionState, 'pending'>;
  tagCount?: number;
  error?: ExtensionError;
}

/** Written when a caller with a webhookUrl was told an extension is still `pending`. */
export interface PendingWebhook {
  runId: string;
  url: string;
  eventId: string;
}

export interface WebhookAttemptRecord {
  at: string;
  status?: number;
  error?: string;
  durationMs: number;
}

/** One event's delivery, as its own item records it. */
export interface WebhookDelivery {
  service: ExtensionName;
  url: string;
  state: 'pending' | 'delivered' | 'failed';
  attempts: WebhookAttemptRecord[];
  /** Set when the reconciler gave the event up: the executions delivering it were lost (reason WORKFLOW_LOST). */
  givenUp?: { at: string; reason: string };
}

/** What the bytes turned out to be: read from the content, never from the file name. */
export interface ContentFacts {
  size: number;
  mime: string;
  fileType: FileType;
  width?: number;
  height?: number;
  hasAlpha: boolean;
  hasThumbnail: boolean;
}

/** One file as the table keeps it. `version` grows by one on every write (optimistic locking). */
export interface FileRecord extends ContentFacts {
  fileId: string;
  version: number;
  name: string;
  filePath: string;
  isPrivateFile: boolean;
  tags: string[] | null;
  customCoordinates: string | null;
  customMetadata: CustomMetadata;
  /** Tags per extension: a new run of one extension replaces its own entry only. */
  aiTags: Partial<Record<ExtensionName, AITag[]>>;
  extensionStatus: Partial<Record<ExtensionName, ExtensionState>>;
  /** The run each extension's latest status belongs to: a result from an older run is dropped. */
  extensionRuns: Partial<Record<ExtensionName, string>>;
  /** Why an extension failed, for those whose status is `failed`. */
  extensionErrors: Partial<Record<ExtensionName, ExtensionError>>;
  /**
   * Events owed to callers that were told `pending`, keyed by event id (one per run and extension), until
   * their delivery is final; the deliveries themselves are items of their own (adapters/webhook-deliveries).
   */
  pendingWebhooks: Record<string, PendingWebhook>;
  /**
   * AI tag names removed from this file by hand (not refreshed by a re-run): no later run keeps a tag of
   * one of these names. Absent when there are none.
   */
  rejectedAITags?: string[];
  createdAt: string;
  updatedAt: string;
}

export function newFileRecord(fileId: string, filePath: string, request: UploadRequest, content: ContentFacts, now: string): FileRecord {
  return {
    ...content,
    fileId,
    version: 1,
    name: filePath.slice(filePath.lastIndexOf('/') + 1),
    filePath,
    isPrivateFile: request.isPrivateFile,
    tags: request.tags,
    customCoordinates: request.customCoordinates,
    customMetadata: request.customMetadata ?? {},
    aiTags: {},
    extensionStatus: {},
    extensionRuns: {},
    extensionErrors: {},
    pendingWebhooks: {},
    createdAt: now,
    updatedAt: now,
  };
}

/** A tagging run that an upload starts in the record it writes (rather than with a write of its own after it). */
export interface StartingRun {
  runId: string;
  names: readonly ExtensionName[];
}

/** `record` with `run`'s extensions pending in it, as the table's startRun leaves them (the version is the writer's). */
export function withRunStarted(record: FileRecord, run: StartingRun): FileRecord {
  const errors = { ...record.extensionErrors };
  for (const name of run.names) delete errors[name];
  return {
    ...record,
    extensionStatus: { ...record.extensionStatus, ...Object.fromEntries(run.names.map((name) => [name, 'pending' as const])) },
    extensionRuns: { ...record.extensionRuns, ...Object.fromEntries(run.names.map((name) => [name, run.runId])) },
    extensionErrors: errors,
  };
}

/** Refuses an upload to a path that already holds a file, unless it may overwrite it. */
export function ensureOverwriteAllowed(filePath: string, overwriteFile: boolean): void {
  if (!overwriteFile) {
    throw badRequest(
      `A file already exists at ${filePath}`,
      'Send overwriteFile=true to replace it, or useUniqueFileName=true to store this one under a new name.',
    );
  }
}

/** A re-upload to an existing `filePath`: same fileId, new bytes, the `overwrite*` flags decide what stays. */
export function overwriteFileRecord(existing: FileRecord, request: UploadRequest, content: ContentFacts, now: string): FileRecord {
  ensureOverwriteAllowed(existing.filePath, request.overwriteFile);
  return {
    ...existing,
    ...content,
    // A non-image has no dimensions: the old image's must not survive the spread.
    width: content.width,
    height: content.height,
    // New bytes are another picture: what was rejected on the old one does not carry over.
    rejectedAITags: undefined,
    isPrivateFile: request.isPrivateFile,
    tags: request.overwriteTags ? request.tags : checkTags(unionTags(existing.tags, request.tags)),
    customCoordinates: request.customCoordinates,
    // A merge can outgrow what each side was checked for on its own.
    customMetadata: request.overwriteCustomMetadata
      ? (request.customMetadata ?? {})
      : checkCustomMetadata({ ...existing.customMetadata, ...request.customMetadata }),
    aiTags: request.overwriteAITags ? {} : existing.aiTags,
    extensionStatus: request.overwriteAITags ? {} : existing.extensionStatus,
    extensionRuns: request.overwriteAITags ? {} : existing.extensionRuns,
    extensionErrors: request.overwriteAITags ? {} : existing.extensionErrors,
    updatedAt: now,
  };
}

function unionTags(a: string[] | null, b: string[] | null): string[] | null {
  const all = [...(a ?? []), ...(b ?? [])];
  return all.length ? [...new Set(all)] : null;
}

/** All AI tags of a file, grouped by source in a fixed order; `null` when there are none (as ImageKit). */
export function flattenAITags(aiTags: FileRecord['aiTags']): AITag[] | null {
  const all = EXTENSION_NAMES.flatMap((source) => aiTags[source] ?? []);
  return all.length ? all : null;
}

/** Where the bytes live in the bucket; public files sit under the prefix the CDN serves. */
export function objectKeys(record: Pick<FileRecord, 'filePath' | 'isPrivateFile' | 'hasThumbnail'>): {
  original: string;
  thumbnail: string | undefined;
} {
  const visibility = record.isPrivateFile ? 'private' : 'public';
  return {
    original: `${visibility}${record.filePath}`,
    thumbnail: record.hasThumbnail ? `${visibility}/${THUMBNAIL_SEGMENT}${record.filePath}` : undefined,
  };
}

/** ImageKit's own thumbnail transformation name; `:` never occurs in a sanitized folder or file name. */
export const THUMBNAIL_SEGMENT = 'tr:n-ik_ml_thumbnail';

/** The most AI tag names one file may have rejected. */
export const MAX_REJECTED_AI_TAGS = 200;

/** A list of rejected names: trimmed, blanks dropped, one per name case-insensitively (the first spelling), at most 200. */
export function checkRejectedAITags(names: readonly string[]): string[] | undefined {
  const seen = new Set<string>();
  const kept = names
    .map((name) => name.trim())
    .filter((name) => {
      const key = name.toLowerCase();
      if (!name || seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  if (kept.length > MAX_REJECTED_AI_TAGS)
    throw badRequest(
      `rejectedAITags would hold ${kept.length} names; a file keeps at most ${MAX_REJECTED_AI_TAGS}`,
      'Allow some names again (PATCH rejectedAITags with a shorter list), or exclude the label for the whole library in the tag policy.',
    );
  return kept.length ? kept : undefined;
}

/** Whether a PATCH-like change records its removed AI tag names as rejected: named ones, removed without re-running extensions. */
function rejectsRemovedTags(change: DetailsChange): change is DetailsChange & { removeAITags: string[] } {
  return Array.isArray(change.removeAITags) && change.removeAITags.length > 0 && !change.extensions?.length;
}

/**
 * The record after a PATCH. `customMetadata` merges key by key (a `null` value removes that key, as in
 * ImageKit); `removeAITags` drops tags by name, case-insensitively, across every source. Names removed
 * without re-running extensions are remembered as rejected (unless `rememberRejections` is off);
 * `rejectedAITags` replaces the list first.
 */
export function applyDetailsChange(record: FileRecord, change: DetailsChange, now: string, rememberRejections = true): FileRecord {
  const next: FileRecord = { ...record, updatedAt: now };
  if (change.rejectedAITags !== undefined) next.rejectedAITags = checkRejectedAITags(change.rejectedAITags);
  if (rememberRejections && rejectsRemovedTags(change)) {
    next.rejectedAITags = checkRejectedAITags([...(next.rejectedAITags ?? []), ...change.removeAITags]);
  }
  if (change.tags !== undefined) next.tags = change.tags;
  if (change.customCoordinates !== undefined) next.customCoordinates = change.customCoordinates;
  if (change.customMetadata !== undefined) {
    const merged = { ...record.customMetadata, ...change.customMetadata };
    next.customMetadata = checkCustomMetadata(Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== null)));
  }
  if (change.removeAITags === 'all') {
    next.aiTags = {};
  } else if (change.removeAITags?.length) {
    const drop = new Set(change.removeAITags.map((name) => name.toLowerCase()));
    next.aiTags = Object.fromEntries(
      Object.entries(record.aiTags).map(([source, tags]) => [source, tags.filter((tag) => !drop.has(tag.name.toLowerCase()))]),
    );
  }
  return next;
}

/** Bulk addTags: `tags` joined to the file's own tags (AI tags untouched), within upload's limits. */
export function addUserTags(record: FileRecord, tags: readonly string[], now: string): FileRecord {
  return { ...record, tags: checkTags(unionTags(record.tags, [...tags])), updatedAt: now };
}

/** Bulk removeTags: the file's own tags equal to one of `tags` are dropped (tags are case-sensitive, as stored). */
export function removeUserTags(record: FileRecord, tags: readonly string[], now: string): FileRecord {
  const drop = new Set(tags);
  const kept = (record.tags ?? []).filter((tag) => !drop.has(tag));
  return { ...record, tags: kept.length ? kept : null, updatedAt: now };
}

/** One extension's result as the table writes it in one update (adapters/file-table.ts recordOutcome). */
export type ExtensionResult = { status: 'success'; tags: AITag[] } | { status: 'failed'; error: ExtensionError };

/**
 * The record after `name`'s result lands: success replaces that source's tags only and clears its
 * error; failure keeps its tags. Mirrors the table's update expression, which applies it atomically.
 */
export function applyExtensionResult(record: FileRecord, name: ExtensionName, result: ExtensionResult, now: string): FileRecord {
  const { [name]: _error, ...otherErrors } = record.extensionErrors ?? {};
  return {
    ...record,
    aiTags: result.status === 'success' ? { ...record.aiTags, [name]: result.tags } : record.aiTags,
    extensionStatus: { ...record.extensionStatus, [name]: result.status },
    extensionErrors: result.status === 'success' ? otherErrors : { ...otherErrors, [name]: result.error },
    updatedAt: now,
    version: record.version + 1,
  };
}
