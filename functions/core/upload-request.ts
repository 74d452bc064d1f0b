import * as z from 'zod/mini';
import { ApiError, badRequest } from './errors.js';
import { parseExtensionsJson, type RequestedExtension } from './extensions.js';
import { describeFirstIssue } from './field-issues.js';
import {
  type CustomMetadata,
  checkCustomCoordinates,
  checkCustomMetadataJson,
  checkCustomMetadata,
  checkStoredName,
  checkTags,
  normalizeFolder,
  sanitizeFileName,
  WEBHOOK_URL_HELP,
} from './file-fields.js';
import { webhookUrlSchema } from './field-schemas.js';

/** A binary part of a multipart body, as the multipart parser hands it over. */
export interface FilePart {
  filename?: string;
  mimetype?: string;
  content: Buffer;
  truncated?: boolean;
}
export type MultipartValue = string | FilePart | Array<string | FilePart>;
export type MultipartFields = Record<string, MultipartValue>;

export const RESPONSE_FIELDS = ['tags', 'customCoordinates', 'isPrivateFile', 'customMetadata'] as const;
export type ResponseField = (typeof RESPONSE_FIELDS)[number];

export interface UploadRequest {
  bytes: Buffer;
  fileName: string;
  useUniqueFileName: boolean;
  folder: string;
  tags: string[] | null;
  isPrivateFile: boolean;
  customCoordinates: string | null;
  customMetadata: CustomMetadata | undefined;
  /** As sent: saved-extension references are resolved by the handler (services/saved-extensions.ts). */
  extensions: RequestedExtension[];
  webhookUrl: string | undefined;
  overwriteFile: boolean;
  overwriteAITags: boolean;
  overwriteTags: boolean;
  overwriteCustomMetadata: boolean;
  responseFields: ResponseField[];
}

/** Everything an upload asks for except the bytes: kept with a presigned upload until the bytes arrive. */
export type UploadSettings = Omit<UploadRequest, 'bytes'>;

/** Upload settings as sent, already typed, before the rules of file-fields.ts apply. */
export type RawUploadSettings = Omit<UploadSettings, 'tags' | 'customCoordinates' | 'customMetadata' | 'webhookUrl'> & {
  tags?: string[] | undefined;
  customCoordinates?: string | undefined;
  customMetadata?: CustomMetadata | undefined;
  webhookUrl?: string | undefined;
};

/** The checks every upload's settings go through, whether they came as multipart fields or as JSON. */
export function checkUploadSettings(raw: RawUploadSettings): UploadSettings {
  return {
    ...raw,
    webhookUrl: raw.webhookUrl,
    fileName: checkStoredName(sanitizeFileName(raw.fileName), raw.useUniqueFileName),
    folder: normalizeFolder(raw.folder),
    tags: checkTags(raw.tags ?? null),
    customCoordinates: checkCustomCoordinates(raw.customCoordinates ?? null),
    customMetadata: raw.customMetadata && checkCustomMetadata(raw.customMetadata),
  };
}

const UPLOAD_HELP = 'See the upload fields in docs/api.md, "Upload".';

const flag = z.pipe(
  z.enum(['true', 'false'], { error: 'must be "true" or "false"' }),
  z.transform((value: 'true' | 'false') => value === 'true'),
);
const commaList = z.pipe(
  z.union([z.string(), z.array(z.string())]),
  z.transform((value: string | string[]) =>
    (Array.isArray(value) ? value : [value])
      .flatMap((item) => item.split(','))
      .map((item) => item.trim())
      .filter(Boolean),
  ),
);

const textFieldsSchema = z.strictObject({
  fileName: z.string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a text field') }),
  useUniqueFileName: z._default(flag, true),
  folder: z._default(z.string(), '/'),
  tags: z.optional(commaList),
  isPrivateFile: z._default(flag, false),
  customCoordinates: z.optional(z.string()),
  customMetadata: z.optional(z.string()),
  extensions: z.optional(z.string()),
  webhookUrl: z.optional(webhookUrlSchema),
  overwriteFile: z._default(flag, true),
  overwriteAITags: z._default(flag, true),
  overwriteTags: z._default(flag, true),
  overwriteCustomMetadata: z._default(flag, true),
  responseFields: z.optional(commaList),
});

