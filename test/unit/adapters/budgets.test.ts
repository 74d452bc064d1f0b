import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BudgetLedger } from '../../../functions/adapters/budgets.js';
import { imagePriceMicroUsd, microUsd } from '../../../functions/core/budget.js';
import { LIST_PRICES } from '../../../functions/core/tagging-job.js';
import { startSearchTable } from '../../support/search-table.js';

let table: Awaited<ReturnType<typeof startSearchTable>>;
let ledger: BudgetLedger;

beforeAll(async () => {
  table = await startSearchTable();
  ledger = new BudgetLedger(table.tableName, table.client);
});
afterAll(async () => {
  await table?.stop();
});

const DECEMBER = new Date('2026-12-31T23:59:59.000Z');
const JANUARY = new Date('2027-01-01T00:00:00.000Z');

describe('BudgetLedger (dynalite)', () => {
  it('lets 30 concurrent reservations of $0.001 spend exactly $0.010 of a $0.010 budget: 10 reserved, 20 refused, nothing over', async () => {
    const price = imagePriceMicroUsd('aws-auto-tagging', LIST_PRICES);
    const cap = microUsd(0.01);
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, index) => ledger.reserve('aws-auto-tagging', `run_concurrent_${index}`, price, cap, DECEMBER)),
    );
    expect(results.filter((result) => result.reserved)).toHaveLength(10);
    expect(await ledger.spent('aws-auto-tagging', '2026-12')).toBe(cap);
  });

  it('allows exactly three Vision images in $0.0045 at $1.50 per 1,000 (integer micro-dollars: no drift)', async () => {
    const price = imagePriceMicroUsd('google-auto-tagging', LIST_PRICES);
    expect(price).toBe(1500);
    const cap = microUsd(0.0045);
    const reserved = [];
    for (let index = 0; index < 4; index++)
      reserved.push((await ledger.reserve('google-auto-tagging', `run_vision_${index}`, price, cap, DECEMBER)).reserved);
    expect(reserved).toEqual([true, true, true, false]);
    expect(await ledger.spent('google-auto-tagging', '2026-12')).toBe(4500);
  });

  it('counts a run once however often its task is retried, and gives back once however often it is released', async () => {
    const cap = microUsd(1);
    const before = await ledger.spent('aws-auto-tagging', '2027-02');
    const at = new Date('2027-02-10T00:00:00.000Z');
    await ledger.reserve('aws-auto-tagging', 'run_retried', 1000, cap, at);
    await ledger.reserve('aws-auto-tagging', 'run_retried', 1000, cap, at);
    expect(await ledger.spent('aws-auto-tagging', '2027-02')).toBe(before + 1000);
    expect(await Promise.all([ledger.release('aws-auto-tagging', 'run_retried'), ledger.release('aws-auto-tagging', 'run_retried')])).toEqual(
      expect.arrayContaining([true, false]),
    );
    expect(await ledger.spent('aws-auto-tagging', '2027-02')).toBe(before);
    // Released, the run's next attempt reserves again (the provider had not billed it).
    expect((await ledger.reserve('aws-auto-tagging', 'run_retried', 1000, cap, at)).reserved).toBe(true);
    expect(await ledger.spent('aws-auto-tagging', '2027-02')).toBe(before + 1000);
  });

  it('starts each UTC month afresh, and a release gives back to the month the hold was taken in', async () => {
    const cap = microUsd(0.002);
    // December's $0.010 was spent by the first test: its last second is refused, the new month's first is not.
    expect((await ledger.reserve('aws-auto-tagging', 'run_december_late', 1000, cap, DECEMBER)).reserved).toBe(false);
    const january = await ledger.reserve('aws-auto-tagging', 'run_new_year', 1000, cap, JANUARY);
    expect(january).toEqual({ reserved: true, spentMicroUsd: 1000, month: '2027-01' });
    // A hold of December released in January gives back to December.
    await ledger.reserve('aws-auto-tagging', 'run_across', 1000, microUsd(1), DECEMBER);
    const decemberBefore = await ledger.spent('aws-auto-tagging', '2026-12');
    await ledger.release('aws-auto-tagging', 'run_across');
    expect(await ledger.spent('aws-auto-tagging', '2026-12')).toBe(decemberBefore - 1000);
    expect(await ledger.spent('aws-auto-tagging', '2027-01')).toBe(1000);
  });

  it('refuses an image that costs more than the whole budget without writing, and a zero budget refuses all', async () => {
    expect(await ledger.reserve('google-auto-tagging', 'run_zero', 1500, 0, new Date('2027-03-01T00:00:00.000Z'))).toEqual({
      reserved: false,
      spentMicroUsd: 0,
      month: '2027-03',
    });
  });
});
