import { describe, expect, it } from 'vitest';
import { withUniqueSuffix } from '../../../functions/core/file-fields.js';
import { toFileObject } from '../../../functions/core/file-object.js';
import { type AITag, flattenAITags, newFileRecord, objectKeys, overwriteFileRecord, THUMBNAIL_SEGMENT } from '../../../functions/core/file-record.js';
import { deepFreeze, fileRecord, jpegFacts, pdfFacts, uploadRequest } from '../../support/sample-files.js';
import { thrownApiError } from '../../support/thrown-api-error.js';

const NOW = '2024-06-01T12:00:00.000Z';
const urls = { url: 'https://cdn.example.com/a', thumbnail: 'https://cdn.example.com/t' };

describe('newFileRecord', () => {
  it('builds version 1 of a record from the request and the content facts', () => {
    // Prepare
    const request = uploadRequest({
      isPrivateFile: true,
      tags: ['summer'],
      customCoordinates: '1,2,3,4',
      customMetadata: { brand: 'acme' },
    });

    // Act
    const record = newFileRecord('65f1c0ffee0000000000abcd', '/holidays/beach_k3J9x.jpg', request, jpegFacts, NOW);

    // Assess
    expect(record).toEqual({
      size: 2048,
      mime: 'image/jpeg',
      fileType: 'image',
      width: 640,
      height: 480,
      hasAlpha: false,
      hasThumbnail: true,
      fileId: '65f1c0ffee0000000000abcd',
      version: 1,
      name: 'beach_k3J9x.jpg',
      filePath: '/holidays/beach_k3J9x.jpg',
      isPrivateFile: true,
      tags: ['summer'],
      customCoordinates: '1,2,3,4',
      customMetadata: { brand: 'acme' },
      aiTags: {},
      extensionStatus: {},
      extensionRuns: {},
      extensionErrors: {},
      pendingWebhooks: {},
      createdAt: NOW,
      updatedAt: NOW,
    });
  });

  it('stores customMetadata as {} when the request has none', () => {
    // Act
    const record = newFileRecord('65f1c0ffee0000000000abcd', '/beach.jpg', uploadRequest(), pdfFacts, NOW);

    // Assess
    expect(record.customMetadata).toEqual({});
    expect(record.name).toBe('beach.jpg');
  });
});

