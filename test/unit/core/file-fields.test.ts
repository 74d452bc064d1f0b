import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../functions/core/errors.js';
import { normalizeFolder, sanitizeFileName } from '../../../functions/core/file-fields.js';
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
