import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blob, deleteFile, getDetails, patchDetails, upload } from '../support/requests.js';
import { jpeg, pdf, pngWithAlpha, webp } from '../support/images.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

const MAX_UPLOAD_BYTES = 64 * 1024;
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ AITAGS_MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES) });
});
afterAll(async () => {
  await stack?.close();
});

interface Uploaded {
  fileId: string;
  name: string;
  filePath: string;
  url: string;
  thumbnailUrl: string;
  size: number;
  width?: number;
  height?: number;
  fileType: string;
  mime: string;
  hasAlpha: boolean;
  AITags: unknown;
  [field: string]: unknown;
}

describe('upload', () => {
  it('stores a binary image and answers with facts read from its bytes', async () => {
    const bytes = await jpeg(64, 48);
    const { status, body } = await upload<Uploaded>(stack, { file: blob(bytes), fileName: 'red photo.jpg', useUniqueFileName: 'false' });
    expect(status).toBe(200);
    expect(body).toEqual({
      fileId: expect.stringMatching(/^[0-9a-f]{24}$/),
      name: 'red_photo.jpg',
      filePath: '/red_photo.jpg',
      url: `${stack.apiUrl}/files/red_photo.jpg`,
      thumbnailUrl: `${stack.apiUrl}/files/tr:n-ik_ml_thumbnail/red_photo.jpg`,
      size: bytes.length,
      width: 64,
      height: 48,
      fileType: 'image',
      mime: 'image/jpeg',
      hasAlpha: false,
      AITags: null,
    });
    const served = await fetch(body.url);
    expect(served.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await served.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('serves a thumbnail no larger than 200 px for a large image', async () => {
    const { body } = await upload<Uploaded>(stack, { file: blob(await webp(300, 500)), fileName: 'tall.webp' });
    expect([body.width, body.height, body.mime]).toEqual([300, 500, 'image/webp']);
    const thumbnail = await sharp(Buffer.from(await (await fetch(body.thumbnailUrl)).arrayBuffer())).metadata();
    expect([thumbnail.width, thumbnail.height]).toEqual([120, 200]);
  });

  it('reads the type from the bytes, not the file name', async () => {
    const { body } = await upload<Uploaded>(stack, { file: blob(await pngWithAlpha(40, 30), 'image/jpeg'), fileName: 'lies.jpg' });
    expect([body.mime, body.hasAlpha, body.width, body.height]).toEqual(['image/png', true, 40, 30]);
  });

  it('accepts the file as base64 and as a data URI', async () => {
    const bytes = await jpeg(10, 12);
    for (const file of [bytes.toString('base64'), `data:image/jpeg;base64,${bytes.toString('base64')}`]) {
      const { status, body } = await upload<Uploaded>(stack, { file, fileName: 'b64.jpg' });
      expect(status).toBe(200);
      expect([body.size, body.width, body.height]).toEqual([bytes.length, 10, 12]);
      expect(Buffer.from(await (await fetch(body.url)).arrayBuffer()).equals(bytes)).toBe(true);
    }
  });

  it('stores a non-image with its detected mime and no dimensions or thumbnail', async () => {
    const { status, body } = await upload<Uploaded>(stack, { file: blob(pdf()), fileName: 'doc.pdf' });
    expect(status).toBe(200);
    expect(body).toMatchObject({ fileType: 'non-image', mime: 'application/pdf', hasAlpha: false, thumbnailUrl: '' });
    expect(body).not.toHaveProperty('width');
  });

  it('gives unique names by default and normalizes the folder', async () => {
    const { body } = await upload<Uploaded>(stack, { file: blob(await jpeg()), fileName: 'cat.jpg', folder: 'pets//cats' });
    expect(body.filePath).toMatch(/^\/pets\/cats\/cat_[A-Za-z0-9]{9}\.jpg$/);
    expect(body.name).toBe(body.filePath.split('/').pop());
  });

  it('adds the fields asked for in responseFields', async () => {
    const { body } = await upload<Uploaded>(stack, {
      file: blob(await jpeg()),
      fileName: 'fields.jpg',
      tags: 'summer, beach',
      customCoordinates: '1,2,3,4',
      customMetadata: '{"brand":"acme"}',
      responseFields: 'tags,customCoordinates,isPrivateFile,customMetadata',
    });
    expect(body).toMatchObject({ tags: ['summer', 'beach'], customCoordinates: '1,2,3,4', isPrivateFile: false, customMetadata: { brand: 'acme' } });
  });

  it('serves a private file only through a signed, expiring URL', async () => {
    const bytes = await jpeg();
    const { body } = await upload<Uploaded>(stack, { file: blob(bytes), fileName: 'secret.jpg', isPrivateFile: 'true', useUniqueFileName: 'false' });
    expect(body.url).toContain('X-Amz-Expires=3600');
    expect(Buffer.from(await (await fetch(body.url)).arrayBuffer()).equals(bytes)).toBe(true);
    expect((await fetch(`${stack.apiUrl}/files/secret.jpg`)).status).toBe(404);
    for (const sneaky of ['..%2Fprivate%2Fsecret.jpg', '%2E%2E/private/secret.jpg', 'x/..%2F..%2Fprivate%2Fsecret.jpg']) {
      expect((await fetch(`${stack.apiUrl}/files/${sneaky}`)).status).toBe(404);
    }
  });
});

describe('re-upload to an existing path', () => {
  it('keeps the fileId and replaces the bytes when overwriteFile is true', async () => {
    const first = await upload<Uploaded>(stack, { file: blob(await jpeg(20, 20)), fileName: 'same.jpg', useUniqueFileName: 'false', tags: 'old' });
    const second = await upload<Uploaded>(stack, {
      file: blob(await jpeg(30, 10)),
      fileName: 'same.jpg',
      useUniqueFileName: 'false',
      tags: 'new',
      overwriteTags: 'false',
      responseFields: 'tags',
    });
    expect(second.body.fileId).toBe(first.body.fileId);
    expect([second.body.width, second.body.height, second.body.tags]).toEqual([30, 10, ['old', 'new']]);
    expect((await sharp(Buffer.from(await (await fetch(second.body.url)).arrayBuffer())).metadata()).width).toBe(30);
  });

  it('refuses with 400 and changes nothing when overwriteFile is false', async () => {
    await upload(stack, { file: blob(await jpeg()), fileName: 'keep.jpg', useUniqueFileName: 'false' });
    const before = await stack.snapshot();
    const { status, body } = await upload(stack, {
      file: blob(await jpeg(5, 5)),
      fileName: 'keep.jpg',
      useUniqueFileName: 'false',
      overwriteFile: 'false',
    });
    expect(status).toBe(400);
    expect(body.message).toBe('A file already exists at /keep.jpg');
    expect(await stack.snapshot()).toEqual(before);
  });
});

describe('get, update and delete', () => {
  it('returns the full File object', async () => {
    const bytes = await pngWithAlpha();
    const { body: uploaded } = await upload<Uploaded>(stack, { file: blob(bytes), fileName: 'details.png', tags: 't1', customMetadata: '{"a":1}' });
    const { status, body } = await getDetails(stack, uploaded.fileId);
    expect(status).toBe(200);
    expect(body).toEqual({
      fileId: uploaded.fileId,
      type: 'file',
      name: uploaded.name,
      filePath: uploaded.filePath,
      url: uploaded.url,
      thumbnail: uploaded.thumbnailUrl,
      fileType: 'image',
      mime: 'image/png',
      width: 40,
      height: 30,
      size: bytes.length,
      hasAlpha: true,
      tags: ['t1'],
      AITags: null,
      customCoordinates: null,
      customMetadata: { a: 1 },
      isPrivateFile: false,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
  });

  it('updates tags, coordinates and metadata, merging metadata key by key', async () => {
    const { body: uploaded } = await upload<Uploaded>(stack, {
      file: blob(await jpeg()),
      fileName: 'patch.jpg',
      customMetadata: '{"keep":1,"drop":2}',
    });
    const { status, body } = await patchDetails(stack, uploaded.fileId, {
      tags: ['x', 'y'],
      customCoordinates: '5,6,7,8',
      customMetadata: { drop: null, add: 'yes' },
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({ tags: ['x', 'y'], customCoordinates: '5,6,7,8', customMetadata: { keep: 1, add: 'yes' } });
    expect((await getDetails(stack, uploaded.fileId)).body).toMatchObject({ tags: ['x', 'y'], customMetadata: { keep: 1, add: 'yes' } });
  });

  it('loses neither of two concurrent updates of one file', async () => {
    const { body: uploaded } = await upload<Uploaded>(stack, { file: blob(await jpeg()), fileName: 'race.jpg' });
    const updates = Array.from({ length: 6 }, (_, index) => patchDetails(stack, uploaded.fileId, { customMetadata: { [`k${index}`]: index } }));
    expect((await Promise.all(updates)).map((reply) => reply.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect((await getDetails(stack, uploaded.fileId)).body.customMetadata).toEqual({ k0: 0, k1: 1, k2: 2, k3: 3, k4: 4, k5: 5 });
  });

  it('deletes the record and the bytes', async () => {
    const { body: uploaded } = await upload<Uploaded>(stack, { file: blob(await jpeg()), fileName: 'gone.jpg' });
    const deleted = await deleteFile(stack, uploaded.fileId);
    expect(deleted.status).toBe(204);
    expect((await getDetails(stack, uploaded.fileId)).status).toBe(404);
    expect((await fetch(uploaded.url)).status).toBe(404);
    expect((await fetch(uploaded.thumbnailUrl)).status).toBe(404);
    expect((await deleteFile(stack, uploaded.fileId)).status).toBe(404);
  });

  it('answers 405 for another method on a known path and 404 for an unknown one', async () => {
    const wrongMethod = await fetch(`${stack.apiUrl}/v1/files/0123456789abcdef01234567/details`, {
      method: 'PUT',
      headers: { authorization: stack.auth },
    });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET, PATCH');
    expect(await wrongMethod.json()).toMatchObject({ message: 'PUT is not allowed on /v1/files/0123456789abcdef01234567/details' });
    const unknown = await fetch(`${stack.apiUrl}/v2/nothing`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ message: 'No route for GET /v2/nothing', help: expect.any(String) });
  });
});
