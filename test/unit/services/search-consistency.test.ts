import { BudgetLedger } from '../../../functions/adapters/budgets.js';
import { LIST_PRICES } from '../../../functions/core/tagging-job.js';
import { setTimeout } from 'node:timers/promises';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newReadCount } from '../../../functions/core/search-plan.js';
import { ApiError } from '../../../functions/core/errors.js';
import type { ExtensionName } from '../../../functions/core/extension-names.js';
import type { FileRecord } from '../../../functions/core/file-record.js';
import { parseListRequest } from '../../../functions/core/list-request.js';
import { indexedTags } from '../../../functions/core/search-index.js';
import { DEFAULT_PROVIDER_QUOTAS } from '../../../functions/core/provider-quotas.js';
import { FileLibrary } from '../../../functions/services/file-library.js';
import { FileSearch } from '../../../functions/services/file-search.js';
import { FileTags } from '../../../functions/services/file-tags.js';
import { startJobFile } from '../../../functions/services/job-steps.js';
import { tagExtension } from '../../../functions/services/tag-extension.js';
import { EMPTY_TAG_POLICY, type TagPolicy } from '../../../functions/core/tag-policy.js';
import { inMemoryFiles } from '../../support/in-memory-files.js';
import { NO_BUDGETS } from '../../support/job-requests.js';
import { jpegFacts, uploadRequest } from '../../support/sample-files.js';
import { startSearchTable } from '../../support/search-table.js';
import { ExtensionClaims } from '../../../functions/adapters/extension-claims.js';

/**
 * Random sequences of the operations that change tags — uploads, overwrites, PATCHes, tagging results,
 * bulk operations, deletes — some of them running at the same time, against the real table adapter on
 * dynalite. After every step, a search for each tag must return exactly the files whose record holds it,
 * and the index must list exactly those (nothing left behind once the writers are done). A second property
 * adds rejected AI tags, the real tagger and tag policy re-applies.
 */

let db: Awaited<ReturnType<typeof startSearchTable>>;
beforeAll(async () => {
  db = await startSearchTable();
});
afterAll(() => db?.stop());

const WORDS = ['Cat', 'dog', 'SEA', 'sky', 'tree'];
const SOURCES: ExtensionName[] = ['aws-auto-tagging', 'google-auto-tagging'];

type Operation =
  | { kind: 'upload'; slot: number; tags: string[] }
  | { kind: 'patch'; slot: number; tags: string[] }
  | { kind: 'merge'; slot: number; source: ExtensionName; tags: string[] }
  | { kind: 'run'; slot: number; tags: Record<ExtensionName, string[]> }
  | { kind: 'bulk'; slots: number[]; operation: 'addTags' | 'removeTags' | 'removeAITags'; tags: string[] }
  | { kind: 'delete'; slot: number };

const SLOTS = 4;
const slot = fc.integer({ min: 0, max: SLOTS - 1 });
const tags = fc.uniqueArray(fc.constantFrom(...WORDS, ...WORDS.map((word) => word.toLowerCase())), { maxLength: 3 });
const operation: fc.Arbitrary<Operation> = fc.oneof(
  fc.record({ kind: fc.constant('upload' as const), slot, tags }),
  fc.record({ kind: fc.constant('patch' as const), slot, tags }),
  fc.record({ kind: fc.constant('merge' as const), slot, source: fc.constantFrom(...SOURCES), tags }),
  fc.record({ kind: fc.constant('run' as const), slot, tags: fc.record({ 'aws-auto-tagging': tags, 'google-auto-tagging': tags }) }),
  fc.record({
    kind: fc.constant('bulk' as const),
    slots: fc.uniqueArray(slot, { minLength: 1, maxLength: 3 }),
    operation: fc.constantFrom('addTags' as const, 'removeTags' as const, 'removeAITags' as const),
    tags: fc.uniqueArray(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 2 }),
  }),
  fc.record({ kind: fc.constant('delete' as const), slot }),
);
/** A step: one to three operations started together. */
const steps = fc.array(fc.array(operation, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 8 });

let run = 0;

