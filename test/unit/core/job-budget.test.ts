import { describe, expect, it } from 'vitest';
import { microUsd } from '../../../functions/core/budget.js';
import {
  budgetedExtensions,
  budgetRefusals,
  budgetRoom,
  budgetStop,
  budgetsExceeded,
  budgetsSpent,
  jobFileOutcome,
  jobOverBudget,
  jobOverBudgetMessage,
  remainingBudgetUsd,
} from '../../../functions/core/job-budget.js';
import { LIST_PRICES } from '../../../functions/core/tagging-job.js';

const AWS = { name: 'aws-auto-tagging', minConfidence: 80, maxTags: 10 } as const;
const GOOGLE = { name: 'google-auto-tagging', minConfidence: 70, maxTags: 5 } as const;
const BUDGETS = { 'aws-auto-tagging': microUsd(0.01), 'google-auto-tagging': microUsd(0.0045) };
const NOVEMBER = new Date('2026-11-30T11:00:00.000Z');

describe('budgetedExtensions', () => {
  it('names each budgeted extension that calls its provider once; none for maxTags 0, an unbudgeted one or a job re-applying the policy', () => {
    expect(budgetedExtensions([AWS, GOOGLE, { ...AWS, minConfidence: 50 }], BUDGETS, false)).toEqual(['aws-auto-tagging', 'google-auto-tagging']);
    expect(budgetedExtensions([{ ...AWS, maxTags: 0 }, GOOGLE], BUDGETS, false)).toEqual(['google-auto-tagging']);
    expect(budgetedExtensions([AWS, GOOGLE], { 'google-auto-tagging': 0 }, false)).toEqual(['google-auto-tagging']);
    expect(budgetedExtensions([AWS, GOOGLE], BUDGETS, true)).toEqual([]);
    expect(budgetedExtensions([AWS, GOOGLE], {}, false)).toEqual([]);
  });
});

describe('what remains and what passes it', () => {
  const vision = (spentUsd: number) => budgetRoom('google-auto-tagging', BUDGETS, LIST_PRICES, microUsd(spentUsd));

  it('reports what remains of each budget, never below 0', () => {
    const rooms = [budgetRoom('aws-auto-tagging', BUDGETS, LIST_PRICES, microUsd(0.003)), vision(0.006)];
    expect(remainingBudgetUsd(rooms)).toEqual({ 'aws-auto-tagging': 0.007, 'google-auto-tagging': 0 });
  });

  it('lets exactly three Vision images through $0.0045 at $1.50 per 1,000, the fourth passes it', () => {
    expect(budgetsExceeded(3, [vision(0)])).toEqual([]);
    expect(budgetsExceeded(4, [vision(0)]).map((room) => room.name)).toEqual(['google-auto-tagging']);
    expect(budgetsExceeded(1, [vision(0.003)])).toEqual([]);
    expect(budgetsExceeded(2, [vision(0.003)])).toHaveLength(1);
  });

  it('finds a budget spent once it no longer covers one more image', () => {
    expect(budgetsSpent([vision(0.003)])).toEqual([]);
    expect(budgetsSpent([vision(0.0031)])).toEqual(['google-auto-tagging']);
    expect(budgetsSpent([budgetRoom('aws-auto-tagging', { 'aws-auto-tagging': 0 }, LIST_PRICES, 0)])).toEqual(['aws-auto-tagging']);
  });

  it('never refuses an extension that costs nothing', () => {
    const free = budgetRoom('aws-auto-tagging', { 'aws-auto-tagging': 0 }, { ...LIST_PRICES, 'aws-auto-tagging': 0 }, 0);
    expect(budgetsExceeded(1_000_000, [free])).toEqual([]);
    expect(budgetsSpent([free])).toEqual([]);
  });
});

