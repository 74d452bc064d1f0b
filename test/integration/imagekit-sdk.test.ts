import ImageKit, { NotFoundError, toFile } from '@imagekit/nodejs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jpeg } from '../support/images.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

let stack: TestStack;
let client: ImageKit;

beforeAll(async () => {
  stack = await startTestStack();
  // The official SDK, unchanged: only its base URL points at aitags.
  client = new ImageKit({ privateKey: stack.privateKey, baseURL: stack.apiUrl, maxRetries: 0 });
});
afterAll(async () => {
  await stack?.close();
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
