import { describe, expect, it } from 'vitest';
import { MAX_FOLDER_CHARS, MAX_FOLDER_NAME_BYTES, MAX_STORED_NAME_BYTES, normalizeFolder } from '../../../functions/core/file-fields.js';
import { objectKeys } from '../../../functions/core/file-record.js';
import { topFolderOf } from '../../../functions/core/search-index.js';
import {
  folderPartition,
  MAX_PARTITION_KEY_BYTES,
  MAX_SORT_KEY_BYTES,
  MAX_TAG_BYTES,
  oversizedTagBytes,
  pathKey,
  tagEntryKey,
  tagPartition,
  utf8Bytes,
} from '../../../functions/core/table-keys.js';

/** S3's limit on an object key, in UTF-8 bytes. */
const MAX_S3_KEY_BYTES = 1024;

describe('oversizedTagBytes', () => {
  it('counts UTF-8 bytes, not characters: 700 × "€" is 2,100 bytes, over a tag entry’s key', () => {
    // Prepare
    const tag = '€'.repeat(700);

    // Act
    const bytes = oversizedTagBytes(tag);

    // Assess
    expect(tag).toHaveLength(700);
    expect(bytes).toBe(2100);
  });

  it('lets a tag of exactly MAX_TAG_BYTES through, and its entry key is then exactly DynamoDB’s limit', () => {
    // Prepare
    const fileId = '8dbfb23e5171b6df567dd6d6';
    const longest = '€'.repeat(673);
    const oneMore = `${longest}a`;

    // Act
    const fits = oversizedTagBytes(longest);
    const over = oversizedTagBytes(oneMore);

    // Assess
    expect(MAX_TAG_BYTES).toBe(2019);
    expect(utf8Bytes(longest)).toBe(MAX_TAG_BYTES);
    expect(fits).toBeUndefined();
    expect(utf8Bytes(tagEntryKey(fileId, longest))).toBe(MAX_PARTITION_KEY_BYTES);
    expect(utf8Bytes(tagPartition(longest))).toBeLessThanOrEqual(MAX_PARTITION_KEY_BYTES);
    expect(over).toBe(2020);
  });

  it('measures the tag as the index keys it, lowercased: "İ" is 2 bytes but lowercases to 3', () => {
    // Prepare
    const tag = 'İ'.repeat(700);

    // Act
    const bytes = oversizedTagBytes(tag);

    // Assess
    expect(utf8Bytes(tag)).toBe(1400);
    expect(bytes).toBe(2100);
  });

  it('counts a character outside the BMP as 4 bytes', () => {
    expect(oversizedTagBytes('😀'.repeat(505))).toBe(2020);
    expect(oversizedTagBytes('😀'.repeat(504))).toBeUndefined();
  });
});

describe('path keys', () => {
  it('the longest path an upload can make fits its claim’s key, its index keys and the S3 keys of its bytes', () => {
    // Prepare: two folder names at their limit, a third up to the folder's, then the longest stored name.
    const folder = normalizeFolder(`/${'a'.repeat(MAX_FOLDER_NAME_BYTES)}/${'b'.repeat(MAX_FOLDER_NAME_BYTES)}/${'c'.repeat(186)}/`);
    const filePath = `${folder}${'n'.repeat(MAX_STORED_NAME_BYTES)}`;

    // Act
    const { original, thumbnail } = objectKeys({ filePath, isPrivateFile: true, hasThumbnail: true });

    // Assess
    expect(folder).toHaveLength(MAX_FOLDER_CHARS);
    expect(utf8Bytes(pathKey(filePath))).toBeLessThanOrEqual(MAX_PARTITION_KEY_BYTES);
    expect(utf8Bytes(folderPartition(topFolderOf(filePath)))).toBeLessThanOrEqual(MAX_PARTITION_KEY_BYTES);
    expect(utf8Bytes(filePath)).toBeLessThanOrEqual(MAX_SORT_KEY_BYTES);
    expect(utf8Bytes(original)).toBeLessThanOrEqual(MAX_S3_KEY_BYTES);
    expect(utf8Bytes(thumbnail ?? '')).toBeLessThanOrEqual(MAX_S3_KEY_BYTES);
  });
});
