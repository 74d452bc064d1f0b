import ImageKit, { NotFoundError, toFile } from '@imagekit/nodejs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jpeg } from '../support/images.js';
import { type Providers, startProviders } from '../support/providers.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

let stack: TestStack;
let client: ImageKit;
let providers: Providers;

beforeAll(async () => {
  providers = await startProviders({
    rekognition: [{ name: 'Harbour', confidence: 95 }],
    vision: [{ name: 'Seascape', confidence: 91 }],
  });
  stack = await startTestStack({ ...providers.env, AITAGS_LOCAL_WAIT_SCALE: '0.01' });
  // The official SDK, unchanged: only its base URL points at aitags.
  client = new ImageKit({ privateKey: stack.privateKey, baseURL: stack.apiUrl, maxRetries: 0 });
});
afterAll(async () => {
  await stack?.close();
  await providers?.stop();
});

describe("ImageKit's official Node SDK against aitags", () => {
  it('uploads, gets, updates and deletes a file', async () => {
    const bytes = await jpeg(80, 60);
    const uploaded = await client.files.upload({
      file: await toFile(bytes, 'sdk.jpg'),
      fileName: 'sdk.jpg',
      folder: '/sdk',
      tags: ['one', 'two'],
      customMetadata: { origin: 'sdk' },
      extensions: [{ name: 'google-auto-tagging', minConfidence: 70, maxTags: 5 }],
      useUniqueFileName: false,
      responseFields: ['tags', 'customMetadata'],
    });
    expect(uploaded).toMatchObject({
      name: 'sdk.jpg',
      filePath: '/sdk/sdk.jpg',
      width: 80,
      height: 60,
      fileType: 'image',
      tags: ['one', 'two'],
      customMetadata: { origin: 'sdk' },
    });
    const fileId = uploaded.fileId as string;

    const fetched = await client.files.get(fileId);
    expect(fetched).toMatchObject({ fileId, type: 'file', filePath: '/sdk/sdk.jpg', mime: 'image/jpeg', size: bytes.length });

    const updated = await client.files.update(fileId, { tags: ['three'], customCoordinates: '1,1,10,10', removeAITags: 'all' });
    expect(updated).toMatchObject({ fileId, tags: ['three'], customCoordinates: '1,1,10,10', AITags: null });

    await client.files.delete(fileId);
    await expect(client.files.get(fileId)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('sends a base64 string file the SDK way', async () => {
    const bytes = await jpeg(7, 9);
    const uploaded = await client.files.upload({ file: bytes.toString('base64'), fileName: 'b64.jpg' });
    expect([uploaded.width, uploaded.height, uploaded.size]).toEqual([7, 9, bytes.length]);
  });

  it('surfaces a 400 with the message as an SDK error', async () => {
    const failure = await client.files
      .upload({
        file: await toFile(await jpeg(), 'x.jpg'),
        fileName: 'x.jpg',
        extensions: [{ name: 'aws-auto-tagging', minConfidence: 101, maxTags: 1 }],
      })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ImageKit.BadRequestError);
    expect((failure as InstanceType<typeof ImageKit.BadRequestError>).error).toMatchObject({
      message: 'extensions[0].minConfidence must be between 0 and 100',
    });
  });
});

describe("The SDK's list/search and bulk operations", () => {
  const upload = async (fileName: string, folder: string, tags: string[], extensions: ImageKit.Files.FileUploadParams['extensions'] = []) =>
    client.files.upload({ file: await toFile(await jpeg(20, 10), fileName), fileName, folder, tags, extensions, useUniqueFileName: false });

  it('lists and searches with assets.list', async () => {
    const cat = await upload('cat.jpg', '/search-sdk/pets', ['Cat', 'indoor']);
    const dog = await upload('dog.jpg', '/search-sdk/pets', ['dog']);
    const sea = await upload('sea.jpg', '/search-sdk/places', ['sea'], [{ name: 'google-auto-tagging', minConfidence: 0, maxTags: 3 }]);
    const aiTag = sea.AITags?.[0]?.name as string;
    expect(aiTag).toBeTruthy();
    const names = (files: ImageKit.AssetListResponse) => files.map((file) => ('name' in file ? file.name : '')).sort();

    expect(names(await client.assets.list({ searchQuery: 'tags IN ["cat"]' }))).toEqual(['cat.jpg']);
    expect(names(await client.assets.list({ searchQuery: 'tags = "CAT" OR tags = "dog"', path: '/search-sdk/pets' }))).toEqual([
      'cat.jpg',
      'dog.jpg',
    ]);
    expect(names(await client.assets.list({ searchQuery: `AITags IN ["${aiTag}"]` }))).toEqual(['sea.jpg']);
    expect(names(await client.assets.list({ searchQuery: `tags = "${aiTag}"`, path: '/search-sdk/places' }))).toEqual(['sea.jpg']);
    expect(names(await client.assets.list({ searchQuery: 'path : "/search-sdk/" AND tags NOT IN ["cat", "sea"]' }))).toEqual(['dog.jpg']);
    expect(names(await client.assets.list({ path: '/search-sdk/pets', sort: 'DESC_NAME', limit: 1 }))).toEqual(['dog.jpg']);
    expect(names(await client.assets.list({ path: '/search-sdk/pets', sort: 'DESC_NAME', limit: 1, skip: 1 }))).toEqual(['cat.jpg']);
    expect(await client.assets.list({ path: '/search-sdk/pets', type: 'folder' })).toEqual([]);
    const [listed] = await client.assets.list({ searchQuery: 'name = "cat.jpg"' });
    expect(listed).toEqual(await client.files.get(cat.fileId as string));
    expect(dog.fileId).toBeTruthy();
  });

  it('answers bad queries and parameters with 400s that say what to fix', async () => {
    const failure = await client.assets.list({ searchQuery: 'tags IN ["cat"' }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ImageKit.BadRequestError);
    expect((failure as InstanceType<typeof ImageKit.BadRequestError>).error).toMatchObject({ message: expect.stringContaining('column') });
    const relevance = await client.assets.list({ sort: 'DESC_RELEVANCE' }).catch((error: unknown) => error);
    expect((relevance as InstanceType<typeof ImageKit.BadRequestError>).error).toMatchObject({ help: expect.stringContaining('ASC_CREATED') });
    await expect(client.assets.list({ type: 'file-version' })).rejects.toBeInstanceOf(ImageKit.BadRequestError);
  });

  it('adds and removes tags in bulk, and refuses the whole batch when one file is missing', async () => {
    const one = await upload('bulk-1.jpg', '/bulk-sdk', ['keep']);
    const two = await upload('bulk-2.jpg', '/bulk-sdk', [], [{ name: 'aws-auto-tagging', minConfidence: 0, maxTags: 2 }]);
    const ids = [one.fileId as string, two.fileId as string];

    expect(await client.files.bulk.addTags({ fileIds: ids, tags: ['bulk-added'] })).toEqual({ successfullyUpdatedFileIds: ids });
    expect((await client.assets.list({ searchQuery: 'tags = "bulk-added"' })).length).toBe(2);
    expect(await client.files.bulk.removeTags({ fileIds: ids, tags: ['bulk-added'] })).toEqual({ successfullyUpdatedFileIds: ids });
    expect(await client.assets.list({ searchQuery: 'tags = "bulk-added"' })).toEqual([]);
    expect((await client.files.get(ids[0] as string)).tags).toEqual(['keep']);

    const aiTag = two.AITags?.[0]?.name as string;
    await client.files.bulk.removeAITags({ fileIds: [ids[1] as string], AITags: [aiTag] });
    expect((await client.files.get(ids[1] as string)).AITags?.map((tag) => tag.name) ?? []).not.toContain(aiTag);
    expect(await client.assets.list({ searchQuery: `AITags = "${aiTag}"`, path: '/bulk-sdk' })).toEqual([]);

    const missing = 'ffffffffffffffffffffffff';
    const failure = await client.files.bulk.addTags({ fileIds: [ids[0] as string, missing], tags: ['never'] }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(NotFoundError);
    expect((failure as InstanceType<typeof NotFoundError>).error).toMatchObject({ missingFileIds: [missing] });
    expect((await client.files.get(ids[0] as string)).tags).toEqual(['keep']);

    expect(await client.files.bulk.delete({ fileIds: ids })).toEqual({ successfullyDeletedFileIds: ids });
    await expect(client.files.get(ids[0] as string)).rejects.toBeInstanceOf(NotFoundError);
    expect(await client.assets.list({ path: '/bulk-sdk' })).toEqual([]);
  });
});