describe('overwriteFileRecord', () => {
  it('refuses with a 400 naming the path when overwriteFile is false', () => {
    // Act
    const error = thrownApiError(() => overwriteFileRecord(fileRecord(), uploadRequest({ overwriteFile: false }), jpegFacts, NOW));

    // Assess
    expect(error.status).toBe(400);
    expect(error.message).toBe('A file already exists at /holidays/beach.jpg');
    expect(error.help).not.toBe('');
  });

  it('keeps the identity of the file and takes the new content, visibility and coordinates', () => {
    // Prepare
    const existing = fileRecord();
    const content = { ...jpegFacts, size: 4096, width: 800, height: 600, hasAlpha: true };
    const request = uploadRequest({ isPrivateFile: true, customCoordinates: '0,0,8,6' });

    // Act
    const next = overwriteFileRecord(existing, request, content, NOW);

    // Assess
    expect(next).toMatchObject({
      fileId: existing.fileId,
      version: existing.version,
      name: existing.name,
      filePath: existing.filePath,
      createdAt: existing.createdAt,
      updatedAt: NOW,
      size: 4096,
      width: 800,
      height: 600,
      hasAlpha: true,
      isPrivateFile: true,
      customCoordinates: '0,0,8,6',
    });
  });

  /** Google's run failed: its status, run and error are all on the record. */
  const taggedRecord = () =>
    fileRecord({
      extensionStatus: { 'aws-auto-tagging': 'success', 'google-auto-tagging': 'failed' },
      extensionErrors: { 'google-auto-tagging': { message: 'Vision could not read the image', reason: 'unsupported-format' } },
    });

  it('clears AI tags and every extension state when overwriteAITags is true', () => {
    // Act
    const next = overwriteFileRecord(taggedRecord(), uploadRequest({ overwriteAITags: true }), jpegFacts, NOW);

    // Assess
    expect(next).toMatchObject({ aiTags: {}, extensionStatus: {}, extensionRuns: {}, extensionErrors: {} });
  });

  it('keeps AI tags and every extension state when overwriteAITags is false', () => {
    // Prepare
    const existing = taggedRecord();

    // Act
    const next = overwriteFileRecord(existing, uploadRequest({ overwriteAITags: false }), jpegFacts, NOW);

    // Assess
    expect(next).toMatchObject({
      aiTags: existing.aiTags,
      extensionStatus: { 'aws-auto-tagging': 'success', 'google-auto-tagging': 'failed' },
      extensionRuns: { 'aws-auto-tagging': 'run-aws-1', 'google-auto-tagging': 'run-google-1' },
      extensionErrors: { 'google-auto-tagging': { message: 'Vision could not read the image', reason: 'unsupported-format' } },
    });
  });

  it('replaces tags when overwriteTags is true, even with none', () => {
    // Prepare
    const existing = fileRecord({ tags: ['summer', 'sea'] });

    // Act
    const replaced = overwriteFileRecord(existing, uploadRequest({ overwriteTags: true, tags: ['winter'] }), jpegFacts, NOW);
    const cleared = overwriteFileRecord(existing, uploadRequest({ overwriteTags: true, tags: null }), jpegFacts, NOW);

    // Assess
    expect(replaced.tags).toEqual(['winter']);
    expect(cleared.tags).toBeNull();
  });

  it('unions old and new tags without repeats when overwriteTags is false', () => {
    // Prepare
    const request = uploadRequest({ overwriteTags: false, tags: ['sea', 'winter'] });

    // Act
    const both = overwriteFileRecord(fileRecord({ tags: ['summer', 'sea'] }), request, jpegFacts, NOW);
    const onlyNew = overwriteFileRecord(fileRecord({ tags: null }), request, jpegFacts, NOW);
    const none = overwriteFileRecord(fileRecord({ tags: null }), uploadRequest({ overwriteTags: false, tags: null }), jpegFacts, NOW);

    // Assess
    expect(both.tags).toEqual(['summer', 'sea', 'winter']);
    expect(onlyNew.tags).toEqual(['sea', 'winter']);
    expect(none.tags).toBeNull();
  });

  it('replaces customMetadata when overwriteCustomMetadata is true, with {} when none is sent', () => {
    // Prepare
    const existing = fileRecord({ customMetadata: { brand: 'acme', season: 'summer' } });

    // Act
    const replaced = overwriteFileRecord(existing, uploadRequest({ customMetadata: { size: 'L' } }), jpegFacts, NOW);
    const cleared = overwriteFileRecord(existing, uploadRequest({ customMetadata: undefined }), jpegFacts, NOW);

    // Assess
    expect(replaced.customMetadata).toEqual({ size: 'L' });
    expect(cleared.customMetadata).toEqual({});
  });

  it('merges customMetadata key by key when overwriteCustomMetadata is false', () => {
    // Prepare
    const existing = fileRecord({ customMetadata: { brand: 'acme', season: 'summer' } });

    // Act
    const merged = overwriteFileRecord(
      existing,
      uploadRequest({ overwriteCustomMetadata: false, customMetadata: { season: 'winter', size: 'L' } }),
      jpegFacts,
      NOW,
    );
    const kept = overwriteFileRecord(existing, uploadRequest({ overwriteCustomMetadata: false }), jpegFacts, NOW);

    // Assess
    expect(merged.customMetadata).toEqual({ brand: 'acme', season: 'winter', size: 'L' });
    expect(kept.customMetadata).toEqual({ brand: 'acme', season: 'summer' });
  });

  // Fails against the current source: `{ ...existing, ...content }` keeps the old image's width/height
  // because a non-image's ContentFacts has no width/height keys to overwrite them with.
  it('drops the old width and height when an image is overwritten by a non-image', () => {
    // Prepare
    const existing = fileRecord();

    // Act
    const next = overwriteFileRecord(existing, uploadRequest({ fileName: 'beach.jpg' }), pdfFacts, NOW);

    // Assess
    expect(next).toMatchObject({ fileType: 'non-image', mime: 'application/pdf', size: 1234, hasThumbnail: false });
    expect(next.width).toBeUndefined();
    expect(next.height).toBeUndefined();
    expect(toFileObject(next, urls)).not.toHaveProperty('width');
  });

  it('does not mutate the record it overwrites', () => {
    // Prepare
    const existing = deepFreeze(fileRecord());
    const before = structuredClone(existing);

    // Act
    overwriteFileRecord(
      existing,
      uploadRequest({ overwriteTags: false, overwriteCustomMetadata: false, overwriteAITags: false, tags: ['x'], customMetadata: { a: 1 } }),
      jpegFacts,
      NOW,
    );

    // Assess
    expect(existing).toEqual(before);
  });
});

