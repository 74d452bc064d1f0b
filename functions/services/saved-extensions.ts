import { randomBytes } from 'node:crypto';
import type { SavedExtensionList, SavedExtensionTable } from '../adapters/saved-extensions.js';
import type { TagPolicies } from '../adapters/tag-policies.js';
import { ApiError, WriteConflict } from '../core/errors.js';
import type { RequestedExtension, RunExtension } from '../core/extensions.js';
import {
  checkDeletable,
  refersToSaved,
  resolveExtensions,
  SAVED_EXTENSION_LIMITS,
  type SavedConfig,
  type SavedExtension,
  type SavedExtensionDraft,
  savedExtensionNotFound,
  savedExtensionObject,
  tooManySavedExtensions,
} from '../core/saved-extensions.js';
import { logger } from '../runtime/logger.js';
import { backOff, MAX_ATTEMPTS } from './record-updates.js';

export type SavedExtensionObject = ReturnType<typeof savedExtensionObject>;

/**
 * ImageKit's saved extensions, and the resolution of references to them: a request's `extensions` are
 * resolved when it arrives, and its run keeps the resolved copy (with the policy version it names), so an
 * edit or a delete never changes work already started.
 */
export class SavedExtensions {
  constructor(
    private readonly table: Pick<SavedExtensionTable, 'read' | 'write'>,
    private readonly policies: Pick<TagPolicies, 'saveVersion' | 'version'>,
    /** AITAGS_DEFAULT_EXTENSIONS: a saved extension they refer to cannot be deleted. */
    private readonly defaultExtensions: readonly RequestedExtension[],
    private readonly now: () => Date = () => new Date(),
  ) {}

  async list(): Promise<SavedExtensionObject[]> {
    const { entries } = await this.table.read();
    return Promise.all(entries.map((saved) => this.object(saved)));
  }

  async get(id: string): Promise<SavedExtensionObject> {
    const saved = (await this.table.read()).entries.find((entry) => entry.id === id);
    if (!saved) throw savedExtensionNotFound(id);
    return this.object(saved);
  }

  async create(draft: SavedExtensionDraft): Promise<SavedExtensionObject> {
    // Counted before a policy version is written, so that a refused create leaves nothing behind.
    if ((await this.table.read()).entries.length >= SAVED_EXTENSION_LIMITS.count) throw tooManySavedExtensions();
    const config = await this.stored(draft.config);
    const at = this.now().toISOString();
    const saved: SavedExtension = {
      id: randomBytes(12).toString('hex'),
      name: draft.name,
      description: draft.description,
      ...config,
      createdAt: at,
      updatedAt: at,
    };
    await this.change((list) => {
      if (list.entries.length >= SAVED_EXTENSION_LIMITS.count) throw tooManySavedExtensions();
      return [...list.entries, saved];
    });
    logger.info('Saved extension created', { savedExtensionId: saved.id, extension: saved.config.name });
    return this.object(saved);
  }

  /** Changes the fields given; an empty change answers the saved extension as it is, unchanged. */
  async update(id: string, change: Partial<SavedExtensionDraft>): Promise<SavedExtensionObject> {
    if (!Object.keys(change).length) return this.get(id);
    const config = change.config && (await this.stored(change.config));
    let updated: SavedExtension | undefined;
    await this.change((list) => {
      const current = list.entries.find((entry) => entry.id === id);
      if (!current) throw savedExtensionNotFound(id);
      const { policyVersion: _kept, ...rest } = current;
      updated = {
        ...(config ? rest : current),
        ...(change.name !== undefined && { name: change.name }),
        ...(change.description !== undefined && { description: change.description }),
        ...config,
        updatedAt: new Date(Math.max(this.now().getTime(), Date.parse(current.updatedAt) + 1)).toISOString(),
      };
      return list.entries.map((entry) => (entry.id === id ? (updated as SavedExtension) : entry));
    });
    if (!updated) throw new Error('unreachable: the change ran');
    logger.info('Saved extension updated', { savedExtensionId: id, fields: Object.keys(change) });
    return this.object(updated);
  }

  async delete(id: string): Promise<void> {
    checkDeletable(id, this.defaultExtensions);
    await this.change((list) => {
      if (!list.entries.some((entry) => entry.id === id)) throw savedExtensionNotFound(id);
      return list.entries.filter((entry) => entry.id !== id);
    });
    logger.info('Saved extension deleted', { savedExtensionId: id });
  }

  /** A request's `extensions` → its run's: references replaced by their configs (one read, and only if there are any). */
  async resolve(requested: readonly RequestedExtension[], root?: string): Promise<RunExtension[]> {
    const entries = refersToSaved(requested) ? (await this.table.read()).entries : [];
    return resolveExtensions(requested, (id) => entries.find((entry) => entry.id === id), root);
  }

  /** A config as stored: its policy, if any, kept as a version of its own. */
  private async stored({ config, policy }: SavedConfig): Promise<Pick<SavedExtension, 'config' | 'policyVersion'>> {
    return { config, ...(policy && { policyVersion: await this.policies.saveVersion(policy) }) };
  }

  private async object(saved: SavedExtension): Promise<SavedExtensionObject> {
    return savedExtensionObject(saved, saved.policyVersion ? await this.policies.version(saved.policyVersion) : undefined);
  }

  /** Read, change, write on the revision read; again on a concurrent change. */
  private async change(next: (list: SavedExtensionList) => SavedExtension[]): Promise<void> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const list = await this.table.read();
      try {
        await this.table.write(next(list), list.revision);
        return;
      } catch (error) {
        if (!(error instanceof WriteConflict)) throw error;
        await backOff(attempt);
      }
    }
    throw new ApiError(429, 'Too many concurrent changes of the saved extensions', 'Retry in a moment.');
  }
}
