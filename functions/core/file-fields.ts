import { badRequest } from './errors.js';
import { oversizedTagBytes, oversizedTagText, TAG_BYTES_HELP, utf8Bytes } from './table-keys.js';

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

/**
 * Folder plus file name: leaves room in an S3 key (1,024 bytes) for the prefixes, and keeps a path claim's
 * index sort key (the path, at most 700 + 233 bytes: names are ASCII once sanitized) within 1,024 bytes.
 */
export const MAX_FOLDER_CHARS = 700;

/**
 * One folder name: the local S3 server keeps each folder as a directory, and file systems hold a name in
 * 255 bytes. A sanitized name is ASCII, so its characters are its bytes.
 */
export const MAX_FOLDER_NAME_BYTES = 255;

/**
 * A file's name as stored (with its unique suffix): the local S3 server keeps an object in files named
 * `<name>._S3rver_metadata.json` and the like, up to 22 bytes more, within the 255 of a file system.
 */
export const MAX_STORED_NAME_BYTES = 233;

/** A long name as a message quotes it: its first 40 characters and `…`. */
const shortened = (name: string) => (name.length > 40 ? `${name.slice(0, 40)}…` : name);

/** `a//b/` → `/a/b/`; a `..` segment is refused, `.` segments are dropped. `field` names the value in a refusal. */
export function normalizeFolder(folder: string, field = 'folder'): string {
  const segments = folder.split('/').filter((segment) => segment !== '' && segment !== '.');
  if (segments.includes('..')) {
    throw badRequest(`${field} must not contain a ".." segment`, 'Send an absolute folder path such as /products/shoes/.');
  }
  const safe = segments.map((segment) => segment.replace(SAFE_NAME_CHAR, '_'));
  const normalized = safe.length ? `/${safe.join('/')}/` : '/';
  if (normalized.length > MAX_FOLDER_CHARS) {
    throw badRequest(`${field} must be at most ${MAX_FOLDER_CHARS} characters long`, 'Use a shorter folder path.');
  }
  const long = safe.find((segment) => utf8Bytes(segment) > MAX_FOLDER_NAME_BYTES);
  if (long !== undefined) {
    throw badRequest(
      `${field}: the folder name "${shortened(long)}" is ${utf8Bytes(long)} characters long; a folder name may be at most ${MAX_FOLDER_NAME_BYTES}`,
      `Use shorter folder names: each is at most ${MAX_FOLDER_NAME_BYTES} characters once characters outside A-Za-z0-9._- became _.`,
    );
  }
  return normalized;
}

/** The length of the suffix `useUniqueFileName` adds (after a `_`). */
export const UNIQUE_SUFFIX_LENGTH = 9;

/** `photo.jpg` + `k3J9x_2a` → `photo_k3J9x_2a.jpg`. */
export function withUniqueSuffix(name: string, suffix: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? `${name.slice(0, dot)}_${suffix}${name.slice(dot)}` : `${name}_${suffix}`;
}

/** A sanitized `fileName` whose stored name (with the unique suffix when it gets one) is within MAX_STORED_NAME_BYTES, or a 400. */
export function checkStoredName(fileName: string, useUniqueFileName: boolean): string {
  const stored = useUniqueFileName ? withUniqueSuffix(fileName, 'x'.repeat(UNIQUE_SUFFIX_LENGTH)) : fileName;
  if (utf8Bytes(stored) > MAX_STORED_NAME_BYTES) {
    const withSuffix = useUniqueFileName ? `, ${utf8Bytes(stored)} with the unique suffix` : '';
    throw badRequest(
      `fileName is ${utf8Bytes(fileName)} characters long${withSuffix}; a file name may be at most ${MAX_STORED_NAME_BYTES}`,
      `Send a shorter fileName: the stored name, with the ${UNIQUE_SUFFIX_LENGTH + 1} characters useUniqueFileName adds, is at most ${MAX_STORED_NAME_BYTES} characters.`,
    );
  }
  return fileName;
}

