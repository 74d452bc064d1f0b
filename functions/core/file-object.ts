import type { ExtensionName } from './extension-names.js';
import { type AITag, type ExtensionError, type ExtensionState, type FileRecord, type FileType, flattenAITags } from './file-record.js';
import type { CustomMetadata } from './file-fields.js';
import type { ResponseField } from './upload-request.js';

/** Where a file's bytes are delivered: public URLs, or signed expiring ones for private files. */
export interface DeliveryUrls {
  url: string;
  thumbnail: string;
}

export interface FileObject {
  fileId: string;
  type: 'file';
  name: string;
  filePath: string;
  url: string;
  thumbnail: string;
  fileType: FileType;
  mime: string;
  width?: number;
  height?: number;
  size: number;
  hasAlpha: boolean;
  tags: string[] | null;
  AITags: AITag[] | null;
  /** Not in ImageKit's File: AI tag names removed by hand that no run brings back; present when non-empty. */
  rejectedAITags?: string[];
  customCoordinates: string | null;
  customMetadata: CustomMetadata;
  isPrivateFile: boolean;
  createdAt: string;
  updatedAt: string;
  extensionStatus?: Partial<Record<ExtensionName, ExtensionState>>;
  /** Not in ImageKit's File: why each `failed` extension failed (ImageKit tells only by webhook). */
  extensionErrors?: Partial<Record<ExtensionName, ExtensionError>>;
}

const hasStatus = (status: FileRecord['extensionStatus']) => Object.keys(status).length > 0;

/** Errors of the extensions that are `failed` in `status`. */
function failures(record: FileRecord, status: FileRecord['extensionStatus']): { extensionErrors?: FileRecord['extensionErrors'] } {
  const entries = Object.entries(record.extensionErrors ?? {}).filter(([name]) => status[name as ExtensionName] === 'failed');
  return entries.length ? { extensionErrors: Object.fromEntries(entries) } : {};
}

/**
 * The File object of Get and Update (ImageKit's `File`). `extensionStatus` is the record's, or the
 * statuses of the run an update just started.
 */
export function toFileObject(record: FileRecord, urls: DeliveryUrls, runStatus?: FileRecord['extensionStatus']): FileObject {
  const extensionStatus = runStatus ?? record.extensionStatus;
  return {
    fileId: record.fileId,
    type: 'file',
    name: record.name,
    filePath: record.filePath,
    url: urls.url,
    thumbnail: urls.thumbnail,
    fileType: record.fileType,
    mime: record.mime,
    ...(record.width !== undefined && { width: record.width, height: record.height }),
    size: record.size,
    hasAlpha: record.hasAlpha,
    tags: record.tags,
    AITags: flattenAITags(record.aiTags),
    ...(record.rejectedAITags?.length && { rejectedAITags: record.rejectedAITags }),
    customCoordinates: record.customCoordinates,
    customMetadata: record.customMetadata,
    isPrivateFile: record.isPrivateFile,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    ...(hasStatus(extensionStatus) && { extensionStatus, ...failures(record, extensionStatus) }),
  };
}

/** The upload response (ImageKit's `FileUploadResponse`): fewer fields, plus those asked for in `responseFields`. */
export function toUploadResponse(
  record: FileRecord,
  urls: DeliveryUrls,
  responseFields: readonly ResponseField[],
  extensionStatus: FileRecord['extensionStatus'] | undefined,
): Record<string, unknown> {
  const requested: Record<ResponseField, unknown> = {
    tags: record.tags,
    customCoordinates: record.customCoordinates,
    isPrivateFile: record.isPrivateFile,
    customMetadata: record.customMetadata,
  };
  return {
    fileId: record.fileId,
    name: record.name,
    filePath: record.filePath,
    url: urls.url,
    thumbnailUrl: urls.thumbnail,
    size: record.size,
    ...(record.width !== undefined && { width: record.width, height: record.height }),
    fileType: record.fileType,
    mime: record.mime,
    hasAlpha: record.hasAlpha,
    AITags: flattenAITags(record.aiTags),
    ...(extensionStatus && hasStatus(extensionStatus) && { extensionStatus, ...failures(record, extensionStatus) }),
    ...Object.fromEntries(responseFields.map((field) => [field, requested[field]])),
  };
}
