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
