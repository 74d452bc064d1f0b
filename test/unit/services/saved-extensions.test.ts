import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SavedExtensionTable } from '../../../functions/adapters/saved-extensions.js';
import { DynamoTagPolicies } from '../../../functions/adapters/tag-policies.js';
import { parseSavedExtensionCreate } from '../../../functions/core/saved-extensions.js';
import { SavedExtensions } from '../../../functions/services/saved-extensions.js';
import { startSearchTable } from '../../support/search-table.js';

let table: Awaited<ReturnType<typeof startSearchTable>>;
let policies: DynamoTagPolicies;
let store: SavedExtensionTable;

beforeAll(async () => {
  table = await startSearchTable();
  policies = new DynamoTagPolicies(table.tableName, table.client);
  store = new SavedExtensionTable(table.tableName, table.client);
});
afterAll(async () => {
  await table?.stop();
});

const draft = (name: string, policy?: Record<string, unknown>) =>
  parseSavedExtensionCreate({ name, config: { name: 'aws-auto-tagging', minConfidence: 70, maxTags: 5, ...(policy && { policy }) } });

describe('SavedExtensions on DynamoDB (dynalite)', () => {
  // Each conflict means another writer succeeded: with as many writers as attempts (8), every one gets through.
  it('loses none of 8 concurrent creates, and a second service reads them all', async () => {
    const service = new SavedExtensions(store, policies, []);
    const created = await Promise.all(Array.from({ length: 8 }, (_, index) => service.create(draft(`concurrent ${index}`))));
    const listed = await new SavedExtensions(store, new DynamoTagPolicies(table.tableName, table.client), []).list();
    expect(listed.map((saved) => saved.id).sort()).toEqual(created.map((saved) => saved.id).sort());
    await Promise.all(created.map((saved) => service.delete(saved.id)));
    expect(await service.list()).toEqual([]);
  });

  it('keeps each policy as an immutable version: a run resolved before an edit keeps reading the policy it was given', async () => {
    const service = new SavedExtensions(store, policies, []);
    const saved = await service.create(draft('pets', { exclude: ['Font'] }));
    const [before] = await service.resolve([{ name: 'saved-extension', id: saved.id }]);
    await service.update(saved.id, { config: draft('x', { exclude: ['Rectangle'] }).config });
    const [after] = await service.resolve([{ name: 'saved-extension', id: saved.id }]);
    expect(before?.policyVersion).toBeDefined();
    expect(after?.policyVersion).not.toBe(before?.policyVersion);
    // Read by a fresh adapter (nothing cached): both versions are there, each as it was saved.
    const fresh = new DynamoTagPolicies(table.tableName, table.client);
    expect((await fresh.version(before?.policyVersion ?? '')).exclude).toEqual(['Font']);
    expect((await fresh.version(after?.policyVersion ?? '')).exclude).toEqual(['Rectangle']);
    // A config sent without a policy drops it: runs go back to the library's policy.
    await service.update(saved.id, { config: draft('x').config });
    expect(await service.resolve([{ name: 'saved-extension', id: saved.id }])).toEqual([{ name: 'aws-auto-tagging', minConfidence: 70, maxTags: 5 }]);
    await service.delete(saved.id);
  });

  it('refuses (409) to delete the one the default extensions use, and resolves it for them', async () => {
    const saved = await new SavedExtensions(store, policies, []).create(draft('for ingest'));
    const guarded = new SavedExtensions(store, policies, [{ name: 'saved-extension', id: saved.id }]);
    await expect(guarded.delete(saved.id)).rejects.toMatchObject({ status: 409 });
    expect(await guarded.resolve([{ name: 'saved-extension', id: saved.id }], 'AITAGS_DEFAULT_EXTENSIONS')).toEqual([
      { name: 'aws-auto-tagging', minConfidence: 70, maxTags: 5 },
    ]);
    await new SavedExtensions(store, policies, []).delete(saved.id);
  });

  it('an empty update answers the saved extension unchanged, updatedAt included', async () => {
    const service = new SavedExtensions(store, policies, []);
    const saved = await service.create(draft('same'));
    expect(await service.update(saved.id, {})).toEqual(saved);
    await service.delete(saved.id);
  });
});
