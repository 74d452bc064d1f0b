import type { ContentFacts, FileRecord } from '../../functions/core/file-record.js';
import type { UploadRequest } from '../../functions/core/upload-request.js';

/** Realistic records and requests the unit tests start from; each test overrides what it is about. */

export const jpegFacts: ContentFacts = {
  size: 2048,
  mime: 'image/jpeg',
  fileType: 'image',
  width: 640,
  height: 480,
  hasAlpha: false,
  hasThumbnail: true,
};

/** As the content inspector reports a non-image: no width/height keys at all. */
export const pdfFacts: ContentFacts = {
  size: 1234,
  mime: 'application/pdf',
  fileType: 'non-image',
  hasAlpha: false,
  hasThumbnail: false,
};

export function uploadRequest(overrides: Partial<UploadRequest> = {}): UploadRequest {
  return {
    bytes: Buffer.from('jpeg bytes'),
    fileName: 'beach.jpg',
    useUniqueFileName: false,
    folder: '/holidays/',
    tags: null,
    isPrivateFile: false,
    customCoordinates: null,
    customMetadata: undefined,
    extensions: [],
    webhookUrl: undefined,
    overwriteFile: true,
    overwriteAITags: true,
    overwriteTags: true,
    overwriteCustomMetadata: true,
    responseFields: [],
    ...overrides,
  };
}

/** A tagged image; google's tags are listed first on purpose (the File object must put aws first). */
export function fileRecord(overrides: Partial<FileRecord> = {}): FileRecord {
  return {
    ...jpegFacts,
    fileId: '65f1c0ffee0000000000abcd',
    version: 3,
    name: 'beach.jpg',
    filePath: '/holidays/beach.jpg',
    isPrivateFile: false,
    tags: ['summer', 'sea'],
    customCoordinates: '10,10,100,120',
    customMetadata: { brand: 'acme', season: 'summer' },
    aiTags: {
      'google-auto-tagging': [
        { name: 'Sea', confidence: 97.12, source: 'google-auto-tagging' },
        { name: 'Cat', confidence: 80, source: 'google-auto-tagging' },
      ],
      'aws-auto-tagging': [
        { name: 'Beach', confidence: 99.5, source: 'aws-auto-tagging' },
        { name: 'cat', confidence: 75.25, source: 'aws-auto-tagging' },
      ],
    },
    extensionStatus: { 'aws-auto-tagging': 'success', 'google-auto-tagging': 'success' },
    extensionRuns: { 'aws-auto-tagging': 'run-aws-1', 'google-auto-tagging': 'run-google-1' },
    extensionErrors: {},
    pendingWebhooks: {},
    createdAt: '2024-05-01T10:00:00.000Z',
    updatedAt: '2024-05-02T11:00:00.000Z',
    ...overrides,
  };
}

/** Freezes a value and everything it holds, so a function that mutates its input throws. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
