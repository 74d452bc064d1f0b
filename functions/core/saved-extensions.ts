import * as z from 'zod/mini';
import { ApiError, badRequest } from './errors.js';
import { EXTENSIONS_HELP, type Extension, extensionSchema, type RequestedExtension, type RunExtension } from './extensions.js';
import { SAVED_EXTENSION } from './extension-names.js';
import { jsonBodyError } from './json-body.js';
import { EMPTY_TAG_POLICY, type TagPolicy } from './tag-policy.js';
import { checkTagPolicy, tagPolicyFieldsSchema } from './tag-policy-request.js';

/** Saved extensions (docs/api.md, "Saved extensions"): named extension configs, referenced from `extensions`. */

/**
 * 100 as ImageKit; names and descriptions short enough that all 100 fit one table item with room to spare;
 * their policies together small enough that the list fits one Lambda response (6 MB).
 */
export const SAVED_EXTENSION_LIMITS = { count: 100, name: 100, description: 500, policyBytes: 4 * 1024 * 1024 } as const;

export const SAVED_EXTENSIONS_HELP =
  'POST /v1/saved-extensions takes {"name", "description"?, "config": {"name": "aws-auto-tagging" | "google-auto-tagging", "minConfidence", "maxTags", "policy"?}}; PATCH /v1/saved-extensions/{id} takes any of them (see docs/api.md, "Saved extensions").';

/** A saved extension as stored: its policy, when it has one, is a tag policy version of its own. */
export interface SavedExtension {
  id: string;
  name: string;
  description: string;
  config: Extension;
  /** The version of `config.policy`, which replaces the library policy for the runs that use this one. */
  policyVersion?: string;
  /** Its size as JSON, counted against the policies' total. */
  policyBytes?: number;
  createdAt: string;
  updatedAt: string;
}

const nameSchema = z.string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') }).check(
  z.refine((value) => value.trim().length >= 1 && value.length <= SAVED_EXTENSION_LIMITS.name, {
    error: `must be 1–${SAVED_EXTENSION_LIMITS.name} characters, not blank`,
  }),
);
const descriptionSchema = z
  .string({ error: 'must be a string' })
  .check(z.maxLength(SAVED_EXTENSION_LIMITS.description, { error: `must be at most ${SAVED_EXTENSION_LIMITS.description} characters` }));
const configSchema = z.extend(extensionSchema, { policy: z.optional(tagPolicyFieldsSchema) });

const createSchema = z.strictObject(
  { name: nameSchema, description: z.optional(descriptionSchema), config: configSchema },
  { error: 'must be a JSON object' },
);
const updateSchema = z.strictObject(
  { name: z.optional(nameSchema), description: z.optional(descriptionSchema), config: z.optional(configSchema) },
  { error: 'must be a JSON object' },
);

/** A saved extension's config as checked: the extension, and its own policy when it has one. */
export interface SavedConfig {
  config: Extension;
  policy?: TagPolicy;
}

export interface SavedExtensionDraft {
  name: string;
  description: string;
  config: SavedConfig;
}

function checkedConfig(config: z.infer<typeof configSchema>): SavedConfig {
  const { policy, ...extension } = config;
  return { config: extension, ...(policy && { policy: checkTagPolicy(policy, 'config.policy.', SAVED_EXTENSIONS_HELP) }) };
}

/** A POST body (already JSON-parsed) → a new saved extension's fields, or a 400 naming the field. */
export function parseSavedExtensionCreate(body: unknown): SavedExtensionDraft {
  const result = createSchema.safeParse(body);
  if (!result.success) throw jsonBodyError(result.error, SAVED_EXTENSIONS_HELP);
  return { name: result.data.name.trim(), description: result.data.description ?? '', config: checkedConfig(result.data.config) };
}

/** A PATCH body → the fields it changes (none: an empty body changes nothing), or a 400 naming the field. */
export function parseSavedExtensionUpdate(body: unknown): Partial<SavedExtensionDraft> {
  const result = updateSchema.safeParse(body ?? {});
  if (!result.success) throw jsonBodyError(result.error, SAVED_EXTENSIONS_HELP);
  const { name, description, config } = result.data;
  return {
    ...(name !== undefined && { name: name.trim() }),
    ...(description !== undefined && { description }),
    ...(config !== undefined && { config: checkedConfig(config) }),
  };
}

/** ImageKit's saved extension object; `config.policy` only when it has one. */
export function savedExtensionObject(saved: SavedExtension, policy: TagPolicy | undefined) {
  return {
    id: saved.id,
    name: saved.name,
    description: saved.description,
    config: { ...saved.config, ...(policy && { policy: { ...EMPTY_TAG_POLICY, ...policy } }) },
    createdAt: saved.createdAt,
    updatedAt: saved.updatedAt,
  };
}

/** What a config is stored as: the extension, and its policy's version and size when it has one. */
export type StoredConfig = Pick<SavedExtension, 'config' | 'policyVersion' | 'policyBytes'>;

