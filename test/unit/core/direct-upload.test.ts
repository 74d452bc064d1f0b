import { describe, expect, it } from 'vitest';
import { classifyInboxObject } from '../../../functions/core/direct-upload.js';

describe('classifyInboxObject', () => {
  it('stores a name of 233 characters and a folder name of 255, the most the local S3 server keeps', () => {
    // Prepare
    const key = `ingest/${'f'.repeat(255)}/${'n'.repeat(229)}.jpg`;

    // Act
    const object = classifyInboxObject(key);

    // Assess
    expect(object).toEqual({ kind: 'ingest', key, folder: `/${'f'.repeat(255)}/`, fileName: `${'n'.repeat(229)}.jpg` });
  });

  it.each([
    {
      case: 'a folder name of 256 characters',
      key: `ingest/${'f'.repeat(256)}/a.jpg`,
      reason: `folder: the folder name "${'f'.repeat(40)}…" is 256 characters long; a folder name may be at most 255`,
    },
    {
      case: 'a file name of 234 characters',
      key: `ingest/a/${'n'.repeat(230)}.jpg`,
      reason: 'fileName is 234 characters long; a file name may be at most 233',
    },
    { case: 'a ".." segment', key: 'ingest/a/../b.jpg', reason: 'folder must not contain a ".." segment' },
  ])('ignores an object with $case, saying why, rather than failing to store it', ({ key, reason }) => {
    expect(classifyInboxObject(key)).toEqual({ kind: 'ignored', key, reason });
  });
});
