import { describe, expect, it } from 'vitest';
import { availabilityOf, availableNames, budgetSentence } from '../../web/extension-availability.js';
import { defaultChoice } from '../../web/extension-choice.js';

const lastFailure = { reason: 'PROVIDER_UNAVAILABLE', message: 'The provider kept failing after retries', at: '2026-12-01T10:00:00.000Z' };

describe('availabilityOf', () => {
  it('reads GET /v1/status: availability, reason, help and the last failure of each extension', () => {
    const body = {
      version: '0.1.0',
      extensions: {
        'aws-auto-tagging': { available: false, reason: 'MISSING_CREDENTIALS', help: 'Set AWS_ACCESS_KEY_ID…' },
        'google-auto-tagging': { available: true, lastFailure },
      },
    };
    expect(availabilityOf(body)).toEqual({
      'aws-auto-tagging': { available: false, reason: 'MISSING_CREDENTIALS', help: 'Set AWS_ACCESS_KEY_ID…' },
      'google-auto-tagging': { available: true, lastFailure },
    });
  });

  it('keeps only well-formed entries of extensions it knows', () => {
    const body = {
      extensions: {
        'aws-auto-tagging': { available: 'no' },
        'google-auto-tagging': { available: true, help: 3, lastFailure: { message: 'no reason' } },
        'azure-auto-tagging': { available: false },
      },
    };
    expect(availabilityOf(body)).toEqual({ 'google-auto-tagging': { available: true } });
    expect(availabilityOf(null)).toEqual({});
    expect(availabilityOf({ extensions: [] })).toEqual({});
  });

  it('reads each extension’s budget and says it in words, a malformed one dropped', () => {
    const budget = { monthlyUsd: 50, spentUsd: 0.0045, resetsAt: '2027-01-01T00:00:00.000Z' };
    const body = {
      extensions: {
        'aws-auto-tagging': { available: true, budget },
        'google-auto-tagging': { available: true, budget: { monthlyUsd: '50', spentUsd: 1, resetsAt: '2027-01-01T00:00:00.000Z' } },
      },
    };
    expect(availabilityOf(body)).toEqual({ 'aws-auto-tagging': { available: true, budget }, 'google-auto-tagging': { available: true } });
    expect(budgetSentence(budget)).toMatch(/^\$0\.0045 of \$50\.00 spent this month, resets /);
  });
});

describe('the default choice', () => {
  it('ticks every extension not known to be unavailable', () => {
    expect(availableNames({})).toEqual(['aws-auto-tagging', 'google-auto-tagging']);
    expect(availableNames({ 'aws-auto-tagging': { available: false } })).toEqual(['google-auto-tagging']);
    expect(defaultChoice({ 'aws-auto-tagging': { available: false }, 'google-auto-tagging': { available: false } }).names).toEqual([]);
  });
});
