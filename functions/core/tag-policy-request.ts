import * as z from 'zod/mini';
import { ApiError, badRequest } from './errors.js';
import { jsonBodyError } from './json-body.js';
import { EMPTY_TAG_POLICY, type TagPolicy } from './tag-policy.js';

export const TAG_POLICY_LIMITS = { listEntries: 100, synonyms: 500, characters: 100, policyBytes: 64 * 1024 } as const;

export const TAG_POLICY_HELP =
  'PUT /v1/tag-policy takes {"exclude"?, "include"?, "excludeCategories"?, "includeCategories"? (lists of labels), "synonyms"? ({"provider label": "team tag"}), "updatedAt"? (from GET, to refuse a stale edit)} — see docs/api.md, "Tag policy".';

const LIST_FIELDS = ['exclude', 'include', 'excludeCategories', 'includeCategories'] as const;

const text = z.string({ error: 'must be a string' }).check(
  z.refine((value) => value.trim().length >= 1 && value.length <= TAG_POLICY_LIMITS.characters, {
    error: `must be 1–${TAG_POLICY_LIMITS.characters} characters, not blank`,
  }),
);
const list = z.optional(
  z
    .array(text, { error: 'must be a list of strings' })
    .check(z.maxLength(TAG_POLICY_LIMITS.listEntries, { error: `must have at most ${TAG_POLICY_LIMITS.listEntries} entries` })),
);

const policyFields = {
  exclude: list,
  include: list,
  excludeCategories: list,
  includeCategories: list,
  synonyms: z.optional(z.record(z.string(), text, { error: 'must be an object of "provider label": "team tag"' })),
};

/** A tag policy's fields, as PUT /v1/tag-policy takes them and as a saved extension's `config.policy`. */
export const tagPolicyFieldsSchema = z.strictObject(policyFields, { error: 'must be a JSON object' });
type TagPolicyFields = z.infer<typeof tagPolicyFieldsSchema>;

const tagPolicyBodySchema = z.strictObject(
  {
    ...policyFields,
    // Read-only in GET's answer; sent back, it must still be the stored one.
    updatedAt: z.optional(z.nullable(z.string({ error: 'must be the updatedAt GET answered' }))),
  },
  { error: 'must be a JSON object' },
);

/** A checked PUT body: the whole new policy, and the `updatedAt` the editor read (undefined: not checked; null: none stored yet). */
export interface TagPolicyChange {
  policy: TagPolicy;
  expectedUpdatedAt: string | null | undefined;
}

const key = (name: string) => name.trim().toLowerCase();

/**
 * The PUT body (already JSON-parsed) → a policy, or a 400 naming the field: every list within its
 * limits, no entry twice (case-insensitively), no synonym onto another synonym's source (a chain) or onto
 * an excluded label, no label both included and excluded, at most 64 KB as JSON.
 */
export function parseTagPolicyChange(body: unknown): TagPolicyChange {
  const result = tagPolicyBodySchema.safeParse(body);
  if (!result.success) throw jsonBodyError(result.error, TAG_POLICY_HELP);
  const { updatedAt, ...fields } = result.data;
  return { policy: checkTagPolicy(fields, '', TAG_POLICY_HELP), expectedUpdatedAt: updatedAt };
}

/**
 * Fields that passed `tagPolicyFieldsSchema` → a policy, by the rules above; a 400 names the field under
 * `root` (e.g. `config.policy.`), with `help`.
 */