describe('jobOverBudget', () => {
  it('answers 400 naming the extension, the images, the cost, what remains and when it resets, with the dry run’s numbers', () => {
    const rooms = [budgetRoom('aws-auto-tagging', BUDGETS, LIST_PRICES, microUsd(0.004))];
    const error = jobOverBudget({ total: 12, estimatedProviderCostUsd: 0.012 }, rooms, budgetsExceeded(12, rooms), NOVEMBER);
    expect(error.status).toBe(400);
    expect(error.message).toBe(
      'The tagging job would pass its monthly budget: 12 images with aws-auto-tagging would cost $0.012, more than the $0.006 left of its monthly budget of $0.01 (it resets at 2026-12-01T00:00:00.000Z)',
    );
    expect(error.help).toBe(
      'Nothing was started. Set maxFiles to at most 6 or narrow the selection, wait until the budget resets, or raise AITAGS_MONTHLY_BUDGET_USD. A dry run shows remainingBudgetUsd.',
    );
    expect(error.details).toEqual({ total: 12, estimatedProviderCostUsd: 0.012, remainingBudgetUsd: { 'aws-auto-tagging': 0.006 } });
  });

  it('suggests no maxFiles when nothing remains, and names every budget passed', () => {
    const rooms = [budgetRoom('aws-auto-tagging', BUDGETS, LIST_PRICES, microUsd(0.01)), budgetRoom('google-auto-tagging', BUDGETS, LIST_PRICES, 0)];
    const error = jobOverBudget({ total: 5, estimatedProviderCostUsd: 0.0125 }, rooms, budgetsExceeded(5, rooms), NOVEMBER);
    expect(error.message).toContain('5 images with aws-auto-tagging would cost $0.005, more than the $0 left');
    expect(error.message).toContain('5 images with google-auto-tagging would cost $0.0075, more than the $0.0045 left');
    expect(error.help).toBe(
      'Nothing was started, and nothing remains of the budget this month: wait until it resets, or raise AITAGS_MONTHLY_BUDGET_USD. A dry run shows remainingBudgetUsd.',
    );
  });

  it('says why a job planned in the background was not started', () => {
    const rooms = [budgetRoom('google-auto-tagging', BUDGETS, LIST_PRICES, 0)];
    expect(jobOverBudgetMessage(4, budgetsExceeded(4, rooms), NOVEMBER)).toBe(
      'The job was not started: 4 images with google-auto-tagging would cost $0.006, more than the $0.0045 left of its monthly budget of $0.0045 (it resets at 2026-12-01T00:00:00.000Z)',
    );
  });
});

describe('a job’s file and its budget', () => {
  const refused = { name: 'google-auto-tagging' as const, status: 'failed', error: { reason: 'BUDGET_EXCEEDED' } };

  it('counts a file whose every failure is its budget’s refusal as skipped, any other failure as failed', () => {
    expect(jobFileOutcome([refused])).toBe('skipped');
    expect(jobFileOutcome([{ name: 'aws-auto-tagging', status: 'success' }, refused])).toBe('skipped');
    expect(jobFileOutcome([{ status: 'failed', error: { reason: 'PROVIDER_UNAVAILABLE' } }, refused])).toBe('failed');
    expect(jobFileOutcome([{ status: 'success' }])).toBe('succeeded');
    expect(jobFileOutcome([{ status: 'failed', error: { reason: 'SUPERSEDED' } }])).toBe('skipped');
  });

  it('names the extensions whose budget refused the file', () => {
    expect(budgetRefusals([{ name: 'aws-auto-tagging', status: 'success' }, refused])).toEqual(['google-auto-tagging']);
  });

  it('says how many files a budget stopped and whose, with when budgets reset', () => {
    expect(budgetStop(6, ['aws-auto-tagging'], NOVEMBER)).toEqual({
      reason: 'BUDGET_EXCEEDED',
      message:
        'The job stopped tagging when the monthly budget of aws-auto-tagging was spent: 6 files were skipped, not tagged. Budgets reset at 2026-12-01T00:00:00.000Z; a job then can tag them.',
      extensions: ['aws-auto-tagging'],
      skipped: 6,
    });
  });
});
