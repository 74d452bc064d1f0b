import { describe, expect, it } from 'vitest';
import { reasonSentence } from '../../web/failure-reasons.js';

describe('reasonSentence', () => {
  it.each([
    'MISSING_CREDENTIALS',
    'ACCESS_DENIED',
    'NOT_AN_IMAGE',
    'UNSUPPORTED_IMAGE',
    'PROVIDER_UNAVAILABLE',
    'PROVIDER_ERROR',
    'TIMEOUT',
    'WORKFLOW_UNAVAILABLE',
    'FILE_DELETED',
    'SUPERSEDED',
    'INTERNAL_ERROR',
  ])('says %s as a sentence of its own, not the code', (reason) => {
    const sentence = reasonSentence(reason);
    expect(sentence).toMatch(/^[A-Za-z].*\.$/);
    expect(sentence).not.toContain(reason);
    expect(sentence).not.toBe(reasonSentence('SOMETHING_NEW'));
  });

  it('says a reason it does not know as a plain failure (the code stays in the title)', () => {
    expect(reasonSentence('SOMETHING_NEW')).toBe('Auto-tagging failed.');
  });

  it('has the sentences the page shows for the commonest reasons', () => {
    expect(reasonSentence('MISSING_CREDENTIALS')).toBe('No credentials are set up for this provider.');
    expect(reasonSentence('NOT_AN_IMAGE')).toBe('Only images can be auto-tagged.');
  });
});
