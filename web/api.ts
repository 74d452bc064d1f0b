import type { ExtensionName } from '../functions/core/extension-names.js';
import type { FileObject } from '../functions/core/file-object.js';
import type { TagPolicy as CoreTagPolicy } from '../functions/core/tag-policy.js';
import { type Availability, availabilityOf } from './extension-availability.js';

export type { FileObject };

/** One requested extension, as upload and update take it. */
export interface Extension {
  name: ExtensionName;
  minConfidence: number;
  maxTags: number;
}

/** A saved extension referred to by id (GET /v1/saved-extensions), resolved by the API when the request arrives. */
export interface SavedExtensionRef {
  name: 'saved-extension';
  id: string;
}

/** A saved extension as the page shows it (GET /v1/saved-extensions). */
export interface SavedExtension {
  id: string;
  name: string;
  description: string;
  config: Extension & { policy?: CoreTagPolicy };
}

/** What the page reads of an upload's answer (ImageKit's FileUploadResponse). */
export type UploadResult = Pick<FileObject, 'fileId' | 'name' | 'filePath' | 'AITags' | 'extensionStatus' | 'extensionErrors'>;

/** What the upload panel sends with every file it queues. */
export interface UploadOptions {
  folder: string;
  tags: string[];
  isPrivateFile: boolean;
  extensions: Array<Extension | SavedExtensionRef>;
}

export interface ListQuery {
  searchQuery: string;
  sort: string;
  limit: number;
  skip: number;
}

export interface DetailsChange {
  tags?: string[];
  extensions?: Extension[];
  /** `'all'`; or names, which without `extensions` are remembered as rejected for the file. */
  removeAITags?: 'all' | string[];
  /** Replaces the file's rejected AI tag names (`[]` forgets them all). */
  rejectedAITags?: string[];
}

/** The library's tag policy as GET /v1/tag-policy answers it; PUT takes it back with the same `updatedAt` (else 409). */
export interface TagPolicy extends CoreTagPolicy {
  updatedAt: string | null;
}

/** An API answer other than 2xx, or no answer at all: shown as its message and help. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly help: string,
    /** A bulk call's ids that do not exist (its 404): nothing was changed. */
    readonly missingFileIds: readonly string[] = [],
  ) {
    super(message);
    this.name = 'ApiFailure';
  }
}

/** Anything a call threw, as something to show: API failures as they are, anything else by its message. */
export function toFailure(error: unknown): ApiFailure {
  if (error instanceof ApiFailure) return error;
  return new ApiFailure(0, error instanceof Error ? error.message : String(error), 'Try again; if it keeps happening, reload the page.');
}

/** HTTP Basic with the private key as username and no password, as ImageKit's API takes it. */
function basicAuth(key: string): string {
  const bytes = new TextEncoder().encode(`${key}:`);
  return `Basic ${btoa(String.fromCharCode(...bytes))}`;
}

/** The API's 401 speaks to curl users; the page's user pasted a key into a form. */
const keyRefused = () =>
  new ApiFailure(
    401,
    'That key was not accepted.',
    'Paste the private key printed by npm start (or kept in .aitags/private-key); on AWS, the value of the secret named by the stack output PrivateKeySecretArn.',
  );

async function failureOf(response: Response): Promise<ApiFailure> {
  if (response.status === 401) return keyRefused();
  const text = await response.text();
  try {
    const body = JSON.parse(text) as { message?: unknown; help?: unknown; missingFileIds?: unknown };
    if (typeof body.message === 'string') {
      const missing = Array.isArray(body.missingFileIds) ? body.missingFileIds.filter((id): id is string => typeof id === 'string') : [];
      return new ApiFailure(response.status, body.message, typeof body.help === 'string' ? body.help : '', missing);
    }
  } catch {}
  return new ApiFailure(response.status, `The server answered ${response.status} ${response.statusText}`.trim(), text.slice(0, 200));
}

/** The aitags API on the page's own origin, authenticated with the key the user entered. */
export class ApiClient {
  private readonly authorization: string;

  constructor(key: string) {
    this.authorization = basicAuth(key);
  }

  listFiles(query: ListQuery): Promise<FileObject[]> {
    const params = new URLSearchParams({ sort: query.sort, limit: String(query.limit), skip: String(query.skip) });
    if (query.searchQuery.trim()) params.set('searchQuery', query.searchQuery.trim());
    return this.call('GET', `/v1/files?${params}`);
  }

  getDetails(fileId: string): Promise<FileObject> {
    return this.call('GET', `/v1/files/${encodeURIComponent(fileId)}/details`);
  }

  updateDetails(fileId: string, change: DetailsChange): Promise<FileObject> {
    return this.call('PATCH', `/v1/files/${encodeURIComponent(fileId)}/details`, JSON.stringify(change));
  }

  upload(file: File, options: UploadOptions): Promise<UploadResult> {
    const form = new FormData();
    form.set('file', file);
    form.set('fileName', file.name);
    if (options.folder.trim()) form.set('folder', options.folder.trim());
    if (options.tags.length) form.set('tags', options.tags.join(','));
    if (options.isPrivateFile) form.set('isPrivateFile', 'true');
    if (options.extensions.length) form.set('extensions', JSON.stringify(options.extensions));
    return this.call('POST', '/api/v1/files/upload', form);
  }

  deleteFile(fileId: string): Promise<void> {
    return this.call('DELETE', `/v1/files/${encodeURIComponent(fileId)}`);
  }

  /** At most 100 ids a call (the API's limit). */
  deleteFiles(fileIds: string[]): Promise<{ successfullyDeletedFileIds: string[] }> {
    return this.call('POST', '/v1/files/batch/deleteByFileIds', JSON.stringify({ fileIds }));
  }

  /** Which extensions can run here. A server without `GET /v1/status` (404) tells nothing: every extension counts as available. */
  async getAvailability(): Promise<Availability> {
    try {
      return availabilityOf(await this.call('GET', '/v1/status'));
    } catch (error) {
      if (error instanceof ApiFailure && error.status === 404) return {};
      throw error;
    }
  }

  addTags(fileIds: string[], tags: string[]): Promise<{ successfullyUpdatedFileIds: string[] }> {
    return this.call('POST', '/v1/files/addTags', JSON.stringify({ fileIds, tags }));
  }

  removeTags(fileIds: string[], tags: string[]): Promise<{ successfullyUpdatedFileIds: string[] }> {
    return this.call('POST', '/v1/files/removeTags', JSON.stringify({ fileIds, tags }));
  }

  listSavedExtensions(): Promise<SavedExtension[]> {
    return this.call('GET', '/v1/saved-extensions');
  }

  getTagPolicy(): Promise<TagPolicy> {
    return this.call('GET', '/v1/tag-policy');
  }

  putTagPolicy(policy: TagPolicy): Promise<TagPolicy> {
    return this.call('PUT', '/v1/tag-policy', JSON.stringify(policy));
  }

  private async call<T>(method: string, path: string, body?: string | FormData): Promise<T> {
    const headers: Record<string, string> = { authorization: this.authorization };
    if (typeof body === 'string') headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(path, { method, headers, body, cache: 'no-store' });
    } catch {
      throw new ApiFailure(0, 'Could not reach aitags', 'Check that the server is running and the network is up, then try again.');
    }
    if (!response.ok) throw await failureOf(response);
    return (response.status === 204 ? undefined : await response.json()) as T;
  }
}
