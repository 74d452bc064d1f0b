import { describe, expect, it } from 'vitest';
import type { InspectedContent } from '../../../functions/adapters/content-inspector.js';
import { FileLibrary } from '../../../functions/services/file-library.js';
import { inMemoryFiles } from '../../support/in-memory-files.js';
import { jpegFacts, uploadRequest } from '../../support/sample-files.js';

const content = (bytes: Buffer): InspectedContent => ({
  facts: { ...jpegFacts, size: bytes.length },
  thumbnail: { bytes: Buffer.from(`thumb of ${bytes}`), contentType: 'image/jpeg' },
});

async function libraryWithOneFile() {
  const files = inMemoryFiles();
  const library = new FileLibrary({ store: files.store, table: files.table, now: () => new Date('2026-01-01T00:00:00Z') });
  const first = Buffer.from('first bytes');
  const stored = await library.upload(uploadRequest({ bytes: first, tags: ['old'] }), content(first));
  return { files, library, stored, first };
}

describe('FileLibrary overwrite', () => {
  it('leaves the old file whole, record and bytes, when writing the new bytes fails', async () => {
    const { files, library, stored, first } = await libraryWithOneFile();
    files.faults.failPut = (key) => key === 'public/holidays/beach.jpg';
    const second = Buffer.from('second, longer bytes');
    await expect(library.upload(uploadRequest({ bytes: second, tags: ['new'] }), content(second))).rejects.toThrow('S3 refused');
    expect(files.objects.get('public/holidays/beach.jpg')?.bytes.toString()).toBe(first.toString());
    expect(files.records.get(stored.fileId)).toMatchObject({ size: first.length, tags: ['old'] });
  });

  it('touches no byte of the old file when another writer changed the record first', async () => {
    const { files, library, first } = await libraryWithOneFile();
    files.faults.conflictOnReplace = true;
    const second = Buffer.from('second, longer bytes');
    await expect(library.upload(uploadRequest({ bytes: second }), content(second))).rejects.toThrow('Too many concurrent uploads');
    expect(files.objects.get('public/holidays/beach.jpg')?.bytes.toString()).toBe(first.toString());
    expect(files.objects.get('public/tr:n-ik_ml_thumbnail/holidays/beach.jpg')?.bytes.toString()).toBe(`thumb of ${first}`);
  });

  it('replaces bytes and record together when nothing fails', async () => {
    const { files, library, stored } = await libraryWithOneFile();
    const second = Buffer.from('second, longer bytes');
    const written = await library.upload(uploadRequest({ bytes: second, tags: ['new'] }), content(second));
    expect(written).toMatchObject({ fileId: stored.fileId, version: stored.version + 1, size: second.length, tags: ['new'] });
    expect(files.objects.get('public/holidays/beach.jpg')?.bytes.toString()).toBe(second.toString());
  });
});

describe('FileLibrary upload with a tagging run', () => {
  const run = { runId: 'run-1', names: ['aws-auto-tagging', 'google-auto-tagging'] as const };

  it('writes a new record with the run started in it, in one write', async () => {
    const files = inMemoryFiles();
    const library = new FileLibrary({ store: files.store, table: files.table });
    const bytes = Buffer.from('new bytes');
    const stored = await library.upload(uploadRequest({ bytes }), content(bytes), { run });
    expect(stored).toMatchObject({
      version: 1,
      extensionStatus: { 'aws-auto-tagging': 'pending', 'google-auto-tagging': 'pending' },
      extensionRuns: { 'aws-auto-tagging': 'run-1', 'google-auto-tagging': 'run-1' },
    });
    expect(files.records.get(stored.fileId)).toEqual(stored);
  });

  it("starts the run in an overwrite's record, superseding an older run and clearing its errors", async () => {
    const { files, library, stored } = await libraryWithOneFile();
    const failed = { message: 'Throttled', reason: 'PROVIDER_THROTTLED' };
    files.records.set(stored.fileId, {
      ...stored,
      extensionStatus: { 'aws-auto-tagging': 'failed', 'google-auto-tagging': 'success' },
      extensionRuns: { 'aws-auto-tagging': 'run-0', 'google-auto-tagging': 'run-0' },
      extensionErrors: { 'aws-auto-tagging': failed },
    });
    const second = Buffer.from('second bytes');
    const written = await library.upload(uploadRequest({ bytes: second, overwriteAITags: false }), content(second), {
      run: { runId: 'run-1', names: ['aws-auto-tagging'] },
    });
    expect(written).toMatchObject({
      version: stored.version + 1,
      extensionStatus: { 'aws-auto-tagging': 'pending', 'google-auto-tagging': 'success' },
      extensionRuns: { 'aws-auto-tagging': 'run-1', 'google-auto-tagging': 'run-0' },
      extensionErrors: {},
    });
  });
});

describe('FileLibrary upload under a unique name', () => {
  it('claims the new name at once (no read of the path first) and takes another suffix when the name is held', async () => {
    const files = inMemoryFiles();
    const pathsRead: string[] = [];
    const claimed: string[] = [];
    const table = {
      ...files.table,
      findPath: async (filePath: string) => {
        pathsRead.push(filePath);
        return files.table.findPath(filePath);
      },
      claimPath: async (filePath: string, fileId: string, now: string) => {
        claimed.push(filePath);
        // The first name drawn is held already (another file has it): that claim must fail, not overwrite it.
        if (claimed.length === 1) await files.table.claimPath(filePath, 'someone-else', now);
        return files.table.claimPath(filePath, fileId, now);
      },
    } as typeof files.table;
    const library = new FileLibrary({ store: files.store, table });
    const bytes = Buffer.from('new bytes');
    const stored = await library.upload(uploadRequest({ bytes, useUniqueFileName: true }), content(bytes));
    expect(pathsRead).toEqual([]);
    expect(claimed).toHaveLength(2);
    expect(claimed[0]).not.toBe(claimed[1]);
    expect(stored.filePath).toBe(claimed[1]);
    expect(stored.filePath).toMatch(/^\/holidays\/beach_[A-Za-z0-9]+\.jpg$/);
    expect((await files.table.findPath(claimed[0] as string))?.fileId).toBe('someone-else');
    expect(files.records.get(stored.fileId)?.filePath).toBe(claimed[1]);
  });
});