export function checkTags(tags: string[] | null, field = 'tags'): string[] | null {
  if (tags === null) return null;
  const trimmed = tags.map((tag) => tag.trim());
  trimmed.forEach((tag, index) => {
    const bytes = oversizedTagBytes(tag);
    if (bytes !== undefined) {
      throw badRequest(
        `${field}[${index}] ${oversizedTagText(bytes)}`,
        `${TAG_BYTES_HELP} A file's tags are at most ${MAX_TAGS_CHARS} characters in all.`,
      );
    }
  });
  const clean = trimmed.filter((tag) => tag !== '');
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

/** Keeps a file's record well inside DynamoDB's 400 KB item limit (UTF-8 bytes of its JSON). */
export const MAX_CUSTOM_METADATA_BYTES = 10 * 1024;
/** The object itself is level 1: `{"a":{"b":1}}` is two levels deep. */
export const MAX_CUSTOM_METADATA_DEPTH = 10;
/** DynamoDB stores numbers from 1e-130 to 1e126, and the document client refuses anything beyond ±(2^53 − 1) as imprecise. */
const SMALLEST_STORED_NUMBER = 1e-130;

const METADATA_HELP = 'Keep customMetadata a small JSON object: at most 10 KB as JSON, 10 levels deep, numbers within ±(2^53 − 1).';

/** Why one value inside customMetadata cannot be stored, or undefined when it can (its members are checked apart). */
function valueProblem(value: unknown, path: string, depth: number): string | undefined {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return `${path} is not a finite number`;
    if (Math.abs(value) > Number.MAX_SAFE_INTEGER) return `${path} is beyond ±(2^53 − 1) and would lose precision`;
    if (value !== 0 && Math.abs(value) < SMALLEST_STORED_NUMBER) return `${path} is too close to zero to be stored`;
    return undefined;
  }
  if (value !== null && typeof value === 'object' && depth > MAX_CUSTOM_METADATA_DEPTH) {
    return `customMetadata must be at most ${MAX_CUSTOM_METADATA_DEPTH} levels deep (${path} is deeper)`;
  }
  return undefined;
}

/**
 * Why a value inside customMetadata cannot be stored, with its path, or undefined when it can: the first
 * problem in document order. A loop, not recursion, and it stops at the depth limit, so a document nested
 * 10,000 levels deep is refused rather than overflowing the stack.
 */
function metadataProblem(metadata: CustomMetadata): string | undefined {
  const pending: Array<{ value: unknown; path: string; depth: number }> = [{ value: metadata, path: 'customMetadata', depth: 1 }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { value, path, depth } = next;
    const problem = valueProblem(value, path, depth);
    if (problem) return problem;
    if (value === null || typeof value !== 'object') continue;
    const members = Array.isArray(value)
      ? value.map((item, index) => ({ value: item as unknown, path: `${path}[${index}]`, depth: depth + 1 }))
      : Object.entries(value).map(([key, item]) => ({ value: item as unknown, path: `${path}.${key}`, depth: depth + 1 }));
    pending.push(...members.reverse());
  }
  return undefined;
}

/** The limits that keep a file's record bounded, checked on what is sent and again on what a merge makes. */
export function checkCustomMetadata(metadata: CustomMetadata): CustomMetadata {
  // Depth first: JSON.stringify recurses, and would overflow on a deep enough document.
  const problem = metadataProblem(metadata);
  if (problem) throw badRequest(problem.startsWith('customMetadata must') ? problem : `customMetadata: ${problem}`, METADATA_HELP);
  const bytes = Buffer.byteLength(JSON.stringify(metadata));
  if (bytes > MAX_CUSTOM_METADATA_BYTES) {
    throw badRequest(
      `customMetadata must be at most ${MAX_CUSTOM_METADATA_BYTES} bytes as JSON (it would be ${bytes})`,
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
  return checkCustomMetadata(value as CustomMetadata);
}

export const WEBHOOK_URL_HELP = 'Send an absolute http:// or https:// URL that accepts POST requests.';