/** How many base64 characters can carry `maxBytes`, plus room for a `data:` prefix. */
export const base64FieldLimit = (maxBytes: number) => Math.ceil(maxBytes / 3) * 4 + 512;

/**
 * API Gateway base64-encodes the whole multipart body for Lambda, so a file sent as base64 text is encoded
 * twice: allowing it three quarters of the binary limit keeps the event inside Lambda's 6 MB payload.
 */
export const maxBase64FileBytes = (maxBytes: number) => Math.floor((maxBytes * 3) / 4);

const DATA_URI = /^data:[^,]*;base64,/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2,3})?$/;

function tooLarge(maxBytes: number): ApiError {
  return new ApiError(
    413,
    `file is larger than the ${maxBytes}-byte limit for direct uploads`,
    'Upload large files straight to S3: POST /api/v1/files/upload-url returns a presigned PUT URL (see docs/api.md, "Direct-to-S3 upload").',
  );
}

function fileBytes(value: MultipartValue | undefined, maxBytes: number): Buffer {
  if (value === undefined) throw badRequest('file is required', 'Send the file as a binary multipart part, or as a base64 string.');
  if (Array.isArray(value)) throw badRequest('file must be sent once', 'Send one file per upload request.');
  let bytes: Buffer;
  if (typeof value === 'string') {
    if (value.length >= base64FieldLimit(maxBytes)) throw tooLarge(maxBytes);
    const base64 = value.replace(DATA_URI, '').replace(/\s+/g, '').replace(/-/g, '+').replace(/_/g, '/');
    if (!BASE64.test(base64)) {
      throw badRequest(
        'file is neither a binary part nor valid base64',
        'Send the file as a binary multipart part, or its bytes as base64 (a data: URI is fine).',
      );
    }
    bytes = Buffer.from(base64, 'base64');
    const base64Limit = maxBase64FileBytes(maxBytes);
    if (bytes.length > base64Limit) {
      throw new ApiError(
        413,
        `file sent as base64 is larger than the ${base64Limit}-byte limit for base64 uploads`,
        'Send it as a binary multipart part (up to the direct upload limit), or upload it straight to S3 with POST /api/v1/files/upload-url.',
      );
    }
  } else {
    if (value.truncated) throw tooLarge(maxBytes);
    bytes = value.content;
  }
  if (bytes.length === 0) throw badRequest('file is empty', 'Send a file with at least one byte.');
  if (bytes.length > maxBytes) throw tooLarge(maxBytes);
  return bytes;
}

/** Multipart upload fields → a validated request, or a 400/413 naming the field. Stores nothing. */
export function parseUploadRequest(fields: MultipartFields, maxBytes: number): UploadRequest {
  const { file, ...rest } = fields;
  // Null-prototype: a field named __proto__ stays a field (then refused as unsupported), not a prototype.
  const textFields: Record<string, unknown> = Object.create(null);
  for (const [name, value] of Object.entries(rest)) {
    const values = Array.isArray(value) ? value : [value];
    if (Array.isArray(value) && name !== 'tags' && name !== 'responseFields') {
      throw badRequest(`${name} must be sent once`, UPLOAD_HELP);
    }
    if (values.some((item) => typeof item !== 'string')) {
      throw badRequest(`${name} must be a text field, not a file`, 'Only the file field may carry a file.');
    }
    textFields[name] = value;
  }
  const parsed = textFieldsSchema.safeParse(textFields);
  if (!parsed.success) {
    const message = describeFirstIssue(parsed.error);
    throw badRequest(message, message.startsWith('webhookUrl') ? WEBHOOK_URL_HELP : UPLOAD_HELP);
  }
  const text = parsed.data;
  const bytes = fileBytes(file, maxBytes);
  const unsupported = (text.responseFields ?? []).filter((field) => !(RESPONSE_FIELDS as readonly string[]).includes(field));
  if (unsupported.length) {
    throw badRequest(`responseFields has unsupported value(s) ${unsupported.join(', ')}`, `Supported: ${RESPONSE_FIELDS.join(', ')}.`);
  }
  return {
    bytes,
    ...checkUploadSettings({
      ...text,
      customMetadata: text.customMetadata === undefined ? undefined : checkCustomMetadataJson(text.customMetadata),
      extensions: text.extensions === undefined ? [] : parseExtensionsJson(text.extensions),
      responseFields: (text.responseFields as ResponseField[] | undefined) ?? [],
    }),
  };
}