async function check(steps: Operation[][]): Promise<void> {
  run += 1;
  const library = new FileLibrary({ store: inMemoryFiles().store, table: db.table });
  const search = new FileSearch(db.index, 10_000);
  // Each run has a folder of its own, so runs never see each other's files.
  const folder = `/run-${run}/`;
  const everCreated = new Set<string>();
  let runs = 0;

  const apply = async (op: Operation): Promise<void> => {
    const idAt = (slotNumber: number) => library.idAtPath(`${folder}slot-${slotNumber}.jpg`);
    switch (op.kind) {
      case 'upload': {
        const request = uploadRequest({ fileName: `slot-${op.slot}.jpg`, folder, tags: op.tags.length ? op.tags : null, overwriteFile: true });
        const record = await library.upload(request, { facts: jpegFacts, thumbnail: undefined });
        everCreated.add(record.fileId);
        return;
      }
      case 'patch': {
        const fileId = await idAt(op.slot);
        if (fileId) await library.updateDetails(fileId, { tags: op.tags.length ? op.tags : null });
        return;
      }
      case 'merge': {
        const fileId = await idAt(op.slot);
        if (!fileId) return;
        const runId = `run-${run}-${++runs}`;
        // As a tagger: the result is worked out from the record read after the run started.
        const started = await db.table.startRun(fileId, runId, [op.source]);
        const read = await db.table.get(fileId);
        await db.table.recordOutcome(
          fileId,
          runId,
          op.source,
          { status: 'success', tags: op.tags.map((name) => ({ name, confidence: 90, source: op.source })) },
          (read ?? started).version,
        );
        return;
      }
      case 'run': {
        // Both extensions of one run, as the taggers land them: each worked out from the same read, written at once.
        const fileId = await idAt(op.slot);
        if (!fileId) return;
        const runId = `run-${run}-${++runs}`;
        const started = await db.table.startRun(fileId, runId, SOURCES);
        await Promise.all(
          SOURCES.map((source) =>
            db.table.recordOutcome(
              fileId,
              runId,
              source,
              { status: 'success', tags: op.tags[source].map((name) => ({ name, confidence: 90, source })) },
              started.version,
            ),
          ),
        );
        return;
      }
      case 'bulk': {
        const fileIds = (await Promise.all(op.slots.map(idAt))).filter((id): id is string => id !== undefined);
        if (fileIds.length) await new FileTags(db.table).update({ operation: op.operation, fileIds, tags: op.tags });
        return;
      }
      case 'delete': {
        const fileId = await idAt(op.slot);
        if (fileId) await library.remove(fileId);
        return;
      }
    }
  };

  for (const step of steps) {
    await settled(step.map(apply));
    await expectExactIndex(search, folder, everCreated, WORDS);
  }
}

/** Runs a step's operations together; a file deleted by another of them is a 404 for the rest, as it would be for a client. */
async function settled(operations: Array<Promise<void>>): Promise<void> {
  for (const outcome of await Promise.allSettled(operations)) {
    if (outcome.status === 'rejected' && !(outcome.reason instanceof ApiError && outcome.reason.status === 404)) throw outcome.reason;
  }
}

/** A search for each word finds exactly the files of `folder` whose record holds it, and the index lists exactly those; answers the files. */
async function expectExactIndex(search: FileSearch, folder: string, everCreated: Set<string>, words: readonly string[]): Promise<FileRecord[]> {
  const live = (await db.table.getMany([...everCreated])).filter((record) => record.filePath.startsWith(folder));
  for (const word of words.map((w) => w.toLowerCase())) {
    const holders = live
      .filter((record) => indexedTags(record).has(word))
      .map((record) => record.fileId)
      .sort();
    const found = await search.list(parseListRequest({ searchQuery: `tags = "${word.toUpperCase()}"`, path: folder }));
    expect(found.records.map((record) => record.fileId).sort()).toEqual(holders);
    const listed = await db.index.candidates({ kind: 'tag', tag: word, scope: 'any' }, newReadCount());
    expect(listed.filter((fileId) => everCreated.has(fileId)).sort()).toEqual(holders);
  }
  return live;
}

describe('the search index under concurrent writers', () => {
  it('finds exactly the files that hold a tag after every step', async () => {
    await fc.assert(fc.asyncProperty(steps, check), { numRuns: 40 });
  }, 120_000);
});

type SteeredOperation =
  | { kind: 'upload'; slot: number; tags: string[] }
  | { kind: 'tag'; slot: number; labels: string[] }
  | { kind: 'reject'; slot: number; names: string[] }
  | { kind: 'bulkReject'; slots: number[]; names: string[] }
  | { kind: 'reapply'; slot: number; exclude: string[]; synonyms: Record<string, string> };

const labelWords = fc.uniqueArray(fc.constantFrom(...WORDS), { maxLength: 4 });
const steeredOperation: fc.Arbitrary<SteeredOperation> = fc.oneof(
  fc.record({ kind: fc.constant('upload' as const), slot, tags }),
  { arbitrary: fc.record({ kind: fc.constant('tag' as const), slot, labels: labelWords }), weight: 3 },
  {
    arbitrary: fc.record({
      kind: fc.constant('reject' as const),
      slot,
      names: fc.uniqueArray(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 2 }),
    }),
    weight: 2,
  },
  fc.record({
    kind: fc.constant('bulkReject' as const),
    slots: fc.uniqueArray(slot, { minLength: 1, maxLength: 3 }),
    names: fc.uniqueArray(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 2 }),
  }),
  fc.record({
    kind: fc.constant('reapply' as const),
    slot,
    exclude: fc.uniqueArray(fc.constantFrom(...WORDS), { maxLength: 1 }),
    synonyms: fc.dictionary(fc.constantFrom(...WORDS), fc.constantFrom('Pet', 'Water'), { maxKeys: 2 }),
  }),
);
const steeredSteps = fc.array(fc.array(steeredOperation, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 8 });

