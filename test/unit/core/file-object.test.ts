import { describe, expect, it } from 'vitest';
import { toFileObject, toUploadResponse } from '../../../functions/core/file-object.js';
import { fileRecord, pdfFacts } from '../../support/sample-files.js';

const urls = {
  url: 'https://cdn.example.com/holidays/beach.jpg',
  thumbnail: 'https://cdn.example.com/tr:n-ik_ml_thumbnail/holidays/beach.jpg',
};

const awsBeach = { name: 'Beach', confidence: 99.5, source: 'aws-auto-tagging' };
const awsCat = { name: 'cat', confidence: 75.25, source: 'aws-auto-tagging' };
const googleSea = { name: 'Sea', confidence: 97.12, source: 'google-auto-tagging' };
const googleCat = { name: 'Cat', confidence: 80, source: 'google-auto-tagging' };

describe('toFileObject', () => {
  it("renders an image record as ImageKit's File object, AI tags grouped aws first", () => {
    // Act
    const object = toFileObject(fileRecord(), urls);

    // Assess
    expect(object).toStrictEqual({
      fileId: '65f1c0ffee0000000000abcd',
      type: 'file',
      name: 'beach.jpg',
      filePath: '/holidays/beach.jpg',
      url: urls.url,
      thumbnail: urls.thumbnail,
      fileType: 'image',
      mime: 'image/jpeg',
      width: 640,
      height: 480,
      size: 2048,
      hasAlpha: false,
      tags: ['summer', 'sea'],
      AITags: [awsBeach, awsCat, googleSea, googleCat],
      customCoordinates: '10,10,100,120',
      customMetadata: { brand: 'acme', season: 'summer' },
      isPrivateFile: false,
      createdAt: '2024-05-01T10:00:00.000Z',
      updatedAt: '2024-05-02T11:00:00.000Z',
      extensionStatus: { 'aws-auto-tagging': 'success', 'google-auto-tagging': 'success' },
    });
  });

  it('omits width and height for a non-image and extensionStatus when no extension ran', () => {
    // Prepare
    const {
      width: _width,
      height: _height,
      ...untagged
    } = fileRecord({
      ...pdfFacts,
      name: 'terms.pdf',
      filePath: '/docs/terms.pdf',
      tags: null,
      customCoordinates: null,
      customMetadata: {},
      aiTags: {},
      extensionStatus: {},
      extensionRuns: {},
    });

    // Act
    const object = toFileObject(untagged, urls);

    // Assess
    expect(object).toStrictEqual({
      fileId: '65f1c0ffee0000000000abcd',
      type: 'file',
      name: 'terms.pdf',
      filePath: '/docs/terms.pdf',
      url: urls.url,
      thumbnail: urls.thumbnail,
      fileType: 'non-image',
      mime: 'application/pdf',
      size: 1234,
      hasAlpha: false,
      tags: null,
      AITags: null,
      customCoordinates: null,
      customMetadata: {},
      isPrivateFile: false,
      createdAt: '2024-05-01T10:00:00.000Z',
      updatedAt: '2024-05-02T11:00:00.000Z',
    });
  });

  it('reports a pending extension in extensionStatus', () => {
    // Prepare
    const record = fileRecord({ aiTags: {}, extensionStatus: { 'google-auto-tagging': 'pending' } });

    // Act
    const object = toFileObject(record, urls);

    // Assess
    expect(object.AITags).toBeNull();
    expect(object.extensionStatus).toEqual({ 'google-auto-tagging': 'pending' });
  });
});

describe('toUploadResponse', () => {
  const baseResponse = {
    fileId: '65f1c0ffee0000000000abcd',
    name: 'beach.jpg',
    filePath: '/holidays/beach.jpg',
    url: urls.url,
    thumbnailUrl: urls.thumbnail,
    size: 2048,
    width: 640,
    height: 480,
    fileType: 'image',
    mime: 'image/jpeg',
    hasAlpha: false,
    AITags: [awsBeach, awsCat, googleSea, googleCat],
  };

  it('answers with the upload fields only when no responseFields were asked for', () => {
    // Act
    const response = toUploadResponse(fileRecord(), urls, [], undefined);

    // Assess
    expect(response).toStrictEqual(baseResponse);
  });

  it('adds exactly the responseFields asked for', () => {
    // Act
    const some = toUploadResponse(fileRecord(), urls, ['tags', 'isPrivateFile'], undefined);
    const all = toUploadResponse(fileRecord(), urls, ['tags', 'customCoordinates', 'isPrivateFile', 'customMetadata'], undefined);

    // Assess
    expect(some).toStrictEqual({ ...baseResponse, tags: ['summer', 'sea'], isPrivateFile: false });
    expect(all).toStrictEqual({
      ...baseResponse,
      tags: ['summer', 'sea'],
      customCoordinates: '10,10,100,120',
      isPrivateFile: false,
      customMetadata: { brand: 'acme', season: 'summer' },
    });
  });

  it('includes extensionStatus only when it is given and non-empty', () => {
    // Prepare
    const status = { 'aws-auto-tagging': 'success', 'google-auto-tagging': 'pending' } as const;

    // Act
    const withStatus = toUploadResponse(fileRecord(), urls, [], status);
    const withEmpty = toUploadResponse(fileRecord(), urls, [], {});

    // Assess
    expect(withStatus).toStrictEqual({ ...baseResponse, extensionStatus: status });
    expect(withEmpty).toStrictEqual(baseResponse);
  });

  it('omits width and height for a non-image and answers AITags null when there are none', () => {
    // Prepare
    const { width: _width, height: _height, ...pdf } = fileRecord({ ...pdfFacts, aiTags: {} });

    // Act
    const response = toUploadResponse(pdf, urls, [], undefined);

    // Assess
    expect(response).toStrictEqual({
      fileId: '65f1c0ffee0000000000abcd',
      name: 'beach.jpg',
      filePath: '/holidays/beach.jpg',
      url: urls.url,
      thumbnailUrl: urls.thumbnail,
      size: 1234,
      fileType: 'non-image',
      mime: 'application/pdf',
      hasAlpha: false,
      AITags: null,
    });
  });
});
