import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BudgetLedger } from '../../../functions/adapters/budgets.js';
import type { LabelDetector } from '../../../functions/adapters/label-detector.js';
import { microUsd } from '../../../functions/core/budget.js';
import type { ExtensionName } from '../../../functions/core/extension-names.js';
import { withRunStarted } from '../../../functions/core/file-record.js';
import { ExtensionFailure, ProviderThrottledError, ProviderTransientError } from '../../../functions/core/provider-errors.js';
import { EMPTY_TAG_POLICY } from '../../../functions/core/tag-policy.js';
import { LIST_PRICES } from '../../../functions/core/tagging-job.js';
import { type TaggerDeps, tagExtension } from '../../../functions/services/tag-extension.js';
import { fileRecord } from '../../support/sample-files.js';
import { startSearchTable } from '../../support/search-table.js';
import { ExtensionClaims } from '../../../functions/adapters/extension-claims.js';
import { scriptedProvider } from '../../support/scripted-provider.js';

/** The tagger service against a monthly budget, with the real ledger and file table on dynalite. */

let db: Awaited<ReturnType<typeof startSearchTable>>;
let ledger: BudgetLedger;
beforeAll(async () => {
  db = await startSearchTable();
  ledger = new BudgetLedger(db.tableName, db.client);
});
afterAll(async () => {
  await db?.stop();
});

let files = 0;
/** A stored image with a run of `name` started, as upload leaves it. */
async function startedRun(name: ExtensionName) {
  const fileId = `budget${String(++files).padStart(18, '0')}`;
  const runId = `run-${fileId}`;
  await db.table.create(withRunStarted(fileRecord({ fileId, filePath: `/budget-${files}.jpg`, aiTags: {} }), { runId, names: [name] }));
  return { fileId, runId, extension: { name, minConfidence: 50, maxTags: 5 }, policyVersion: '' };
}

const deps = (detector: LabelDetector, budgets: TaggerDeps['budget']['budgets'], month: string): TaggerDeps => ({
  table: db.table,
  failures: { record: async () => undefined, latest: async () => ({}) },
  claims: new ExtensionClaims(db.tableName, db.client),
  detector,
  policies: { version: async () => EMPTY_TAG_POLICY },
  prepareImage: async () => ({ kind: 'bytes', bytes: new Uint8Array([1]) }),
  budget: { ledger, budgets, prices: LIST_PRICES, now: () => new Date(`${month}-15T12:00:00.000Z`) },
});

describe('a tagger under a monthly budget', () => {
  it('tags three images in $0.003 at $1.00 per 1,000; the fourth ends BUDGET_EXCEEDED and the provider is not called', async () => {
    const { detector, counter } = scriptedProvider();
    const budgets = { 'aws-auto-tagging': microUsd(0.003) };
    const statuses = [];
    for (let index = 0; index < 4; index++)
      statuses.push(await tagExtension(await startedRun('aws-auto-tagging'), deps(detector, budgets, '2026-01')));
    expect(statuses.map((result) => result.status)).toEqual(['success', 'success', 'success', 'failed']);
    expect(counter.calls).toBe(3);
    const last = statuses[3] as { error?: { reason: string; message: string } };
    expect(last.error?.reason).toBe('BUDGET_EXCEEDED');
    expect(last.error?.message).toContain('$0.003');
    expect(last.error?.message).toContain('2026-02-01T00:00:00.000Z');
    expect(await ledger.spent('aws-auto-tagging', '2026-01')).toBe(3000);
  });

  it('gives the hold back when the provider refused the call (credentials): nothing counted', async () => {
    const { detector } = scriptedProvider(new ExtensionFailure('refused', 'MISSING_CREDENTIALS'));
    const result = await tagExtension(await startedRun('google-auto-tagging'), deps(detector, { 'google-auto-tagging': microUsd(1) }, '2026-02'));
    expect(result.status).toBe('failed');
    expect(await ledger.spent('google-auto-tagging', '2026-02')).toBe(0);
  });

  it('gives a throttled call’s hold back and holds again on the retry: one image counted', async () => {
    const { detector, counter } = scriptedProvider(new ProviderThrottledError('ThrottlingException'));
    const run = await startedRun('aws-auto-tagging');
    const budget = { 'aws-auto-tagging': microUsd(1) };
    await expect(tagExtension(run, deps(detector, budget, '2026-03'))).rejects.toBeInstanceOf(ProviderThrottledError);
    expect(await ledger.spent('aws-auto-tagging', '2026-03')).toBe(0);
    expect((await tagExtension(run, deps(detector, budget, '2026-03'))).status).toBe('success');
    expect({ calls: counter.calls, spent: await ledger.spent('aws-auto-tagging', '2026-03') }).toEqual({ calls: 2, spent: 1000 });
  });

  it('keeps the hold of a call that got no answer (it may have been billed), and its retry does not count again', async () => {
    const { detector } = scriptedProvider(new ProviderTransientError('no answer within 10000 ms', false));
    const run = await startedRun('google-auto-tagging');
    const budget = { 'google-auto-tagging': microUsd(1) };
    await expect(tagExtension(run, deps(detector, budget, '2026-04'))).rejects.toBeInstanceOf(ProviderTransientError);
    expect(await ledger.spent('google-auto-tagging', '2026-04')).toBe(1500);
    expect((await tagExtension(run, deps(detector, budget, '2026-04'))).status).toBe('success');
    expect(await ledger.spent('google-auto-tagging', '2026-04')).toBe(1500);
  });

  it('caps nothing without a budget, and an extension with maxTags 0 holds nothing', async () => {
    const { detector, counter } = scriptedProvider();
    expect((await tagExtension(await startedRun('aws-auto-tagging'), deps(detector, {}, '2026-05'))).status).toBe('success');
    const noCall = { ...(await startedRun('aws-auto-tagging')), extension: { name: 'aws-auto-tagging' as const, minConfidence: 50, maxTags: 0 } };
    expect((await tagExtension(noCall, deps(detector, { 'aws-auto-tagging': 0 }, '2026-05'))).status).toBe('success');
    expect({ calls: counter.calls, spent: await ledger.spent('aws-auto-tagging', '2026-05') }).toEqual({ calls: 1, spent: 0 });
  });
});
