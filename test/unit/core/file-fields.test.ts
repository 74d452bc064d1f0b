import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../functions/core/errors.js';
import {
  checkCustomMetadata,
  checkCustomMetadataJson,
  checkStoredName,
  checkTags,
  normalizeFolder,
  sanitizeFileName,
} from '../../../functions/core/file-fields.js';
import { objectKeys, THUMBNAIL_SEGMENT } from '../../../functions/core/file-record.js';
import { thrownApiError } from '../../support/thrown-api-error.js';

/** Any text, with the separators and dots that folder and file names are made of well represented. */
const pathText = fc.string({ unit: fc.constantFrom('a', 'Z', '0', '.', '/', '-', '_', ' ', ':', '%', 'é'), maxLength: 40 });

/** Runs `act`; undefined when it refuses the input with a 400 (refusals are tested elsewhere). */
function unlessRefused<T>(act: () => T): T | undefined {
  try {
    return act();
  } catch (error) {
    if (error instanceof ApiError && error.status === 400) return undefined;
    throw error;
  }
}

describe('normalizeFolder properties', () => {
  it('yields "/" or "/a/b/" with only safe characters, no empty, "." or ".." segment, and is idempotent', () => {
    fc.assert(
      fc.property(pathText, (folder) => {
        // Act
        const normalized = unlessRefused(() => normalizeFolder(folder));
        fc.pre(normalized !== undefined);

        // Assess
        expect(normalized).toMatch(/^\/(?:[A-Za-z0-9._-]+\/)*$/);
        expect(
          normalized
            .split('/')
            .slice(1, -1)
            .every((segment) => segment !== '.' && segment !== '..'),
        ).toBe(true);
        expect(normalizeFolder(normalized)).toBe(normalized);
      }),
    );
  });

  it('refuses a folder exactly when it has a ".." segment', () => {
    fc.assert(
      fc.property(pathText, (folder) => {
        // Act
        const refused = unlessRefused(() => normalizeFolder(folder)) === undefined;

        // Assess
        expect(refused).toBe(folder.split('/').includes('..'));
      }),
    );
  });
});

describe('sanitizeFileName properties', () => {
  it('keeps the length and yields only safe characters, never dots only', () => {
    fc.assert(
      fc.property(
        pathText.filter((name) => !name.includes('/')),
        (fileName) => {
          // Act
          const name = unlessRefused(() => sanitizeFileName(fileName));
          fc.pre(name !== undefined);

          // Assess
          expect(name).toHaveLength(fileName.length);
          expect(name).toMatch(/^[A-Za-z0-9._-]+$/);
          expect(name).not.toMatch(/^\.+$/);
        },
      ),
    );
  });

  it('never yields a stored path that lands among the thumbnails', () => {
    fc.assert(
      fc.property(pathText, pathText, fc.boolean(), (folder, fileName, isPrivateFile) => {
        // Prepare
        const stored = unlessRefused(() => normalizeFolder(folder) + sanitizeFileName(fileName));
        fc.pre(stored !== undefined);

        // Act
        const keys = objectKeys({ filePath: stored, isPrivateFile, hasThumbnail: false });

        // Assess
        expect(keys.original).not.toContain(THUMBNAIL_SEGMENT);
      }),
    );
  });
});