export const policyBytesOf = (policy: TagPolicy) => Buffer.byteLength(JSON.stringify(policy));

/** The list with `saved` added: at most 100, their policies within the total. */
export function withCreated(entries: readonly SavedExtension[], saved: SavedExtension): SavedExtension[] {
  if (entries.length >= SAVED_EXTENSION_LIMITS.count) throw tooManySavedExtensions();
  const next = [...entries, saved];
  checkPoliciesTotal(next);
  return next;
}

/**
 * The list with saved extension `id` changed as asked (a `config` replaces the whole config, its policy
 * included), its `updatedAt` strictly later; 404 for an unknown id.
 */
export function withUpdated(
  entries: readonly SavedExtension[],
  id: string,
  change: { name?: string; description?: string; config?: StoredConfig },
  now: Date,
): { entries: SavedExtension[]; updated: SavedExtension } {
  const current = entries.find((entry) => entry.id === id);
  if (!current) throw savedExtensionNotFound(id);
  const { policyVersion: _version, policyBytes: _bytes, ...rest } = current;
  const updated: SavedExtension = {
    ...(change.config ? rest : current),
    ...(change.name !== undefined && { name: change.name }),
    ...(change.description !== undefined && { description: change.description }),
    ...change.config,
    updatedAt: new Date(Math.max(now.getTime(), Date.parse(current.updatedAt) + 1)).toISOString(),
  };
  const next = entries.map((entry) => (entry.id === id ? updated : entry));
  checkPoliciesTotal(next);
  return { entries: next, updated };
}

/** The policies of `entries` together stay within what one list answer can carry. */
function checkPoliciesTotal(entries: readonly SavedExtension[]): void {
  const total = entries.reduce((sum, entry) => sum + (entry.policyBytes ?? 0), 0);
  if (total > SAVED_EXTENSION_LIMITS.policyBytes) {
    throw new ApiError(
      400,
      `The saved extensions' policies would be ${(total / 1024 / 1024).toFixed(1)} MB as JSON together; at most 4 MB, so that GET /v1/saved-extensions fits one answer`,
      'Make this policy smaller, or delete saved extensions you no longer use.',
    );
  }
}

export const savedExtensionNotFound = (id: string) =>
  new ApiError(404, `No saved extension with id "${id}"`, 'GET /v1/saved-extensions lists the saved extensions and their ids.');

export const tooManySavedExtensions = () =>
  new ApiError(
    400,
    `There are already ${SAVED_EXTENSION_LIMITS.count} saved extensions, the most a deployment keeps`,
    'Delete one you no longer use (DELETE /v1/saved-extensions/{id}) or change one instead (PATCH).',
  );

/** The deployment's default extensions (AITAGS_DEFAULT_EXTENSIONS) use it: deleting it would leave them unresolvable. */
export function checkDeletable(id: string, defaultExtensions: readonly RequestedExtension[]): void {
  if (defaultExtensions.some((entry) => entry.name === SAVED_EXTENSION && entry.id === id)) {
    throw new ApiError(
      409,
      `Saved extension "${id}" is used by the deployment's default extensions (AITAGS_DEFAULT_EXTENSIONS)`,
      'Change AITAGS_DEFAULT_EXTENSIONS (deploy context defaultExtensions) so that it no longer refers to it, then delete it.',
    );
  }
}

/**
 * A request's `extensions` → what its run carries: each saved-extension reference replaced by that saved
 * extension's config (with its policy version, when it has a policy of its own). An unknown id, or two
 * entries that come to the same extension, is a 400 naming the entry under `root`.
 */
export function resolveExtensions(
  requested: readonly RequestedExtension[],
  find: (id: string) => SavedExtension | undefined,
  root = 'extensions',
): RunExtension[] {
  const resolved: RunExtension[] = [];
  const from = new Map<string, number>();
  requested.forEach((entry, index) => {
    let extension: RunExtension;
    if (entry.name === SAVED_EXTENSION) {
      const saved = find(entry.id);
      if (!saved) throw badRequest(`${root}[${index}] refers to saved extension "${entry.id}", which does not exist`, EXTENSIONS_HELP);
      extension = { ...saved.config, ...(saved.policyVersion && { policyVersion: saved.policyVersion }) };
    } else {
      extension = entry;
    }
    const earlier = from.get(extension.name);
    if (earlier !== undefined) {
      throw badRequest(
        `${root}[${index}] and ${root}[${earlier}] both run ${extension.name}: each extension may run once per request`,
        EXTENSIONS_HELP,
      );
    }
    from.set(extension.name, index);
    resolved.push(extension);
  });
  return resolved;
}

/** Whether any entry is a reference (else nothing needs reading to resolve them). */
export const refersToSaved = (requested: readonly RequestedExtension[]) => requested.some((entry) => entry.name === SAVED_EXTENSION);
