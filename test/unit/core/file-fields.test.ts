import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../functions/core/errors.js';
import { checkCustomMetadata, checkCustomMetadataJson, normalizeFolder, sanitizeFileName } from '../../../functions/core/file-fields.js';
import { objectKeys, THUMBNAIL_SEGMENT } from '../../../functions/core/file-record.js';

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
