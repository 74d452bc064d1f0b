import { ApiFailure, type ApiClient, type TagPolicy } from './api.js';
import { hasTagName, withTagName } from './tag-names.js';

/** Someone saved the policy between our read and our write (409): the newer one, read since, to apply the change to. */
export class PolicyConflict extends Error {
  constructor(
    readonly failure: ApiFailure,
    readonly newer: TagPolicy,
  ) {
    super(failure.message);
    this.name = 'PolicyConflict';
  }
}

/**
 * Adds a name to the library's exclude list: read (unless given the policy read), add, and PUT back with the
 * `updatedAt` read, so another editor's save in between is a 409, never overwritten.
 */
export async function excludeTag(client: ApiClient, name: string, read?: TagPolicy): Promise<'added' | 'already'> {
  const policy = read ?? (await client.getTagPolicy());
  if (hasTagName(policy.exclude, name)) return 'already';
  try {
    await client.putTagPolicy({ ...policy, exclude: withTagName(policy.exclude, name) });
    return 'added';
  } catch (error) {
    if (error instanceof ApiFailure && error.status === 409) throw new PolicyConflict(error, await client.getTagPolicy());
    throw error;
  }
}

/** What the policy panel edits, as text: one label per line, and `provider label = team tag` per synonym line. */
export interface PolicyDraft {
  exclude: string;
  include: string;
  synonyms: string;
}

export const draftOf = (policy: Pick<TagPolicy, 'exclude' | 'include' | 'synonyms'>): PolicyDraft => ({
  exclude: policy.exclude.join('\n'),
  include: policy.include.join('\n'),
  synonyms: Object.entries(policy.synonyms)
    .map(([label, tag]) => `${label} = ${tag}`)
    .join('\n'),
});

const lines = (text: string) =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);

/**
 * The draft → the policy to PUT (the categories and `updatedAt` read kept as they are), or what is wrong with
 * a synonym line the page cannot send. Everything else is the API's to check: its 400 names the field.
 */
export function policyFromDraft(read: TagPolicy, draft: PolicyDraft): { policy: TagPolicy } | { problem: string } {
  const synonyms: Record<string, string> = {};
  for (const [index, line] of draft.synonyms.split('\n').entries()) {
    if (!line.trim()) continue;
    const at = line.indexOf('=');
    const label = line.slice(0, at).trim();
    const tag = line.slice(at + 1).trim();
    if (at < 0 || !label || !tag) return { problem: `Synonyms, line ${index + 1}: write it as provider label = team tag (got "${line.trim()}")` };
    synonyms[label] = tag;
  }
  return { policy: { ...read, exclude: lines(draft.exclude), include: lines(draft.include), synonyms } };
}
