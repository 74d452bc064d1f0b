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
