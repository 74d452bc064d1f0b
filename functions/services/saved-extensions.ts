import { randomBytes } from 'node:crypto';
import type { SavedExtensionList, SavedExtensionTable } from '../adapters/saved-extensions.js';
import type { TagPolicies } from '../adapters/tag-policies.js';
import { ApiError, WriteConflict } from '../core/errors.js';
import type { RequestedExtension, RunExtension } from '../core/extensions.js';
import {
  checkDeletable,
  policyBytesOf,
  refersToSaved,
  resolveExtensions,
  type SavedConfig,
  type SavedExtension,
  type SavedExtensionDraft,
  savedExtensionNotFound,
  savedExtensionObject,
  type StoredConfig,
  withCreated,
  withUpdated,
} from '../core/saved-extensions.js';
import { logger } from '../runtime/logger.js';
import { backOff, MAX_ATTEMPTS } from './record-updates.js';

export type SavedExtensionObject = ReturnType<typeof savedExtensionObject>;

/** A config with its policy's size, before any version is written. */
const sized = ({ config, policy }: SavedConfig): StoredConfig => ({ config, ...(policy && { policyBytes: policyBytesOf(policy) }) });

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
    const at = this.now().toISOString();
    const saved: SavedExtension = {
      id: randomBytes(12).toString('hex'),
      name: draft.name,
      description: draft.description,
      config: draft.config.config,
      createdAt: at,
      updatedAt: at,
    };
    // Checked before a policy version is written, so that a refused create leaves nothing behind.
    withCreated((await this.table.read()).entries, { ...saved, ...sized(draft.config) });
    Object.assign(saved, await this.stored(draft.config));
    await this.change((list) => withCreated(list.entries, saved));
    logger.info('Saved extension created', { savedExtensionId: saved.id, extension: saved.config.name });
    return this.object(saved);
  }

  /** Changes the fields given; an empty change answers the saved extension as it is, unchanged. */
  async update(id: string, change: Partial<SavedExtensionDraft>): Promise<SavedExtensionObject> {
    if (!Object.keys(change).length) return this.get(id);
    const { config: draftConfig, ...fields } = change;
    // Checked before a policy version is written (an unknown id, a total too large): a refusal leaves nothing behind.
    if (draftConfig) withUpdated((await this.table.read()).entries, id, { ...fields, config: sized(draftConfig) }, this.now());
    const config = draftConfig && (await this.stored(draftConfig));
    let updated: SavedExtension | undefined;
    await this.change((list) => {
      const next = withUpdated(list.entries, id, { ...fields, ...(config && { config }) }, this.now());
      updated = next.updated;
      return next.entries;
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
  private async stored(draft: SavedConfig): Promise<StoredConfig> {
    return { ...sized(draft), ...(draft.policy && { policyVersion: await this.policies.saveVersion(draft.policy) }) };
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