export function checkTagPolicy(fields: TagPolicyFields, root: string, help: string): TagPolicy {
  const { synonyms = {}, ...lists } = fields;
  const policy: TagPolicy = {
    exclude: (lists.exclude ?? []).map((entry) => entry.trim()),
    include: (lists.include ?? []).map((entry) => entry.trim()),
    excludeCategories: (lists.excludeCategories ?? []).map((entry) => entry.trim()),
    includeCategories: (lists.includeCategories ?? []).map((entry) => entry.trim()),
    synonyms: Object.fromEntries(Object.entries(synonyms).map(([source, target]) => [source.trim(), target.trim()])),
  };
  const refuse = (message: string) => badRequest(`${root}${message}`, help);
  for (const field of LIST_FIELDS) {
    const seen = new Set<string>();
    policy[field].forEach((entry, index) => {
      if (seen.has(key(entry))) throw refuse(`${field}[${index}] "${entry}" is listed twice (names match case-insensitively)`);
      seen.add(key(entry));
    });
  }
  const sources = Object.keys(synonyms);
  if (sources.length > TAG_POLICY_LIMITS.synonyms)
    throw refuse(`synonyms must have at most ${TAG_POLICY_LIMITS.synonyms} entries (got ${sources.length})`);
  const sourceKeys = new Map<string, string>();
  for (const source of sources) {
    if (source.trim().length < 1 || source.length > TAG_POLICY_LIMITS.characters)
      throw refuse(`synonyms["${source}"]: a provider label must be 1–${TAG_POLICY_LIMITS.characters} characters, not blank`);
    if (sourceKeys.has(key(source))) throw refuse(`synonyms["${source}"] is listed twice (names match case-insensitively)`);
    sourceKeys.set(key(source), source);
  }
  const excluded = new Set(policy.exclude.map(key));
  for (const [source, target] of Object.entries(policy.synonyms)) {
    const chained = sourceKeys.get(key(target));
    if (chained !== undefined && key(chained) !== key(source))
      throw refuse(`synonyms["${source}"] maps onto "${target}", which is itself renamed by synonyms["${chained}"]: map both onto the final tag`);
    if (excluded.has(key(target))) throw refuse(`synonyms["${source}"] maps onto "${target}", which exclude drops: remove one of the two`);
  }
  policy.include.forEach((entry, index) => {
    if (excluded.has(key(entry))) throw refuse(`include[${index}] "${entry}" is also in exclude: a label is either included or excluded`);
  });
  const bytes = Buffer.byteLength(JSON.stringify(policy));
  if (bytes > TAG_POLICY_LIMITS.policyBytes)
    throw badRequest(
      `${root ? root.replace(/\.$/, '') : 'The tag policy'} is ${bytes} bytes as JSON; at most ${TAG_POLICY_LIMITS.policyBytes} (64 KB)`,
      help,
    );
  return policy;
}

/** A PUT whose `updatedAt` is no longer the stored one: someone else saved first. */
export const stalePolicy = (stored: string | null) =>
  new ApiError(
    409,
    stored
      ? `The tag policy changed since it was read (it was saved at ${stored})`
      : 'The tag policy was read before any was saved, and one has been saved since',
    'GET /v1/tag-policy again, apply your change to what it answers, and PUT it with the new updatedAt.',
  );

/** A PUT sent back with the `updatedAt` it read must still find it stored (undefined: not checked; null: none saved yet). */
export function checkNotStale(expected: string | null | undefined, stored: string | null): void {
  if (expected !== undefined && expected !== stored) throw stalePolicy(stored);
}

/** A new version's `updatedAt`: now, but strictly after the one it replaces, so versions stay ordered within a millisecond. */
export function nextPolicyTime(before: string | null, now: Date): string {
  return new Date(Math.max(now.getTime(), before ? Date.parse(before) + 1 : 0)).toISOString();
}

/** GET /v1/tag-policy's answer: every field, and `updatedAt` (null while none was ever saved). */
export function tagPolicyObject(stored: { policy: TagPolicy; updatedAt: string } | undefined) {
  const { exclude, include, excludeCategories, includeCategories, synonyms } = stored?.policy ?? EMPTY_TAG_POLICY;
  return { exclude, include, excludeCategories, includeCategories, synonyms, updatedAt: stored?.updatedAt ?? null };
}