describe('objectKeys', () => {
  it('puts a public file and its thumbnail under public/', () => {
    expect(objectKeys({ filePath: '/holidays/beach.jpg', isPrivateFile: false, hasThumbnail: true })).toEqual({
      original: 'public/holidays/beach.jpg',
      thumbnail: 'public/tr:n-ik_ml_thumbnail/holidays/beach.jpg',
    });
  });

  it('puts a private file and its thumbnail under private/', () => {
    expect(objectKeys({ filePath: '/beach.jpg', isPrivateFile: true, hasThumbnail: true })).toEqual({
      original: 'private/beach.jpg',
      thumbnail: `private/${THUMBNAIL_SEGMENT}/beach.jpg`,
    });
  });

  it('has no thumbnail key for a file without a thumbnail', () => {
    expect(objectKeys({ filePath: '/docs/a.pdf', isPrivateFile: false, hasThumbnail: false })).toEqual({
      original: 'public/docs/a.pdf',
      thumbnail: undefined,
    });
    expect(objectKeys({ filePath: '/docs/a.pdf', isPrivateFile: true, hasThumbnail: false })).toEqual({
      original: 'private/docs/a.pdf',
      thumbnail: undefined,
    });
  });
});

describe('flattenAITags', () => {
  const awsTag: AITag = { name: 'Beach', confidence: 99.5, source: 'aws-auto-tagging' };
  const googleTag: AITag = { name: 'Sea', confidence: 97.12, source: 'google-auto-tagging' };

  it('lists the aws-auto-tagging group before the google-auto-tagging group, whatever the key order', () => {
    // Prepare
    const aiTags = { 'google-auto-tagging': [googleTag], 'aws-auto-tagging': [awsTag] };

    // Act
    const flat = flattenAITags(aiTags);

    // Assess
    expect(flat).toEqual([awsTag, googleTag]);
  });

  it('keeps the order within each group', () => {
    // Prepare
    const second: AITag = { name: 'Sand', confidence: 90, source: 'aws-auto-tagging' };

    // Act
    const flat = flattenAITags({ 'aws-auto-tagging': [awsTag, second] });

    // Assess
    expect(flat).toEqual([awsTag, second]);
  });

  it('is null when there are no tags', () => {
    expect(flattenAITags({})).toBeNull();
    expect(flattenAITags({ 'aws-auto-tagging': [], 'google-auto-tagging': [] })).toBeNull();
  });
});

describe('withUniqueSuffix', () => {
  it.each([
    { name: 'beach.jpg', unique: 'beach_k3J9x_2a.jpg' },
    { name: 'archive.tar.gz', unique: 'archive.tar_k3J9x_2a.gz' },
    { name: 'README', unique: 'README_k3J9x_2a' },
    { name: '.env', unique: '.env_k3J9x_2a' },
  ])('turns $name into $unique', ({ name, unique }) => {
    expect(withUniqueSuffix(name, 'k3J9x_2a')).toBe(unique);
  });
});