/**
 * Rejections, the real tagger (its write conditional on the rejections it decided with) and policy
 * re-applies, some at the same time: the index stays exact, and no file ever holds an AI tag it rejected.
 */
async function checkSteered(steps: SteeredOperation[][]): Promise<void> {
  run += 1;
  const library = new FileLibrary({ store: inMemoryFiles().store, table: db.table });
  const search = new FileSearch(db.index, 10_000);
  const folder = `/steered-${run}/`;
  const everCreated = new Set<string>();
  const idAt = (slotNumber: number) => library.idAtPath(`${folder}slot-${slotNumber}.jpg`);
  let runs = 0;
  let policies = 0;
  const versions = new Map<string, TagPolicy>();

  const apply = async (op: SteeredOperation): Promise<void> => {
    switch (op.kind) {
      case 'upload': {
        const request = uploadRequest({ fileName: `slot-${op.slot}.jpg`, folder, tags: op.tags.length ? op.tags : null, overwriteFile: true });
        everCreated.add((await library.upload(request, { facts: jpegFacts, thumbnail: undefined })).fileId);
        return;
      }
      case 'tag': {
        const fileId = await idAt(op.slot);
        if (!fileId) return;
        const runId = `steered-${run}-${++runs}`;
        const extension = { name: 'aws-auto-tagging' as const, minConfidence: 0, maxTags: 30 };
        await db.table.startRun(fileId, runId, [extension.name]);
        await tagExtension(
          { fileId, runId, extension, policyVersion: '' },
          {
            table: db.table,
            failures: { record: async () => {}, latest: async () => ({}) },
            claims: new ExtensionClaims(db.tableName, db.client),
            // A provider takes a moment: a rejection started in the same step lands while the run is under way.
            detector: {
              detect: async () => {
                await setTimeout(10);
                return op.labels.map((name, index) => ({ name, confidence: 90 - index }));
              },
            },
            prepareImage: async () => ({ kind: 'bytes', bytes: new Uint8Array() }),
            policies: { version: async () => EMPTY_TAG_POLICY },
            budget: { ledger: new BudgetLedger(db.tableName, db.client), budgets: {}, prices: LIST_PRICES },
          },
        );
        return;
      }
      case 'reject': {
        const fileId = await idAt(op.slot);
        if (fileId) await library.updateDetails(fileId, { removeAITags: op.names });
        return;
      }
      case 'bulkReject': {
        const fileIds = (await Promise.all(op.slots.map(idAt))).filter((id): id is string => id !== undefined);
        if (fileIds.length) await new FileTags(db.table).update({ operation: 'removeAITags', fileIds, tags: op.names });
        return;
      }
      case 'reapply': {
        const fileId = await idAt(op.slot);
        if (!fileId) return;
        const versionId = `policy-${run}-${++policies}`;
        versions.set(versionId, { ...EMPTY_TAG_POLICY, exclude: op.exclude, synonyms: op.synonyms });
        const extensions = SOURCES.map((name) => ({ name, minConfidence: 0, maxTags: 30 }));
        await startJobFile(
          {
            jobId: 'job_000000000000000000000000',
            fileId,
            index: runs++,
            extensions,
            removeAITags: false,
            reapplyPolicy: true,
            startedAtMs: 0,
            rate: 1,
          },
          {
            ...NO_BUDGETS,
            files: db.table,
            pacer: { take: async () => ({ at: 0 }) },
            quotas: DEFAULT_PROVIDER_QUOTAS,
            watches: { watch: async () => undefined },
            policies: { currentVersionId: async () => versionId, version: async (id) => versions.get(id) ?? EMPTY_TAG_POLICY },
          },
        );
        return;
      }
    }
  };

  for (const step of steps) {
    await settled(step.map(apply));
    const live = await expectExactIndex(search, folder, everCreated, [...WORDS, 'Pet', 'Water']);
    for (const record of live) {
      const rejected = new Set((record.rejectedAITags ?? []).map((name) => name.toLowerCase()));
      const aiNames = Object.values(record.aiTags).flatMap((list) => (list ?? []).map((tag) => tag.name.toLowerCase()));
      expect(
        aiNames.filter((name) => rejected.has(name)),
        `file ${record.fileId} holds a rejected AI tag`,
      ).toEqual([]);
    }
  }
}

describe('the search index with rejections, taggers and policy re-applies', () => {
  it('finds exactly the files that hold a tag, and no file holds an AI tag it rejected, after every step', async () => {
    await fc.assert(fc.asyncProperty(steeredSteps, checkSteered), {
      numRuns: 30,
      // The race a conditional write exists for: a rejection landing while a run is under way.
      examples: [
        [
          [
            [{ kind: 'upload', slot: 0, tags: [] }],
            [
              { kind: 'tag', slot: 0, labels: ['Cat', 'dog'] },
              { kind: 'reject', slot: 0, names: ['Cat'] },
            ],
          ],
        ],
      ],
    });
  }, 120_000);
});