describe('checkCustomMetadata', () => {
  const refusal = (check: () => unknown) => {
    try {
      check();
    } catch (error) {
      return error instanceof ApiError ? `${error.status} ${error.message}` : `not an ApiError: ${String(error)}`;
    }
    return 'accepted';
  };
  const deep = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;

  it.each([10_000, 100_000])('refuses a document %i levels deep with a 400, not a stack overflow', (levels) => {
    expect(refusal(() => checkCustomMetadataJson(deep(levels)))).toBe(
      '400 customMetadata must be at most 10 levels deep (customMetadata.a.a.a.a.a.a.a.a.a.a is deeper)',
    );
  });

  it('refuses arrays nested past the limit by their path', () => {
    expect(refusal(() => checkCustomMetadataJson(`{"list":${'['.repeat(20)}${']'.repeat(20)}}`))).toBe(
      '400 customMetadata must be at most 10 levels deep (customMetadata.list[0][0][0][0][0][0][0][0][0] is deeper)',
    );
  });

  it('reports the first problem in document order', () => {
    expect(refusal(() => checkCustomMetadataJson('{"a":{"b":1e400,"c":1e-200},"d":9007199254740993}'))).toBe(
      '400 customMetadata: customMetadata.a.b is not a finite number',
    );
  });

  it('keeps keys such as constructor and __proto__ as data', () => {
    const metadata = checkCustomMetadataJson('{"constructor":"c","__proto__":{"x":1},"toString":2}');
    expect(Object.keys(metadata)).toEqual(['constructor', '__proto__', 'toString']);
    expect(JSON.stringify(metadata)).toBe('{"constructor":"c","__proto__":{"x":1},"toString":2}');
  });

  it('accepts exactly 10 levels', () => {
    expect(refusal(() => checkCustomMetadata(JSON.parse(deep(10)) as Record<string, unknown>))).toBe('accepted');
  });
});

describe('names the local S3 server can keep as files', () => {
  it('accepts a folder name of 255 characters and refuses one of 256, naming the field and the name', () => {
    // Prepare
    const longest = 'a'.repeat(255);

    // Act
    const accepted = normalizeFolder(`/x/${longest}/`);
    const error = thrownApiError(() => normalizeFolder(`/x/${longest}b/y/`));

    // Assess
    expect(accepted).toBe(`/x/${longest}/`);
    expect(error.status).toBe(400);
    expect(error.message).toBe(`folder: the folder name "${'a'.repeat(40)}…" is 256 characters long; a folder name may be at most 255`);
  });

  it('measures a folder name once sanitized: 256 × "€" is 256 characters of "_"', () => {
    expect(normalizeFolder(`/${'€'.repeat(255)}/`)).toBe(`/${'_'.repeat(255)}/`);
    expect(thrownApiError(() => normalizeFolder(`/${'€'.repeat(256)}/`)).message).toMatch(/^folder: the folder name "_{40}…" is 256 characters long/);
  });

  it('names the field it was given', () => {
    expect(thrownApiError(() => normalizeFolder(`/${'a'.repeat(256)}/`, 'path')).message).toMatch(/^path: the folder name /);
    expect(thrownApiError(() => normalizeFolder('/a/../b/', 'path')).message).toBe('path must not contain a ".." segment');
  });

  it('checks the stored name, with the unique suffix when it gets one, against 233 characters', () => {
    // Prepare
    const name = (length: number) => `${'n'.repeat(length - 4)}.jpg`;

    // Act
    const withSuffix = thrownApiError(() => checkStoredName(name(224), true));
    const withoutSuffix = thrownApiError(() => checkStoredName(name(234), false));

    // Assess
    expect(checkStoredName(name(223), true)).toBe(name(223));
    expect(checkStoredName(name(233), false)).toBe(name(233));
    expect(withSuffix.message).toBe('fileName is 224 characters long, 234 with the unique suffix; a file name may be at most 233');
    expect(withoutSuffix.message).toBe('fileName is 234 characters long; a file name may be at most 233');
    expect(withSuffix.help).toMatch(/at most 233 characters/);
  });
});

describe('checkTags in UTF-8 bytes', () => {
  it('refuses a tag whose index key would be over DynamoDB’s limit, naming its place in the list', () => {
    // Prepare: 700 characters, 2,100 bytes.
    const euros = '€'.repeat(700);

    // Act
    const error = thrownApiError(() => checkTags(['cat', ' ', euros]));

    // Assess
    expect(error.status).toBe(400);
    expect(error.message).toBe('tags[2] is 2100 bytes in UTF-8; a tag may be at most 2019');
    expect(error.help).toMatch(/^A tag is at most 2019 bytes in UTF-8, counted lowercased .* A file's tags are at most 500 characters in all\.$/);
    expect(thrownApiError(() => checkTags([euros], 'AITags')).message).toMatch(/^AITags\[0\] is 2100 bytes/);
    // Tags that each fit still count against the 500 characters in all.
    expect(thrownApiError(() => checkTags(['€'.repeat(300), '€'.repeat(300)])).message).toBe('tags must be at most 500 characters in all');
  });
});
