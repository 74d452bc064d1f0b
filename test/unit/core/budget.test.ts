import { describe, expect, it } from 'vitest';
import {
  budgetMonth,
  budgetResetsAt,
  budgetState,
  imagePriceMicroUsd,
  imagesCovered,
  microUsd,
  parseMonthlyBudgets,
} from '../../../functions/core/budget.js';
import { LIST_PRICES } from '../../../functions/core/tagging-job.js';

describe('monthly budgets', () => {
  it('counts in whole micro-dollars: $0.0045 at $1.50 per 1,000 covers exactly three images, $0.003 at $1.00 three', () => {
    expect(imagesCovered(microUsd(0.0045), 0, imagePriceMicroUsd('google-auto-tagging', LIST_PRICES))).toBe(3);
    expect(imagesCovered(microUsd(0.003), 0, imagePriceMicroUsd('aws-auto-tagging', LIST_PRICES))).toBe(3);
    // In dollars, 0.0015 * 3 is 0.0045000000000000005 > 0.0045: the float sum would allow two.
    expect(0.0015 * 3 > 0.0045).toBe(true);
    expect(imagesCovered(microUsd(10), microUsd(9.9995), 1000)).toBe(0);
    expect(imagesCovered(microUsd(1), 0, 0)).toBe(Number.POSITIVE_INFINITY);
  });

  it('rolls over at the first instant of a month, UTC', () => {
    expect(budgetMonth(new Date('2026-12-31T23:59:59.999Z'))).toBe('2026-12');
    expect(budgetMonth(new Date('2027-01-01T00:00:00.000Z'))).toBe('2027-01');
    expect(budgetResetsAt(new Date('2026-12-07T20:00:00Z')).toISOString()).toBe('2027-01-01T00:00:00.000Z');
    expect(budgetResetsAt(new Date('2027-02-28T10:00:00Z')).toISOString()).toBe('2027-03-01T00:00:00.000Z');
    expect(budgetState(microUsd(50), 12_345, new Date('2026-12-07T20:00:00Z'))).toEqual({
      monthlyUsd: 50,
      spentUsd: 0.012345,
      resetsAt: '2027-01-01T00:00:00.000Z',
    });
  });

  it('reads AITAGS_MONTHLY_BUDGET_USD, refusing what is not a budget', () => {
    expect(parseMonthlyBudgets(undefined)).toEqual({});
    expect(parseMonthlyBudgets('{"aws-auto-tagging":0.003,"google-auto-tagging":25}')).toEqual({
      'aws-auto-tagging': 3000,
      'google-auto-tagging': 25_000_000,
    });
    expect(() => parseMonthlyBudgets('{"aws-auto-taging":1}')).toThrow('names no extension "aws-auto-taging"');
    expect(() => parseMonthlyBudgets('{"aws-auto-tagging":-1}')).toThrow('must be a non-negative number');
    expect(() => parseMonthlyBudgets('{"aws-auto-tagging":"5"}')).toThrow('must be a non-negative number');
    expect(() => parseMonthlyBudgets('[5]')).toThrow('must be a JSON object');
    expect(() => parseMonthlyBudgets('{')).toThrow('must be JSON');
  });
});
