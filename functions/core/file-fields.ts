import { badRequest } from './errors.js';

/** Rules shared by upload and update: names, folders, tags, coordinates, metadata, webhook URLs. */

const SAFE_NAME_CHAR = /[^A-Za-z0-9._-]/g;
export const MAX_TAGS_CHARS = 500;

export function sanitizeFileName(fileName: string): string {
  if (fileName.length < 1 || fileName.length > 255) {
    throw badRequest('fileName must be 1 to 255 characters long', 'Send the file name without a folder, e.g. fileName=photo.jpg.');
  }
  if (fileName.includes('/')) {
    throw badRequest('fileName must not contain "/"', 'Put the folder in the folder field, e.g. folder=/holidays/ and fileName=photo.jpg.');
  }
  const name = fileName.replace(SAFE_NAME_CHAR, '_');
  if (/^\.+$/.test(name)) throw badRequest('fileName must not consist of dots only', 'Send a file name such as photo.jpg.');
  return name;
}

/** Folder plus file name: leaves room in an S3 key (1,024 bytes) for the prefixes and the unique suffix. */
export const MAX_FOLDER_CHARS = 700;

/** `a//b/` → `/a/b/`; a `..` segment is refused, `.` segments are dropped. */
export function normalizeFolder(folder: string): string {
  const segments = folder.split('/').filter((segment) => segment !== '' && segment !== '.');
  if (segments.includes('..')) {
    throw badRequest('folder must not contain a ".." segment', 'Send an absolute folder path such as /products/shoes/.');
  }
  const safe = segments.map((segment) => segment.replace(SAFE_NAME_CHAR, '_'));
  const normalized = safe.length ? `/${safe.join('/')}/` : '/';
  if (normalized.length > MAX_FOLDER_CHARS) {
    throw badRequest(`folder must be at most ${MAX_FOLDER_CHARS} characters long`, 'Use a shorter folder path.');
  }
  return normalized;
}

/** `photo.jpg` + `k3J9x_2a` → `photo_k3J9x_2a.jpg`. */
export function withUniqueSuffix(name: string, suffix: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? `${name.slice(0, dot)}_${suffix}${name.slice(dot)}` : `${name}_${suffix}`;
}

export function checkTags(tags: string[] | null, field = 'tags'): string[] | null {
  if (tags === null) return null;
  const clean = tags.map((tag) => tag.trim()).filter((tag) => tag !== '');
  if (clean.join(',').length > MAX_TAGS_CHARS) {
    throw badRequest(`${field} must be at most ${MAX_TAGS_CHARS} characters in all`, 'Send fewer or shorter tags.');
  }
  return clean.length ? [...new Set(clean)] : null;
}

const COORDINATES = /^\d+,\d+,\d+,\d+$/;
/** `x,y,width,height` of non-negative integers; an empty string clears them. */
export function checkCustomCoordinates(value: string | null): string | null {
  if (value === null || value.trim() === '') return null;
  const compact = value.replace(/\s+/g, '');
  if (!COORDINATES.test(compact)) {
    throw badRequest(
      `customCoordinates must be "x,y,width,height" of non-negative integers (got ${JSON.stringify(value)})`,
      'For example customCoordinates=10,10,100,120.',
    );
  }
  return compact;
}

export type CustomMetadata = Record<string, unknown>;

/** Keeps a file's record well inside DynamoDB's 400 KB item limit. */
export const MAX_CUSTOM_METADATA_CHARS = 10_000;

export function checkCustomMetadataSize(metadata: CustomMetadata): CustomMetadata {
  if (JSON.stringify(metadata).length > MAX_CUSTOM_METADATA_CHARS) {
    throw badRequest(
      `customMetadata must be at most ${MAX_CUSTOM_METADATA_CHARS} characters as JSON`,
      'Keep large data elsewhere and store a reference.',
    );
  }
  return metadata;
}

export function checkCustomMetadataJson(text: string): CustomMetadata {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw badRequest('customMetadata is not valid JSON', 'Send customMetadata as a JSON object, e.g. {"brand":"acme"}.');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw badRequest('customMetadata must be a JSON object', 'Send customMetadata as a JSON object, e.g. {"brand":"acme"}.');
  }
  return checkCustomMetadataSize(value as CustomMetadata);
}

export const WEBHOOK_URL_HELP = 'Send an absolute http:// or https:// URL that accepts POST requests.';
