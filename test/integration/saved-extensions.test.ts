import { ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import ImageKit, { BadRequestError, NotFoundError, toFile } from '@imagekit/nodejs';
import type { ExtensionConfig } from '@imagekit/nodejs/resources/shared';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FakeLabel } from '../../local/fakes/providers.js';
import { jpeg } from '../support/images.js';
import { type Providers, startProviders } from '../support/providers.js';
import { blob, getDetails, patchDetails, type Reply, upload } from '../support/requests.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

const REKOGNITION: FakeLabel[] = [
  { name: 'Cat', confidence: 97.4, aliases: ['Kitty'], categories: ['Animals and Pets'] },
  { name: 'Kitten', confidence: 96.1, categories: ['Animals and Pets'] },
  { name: 'Font', confidence: 91, categories: ['Text and Documents'] },
  { name: 'Rectangle', confidence: 90, categories: ['Patterns and Shapes'] },
];
const VISION: FakeLabel[] = [
  { name: 'Cat', confidence: 95 },
  { name: 'Whiskers', confidence: 85 },
];
/** The deployment's default extensions refer to this saved extension (which no one created here). */
const DEFAULTS_ID = 'defaults0000000000000001';

let stack: TestStack;
let providers: Providers;
let client: ImageKit;
let s3: S3Client;

interface Tagged {
  fileId: string;
  AITags: Array<{ name: string; confidence: number; source: string }> | null;
  extensionStatus?: Record<string, string>;
}

beforeAll(async () => {
  providers = await startProviders({ rekognition: REKOGNITION, vision: VISION });
  stack = await startTestStack({
    ...providers.env,
    AITAGS_SYNC_WINDOW_MS: '5000',
    AITAGS_LOCAL_WAIT_SCALE: '0.01',
    AITAGS_REKOGNITION_TPS: '200',
    AITAGS_DEFAULT_EXTENSIONS: JSON.stringify([{ name: 'saved-extension', id: DEFAULTS_ID }]),
  });
  client = new ImageKit({ privateKey: stack.privateKey, baseURL: stack.apiUrl, maxRetries: 0 });
  s3 = new S3Client({
    endpoint: stack.s3Endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
});
afterEach(async () => {
  await stack.idle();
  for (const saved of await client.savedExtensions.list()) if (saved.id) await client.savedExtensions.delete(saved.id);
  await call('PUT', '/v1/tag-policy', { exclude: [], include: [], excludeCategories: [], includeCategories: [], synonyms: {} });
});
afterAll(async () => {
  await stack?.close();
  await providers?.stop();
});

async function call<T = Record<string, unknown>>(
  method: string,
  path: string,
  body?: unknown,
): Promise<Reply<T & { message?: string; help?: string }>> {
  const response = await fetch(`${stack.apiUrl}${path}`, {
    method,
    headers: { authorization: stack.auth, ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: (text ? JSON.parse(text) : undefined) as T & { message?: string; help?: string },
  };
}

/** A config with aitags' `policy`: the SDK's ExtensionConfig type has no such field, so TypeScript needs the cast. */
const withPolicy = (config: Record<string, unknown>) => config as unknown as ExtensionConfig;

const names = (file: Tagged, source: string) => (file.AITags ?? []).filter((tag) => tag.source === source).map((tag) => tag.name);

async function uploadWith(extensions: unknown[]): Promise<Reply<Tagged & { message?: string }>> {
  return upload<Tagged & { message?: string }>(stack, {
    file: blob(await jpeg(64, 48)),
    fileName: 'saved.jpg',
    extensions: JSON.stringify(extensions),
  });
}

describe("ImageKit's saved extensions through the official SDK", () => {
  it('round-trips list, create, get, update (an empty one changes nothing) and delete', async () => {
    expect(await client.savedExtensions.list()).toEqual([]);
    const created = await client.savedExtensions.create({
      name: 'Strict Rekognition',
      description: 'Only what Rekognition is sure of',
      config: { name: 'aws-auto-tagging', minConfidence: 95, maxTags: 3 },
    });
    expect(created).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{24}$/),
      name: 'Strict Rekognition',
      description: 'Only what Rekognition is sure of',
      config: { name: 'aws-auto-tagging', minConfidence: 95, maxTags: 3 },
      createdAt: expect.any(String),
      updatedAt: created.createdAt,
    });
    const id = created.id as string;
    expect(await client.savedExtensions.list()).toEqual([created]);
    expect(await client.savedExtensions.get(id)).toEqual(created);

    expect(await client.savedExtensions.update(id, {})).toEqual(created);
    const renamed = await client.savedExtensions.update(id, {
      name: 'Strict',
      config: withPolicy({ name: 'aws-auto-tagging', minConfidence: 90, maxTags: 5, policy: { exclude: ['Font'] } }),
    });
    expect(renamed).toEqual({
      ...created,
      name: 'Strict',
      config: {
        name: 'aws-auto-tagging',
        minConfidence: 90,
        maxTags: 5,
        policy: { exclude: ['Font'], include: [], excludeCategories: [], includeCategories: [], synonyms: {} },
      },
      updatedAt: expect.any(String),
    });
    expect(Date.parse(renamed.updatedAt as string)).toBeGreaterThan(Date.parse(created.updatedAt as string));
    expect(await client.savedExtensions.get(id)).toEqual(renamed);

    await client.savedExtensions.delete(id);
    await expect(client.savedExtensions.get(id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(client.savedExtensions.delete(id)).rejects.toBeInstanceOf(NotFoundError);
    expect(await client.savedExtensions.list()).toEqual([]);
  });

  it('uploads with a saved-extension reference: its config runs, under the base extension’s name', async () => {
    const saved = await client.savedExtensions.create({
      name: 'Top two',
      description: '',
      config: { name: 'aws-auto-tagging', minConfidence: 50, maxTags: 2 },
    });
    const file = await client.files.upload({
      file: await toFile(await jpeg(80, 60), 'sdk.jpg'),
      fileName: 'sdk.jpg',
      extensions: [{ name: 'saved-extension', id: saved.id as string }],
    });
    expect(file.extensionStatus).toEqual({ 'aws-auto-tagging': 'success' });
    expect(file.AITags?.map((tag) => [tag.name, tag.source])).toEqual([
      ['Cat', 'aws-auto-tagging'],
      ['Kitten', 'aws-auto-tagging'],
    ]);
  });

  it('refuses a config aitags does not run, and a reference in a config', async () => {
    for (const config of [{ name: 'remove-bg', options: {} }, { name: 'ai-auto-description' }, { name: 'saved-extension', id: 'abc' }]) {
      const error = await client.savedExtensions.create({ name: 'x', description: '', config: config as ExtensionConfig }).catch((thrown) => thrown);
      expect(error).toBeInstanceOf(BadRequestError);
      expect((error as BadRequestError).error).toMatchObject({
        message: expect.stringMatching(/^config\.name must be one of aws-auto-tagging, google-auto-tagging/),
      });
    }
    expect(await client.savedExtensions.list()).toEqual([]);
  });
});

describe('a saved extension’s policy', () => {
  it('replaces the library policy for the runs that use it; one without a policy runs the library’s', async () => {
    await call('PUT', '/v1/tag-policy', { exclude: ['Font'] });
    const own = await client.savedExtensions.create({
      name: 'Animals only',
      description: 'Keeps animals, calls a cat a Feline',
      config: withPolicy({
        name: 'aws-auto-tagging',
        minConfidence: 50,
        maxTags: 10,
        policy: { includeCategories: ['Animals and Pets'], synonyms: { Cat: 'Feline' } },
      }),
    });
    const plain = await client.savedExtensions.create({
      name: 'Vision',
      description: '',
      config: { name: 'google-auto-tagging', minConfidence: 50, maxTags: 10 },
    });

    const reply = await uploadWith([
      { name: 'saved-extension', id: own.id },
      { name: 'saved-extension', id: plain.id },
    ]);
    expect(reply.status).toBe(200);
    expect(names(reply.body, 'aws-auto-tagging')).toEqual(['Feline', 'Kitten']);
    expect(names(reply.body, 'google-auto-tagging')).toEqual(['Cat', 'Whiskers']);

    // The library's policy applies to a plain extension beside it.
    const library = await uploadWith([{ name: 'aws-auto-tagging', minConfidence: 50, maxTags: 10 }]);
    expect(names(library.body, 'aws-auto-tagging')).toEqual(['Cat', 'Kitten', 'Rectangle']);
  });

  it('runs by PATCH and in a tagging job, including a reapplyPolicy job, with the policy it had when asked', async () => {
    const saved = await client.savedExtensions.create({
      name: 'No shapes',
      description: '',
      config: withPolicy({ name: 'aws-auto-tagging', minConfidence: 50, maxTags: 10, policy: { exclude: ['Rectangle'] } }),
    });
    const ref = { name: 'saved-extension', id: saved.id };
    const first = await upload<Tagged>(stack, { file: blob(await jpeg(30, 20)), fileName: 'a.jpg', folder: '/saved-job' });
    const patched = await patchDetails<Tagged>(stack, first.body.fileId, { extensions: [ref] });
    expect(patched.status).toBe(200);
    expect(names(patched.body, 'aws-auto-tagging')).toEqual(['Cat', 'Kitten', 'Font']);

    const job = await call<{ jobId: string; extensions: unknown[] }>('POST', '/v1/tagging-jobs', { path: '/saved-job', extensions: [ref] });
    expect(job.status).toBe(202);
    // The job shows what it runs: the resolved config.
    expect(job.body.extensions).toEqual([{ name: 'aws-auto-tagging', minConfidence: 50, maxTags: 10 }]);
    // Edited after the job was asked for: the job keeps the policy it was asked with.
    await client.savedExtensions.update(saved.id as string, {
      config: withPolicy({ name: 'aws-auto-tagging', minConfidence: 50, maxTags: 10, policy: { exclude: ['Rectangle', 'Kitten'] } }),
    });
    await stack.idle();
    expect((await call<{ status: string }>('GET', `/v1/tagging-jobs/${job.body.jobId}`)).body.status).toBe('succeeded');
    expect(names((await getDetails<Tagged>(stack, first.body.fileId)).body, 'aws-auto-tagging')).toEqual(['Cat', 'Kitten', 'Font']);

    // A reapplyPolicy job with the edited saved extension re-decides the stored tags by its policy now.
    const reapply = await call<{ jobId: string }>('POST', '/v1/tagging-jobs', { path: '/saved-job', extensions: [ref], reapplyPolicy: true });
    expect(reapply.status).toBe(202);
    await stack.idle();
    expect(names((await getDetails<Tagged>(stack, first.body.fileId)).body, 'aws-auto-tagging')).toEqual(['Cat', 'Font']);
  });

  it('a presigned upload runs the config resolved when its URL was asked for, not one edited or deleted since', async () => {
    const saved = await client.savedExtensions.create({
      name: 'Two',
      description: '',
      config: { name: 'aws-auto-tagging', minConfidence: 50, maxTags: 2 },
    });
    const bytes = await jpeg(50, 40);
    const url = await call<{ fileId: string; uploadUrl: string; headers: Record<string, string> }>('POST', '/api/v1/files/upload-url', {
      fileName: 'later.jpg',
      size: bytes.length,
      contentType: 'image/jpeg',
      extensions: [{ name: 'saved-extension', id: saved.id }],
    });
    expect(url.status).toBe(200);
    await client.savedExtensions.delete(saved.id as string);
    const put = await fetch(url.body.uploadUrl, { method: 'PUT', headers: url.body.headers, body: new Uint8Array(bytes) });
    expect(put.status).toBe(200);
    await stack.idle();
    expect(names((await getDetails<Tagged>(stack, url.body.fileId)).body, 'aws-auto-tagging')).toEqual(['Cat', 'Kitten']);
  });
});

describe('bad saved extensions and references change nothing', () => {
  it.each([
    {
      case: 'an unknown field',
      body: { name: 'x', config: { name: 'aws-auto-tagging', minConfidence: 50, maxTags: 5 }, colour: 'red' },
      message: /^Unsupported field\(s\) "colour"/,
    },
    { case: 'no config', body: { name: 'x' }, message: /^config must be/ },
    {
      case: 'a blank name',
      body: { name: ' ', config: { name: 'aws-auto-tagging', minConfidence: 50, maxTags: 5 } },
      message: /^name must be 1–100 characters/,
    },
    {
      case: 'a description over 500 characters',
      body: { name: 'x', description: 'd'.repeat(501), config: { name: 'aws-auto-tagging', minConfidence: 50, maxTags: 5 } },
      message: /^description must be at most 500 characters/,
    },
    {
      case: 'maxTags over 30',
      body: { name: 'x', config: { name: 'aws-auto-tagging', minConfidence: 50, maxTags: 31 } },
      message: /^config\.maxTags must be an integer between 0 and 30/,
    },
    {
      case: 'a synonym chain in its policy',
      body: {
        name: 'x',
        config: { name: 'aws-auto-tagging', minConfidence: 50, maxTags: 5, policy: { synonyms: { Kitten: 'Cat', Cat: 'Feline' } } },
      },
      message: /^config\.policy\.synonyms\["Kitten"\] maps onto "Cat", which is itself renamed/,
    },
    {
      case: 'a policy over 64 KB',
      body: {
        name: 'x',
        config: {
          name: 'aws-auto-tagging',
          minConfidence: 50,
          maxTags: 5,
          policy: {
            synonyms: Object.fromEntries(Array.from({ length: 500 }, (_, index) => [`label ${index} ${'l'.repeat(80)}`, `tag ${'t'.repeat(80)}`])),
          },
        },
      },
      message: /^config\.policy is \d+ bytes as JSON; at most 65536/,
    },
  ])('POST with $case → 400 naming the field', async ({ body, message }) => {
    const before = await stack.snapshot();
    const reply = await call('POST', '/v1/saved-extensions', body);
    expect(reply.status).toBe(400);
    expect(reply.body.message).toMatch(message);
    expect(reply.body.help).toContain('saved-extensions');
    expect(await stack.snapshot()).toEqual(before);
  });

  it('PATCH with a bad field, or of an unknown id, changes nothing', async () => {
    const saved = await client.savedExtensions.create({
      name: 'x',
      description: '',
      config: { name: 'aws-auto-tagging', minConfidence: 50, maxTags: 5 },
    });
    const before = await stack.snapshot();
    const bad = await call('PATCH', `/v1/saved-extensions/${saved.id}`, { config: { name: 'ai-tasks', tasks: [] } });
    expect([bad.status, bad.body.message]).toEqual([400, expect.stringMatching(/^config\.name must be one of/)]);
    // With a policy too: no version of it is written for a saved extension that does not exist.
    const unknown = await call('PATCH', '/v1/saved-extensions/nope', {
      name: 'y',
      config: { name: 'aws-auto-tagging', minConfidence: 50, maxTags: 5, policy: { exclude: ['Font'] } },
    });
    expect([unknown.status, unknown.body.message]).toEqual([404, 'No saved extension with id "nope"']);
    expect(await stack.snapshot()).toEqual(before);
  });

  it('an unknown id, or two entries running one extension, in an upload or a PATCH → 400 naming the entry, nothing stored', async () => {
    const saved = await client.savedExtensions.create({
      name: 'x',
      description: '',
      config: { name: 'aws-auto-tagging', minConfidence: 50, maxTags: 5 },
    });
    const stored = await upload<Tagged>(stack, { file: blob(await jpeg(20, 20)), fileName: 'kept.jpg' });
    const before = await stack.snapshot();
    const unknown = await uploadWith([{ name: 'saved-extension', id: 'missing' }]);
    expect([unknown.status, unknown.body.message]).toEqual([400, 'extensions[0] refers to saved extension "missing", which does not exist']);
    const twice = await uploadWith([
      { name: 'aws-auto-tagging', minConfidence: 10, maxTags: 1 },
      { name: 'saved-extension', id: saved.id },
    ]);
    expect([twice.status, twice.body.message]).toEqual([
      400,
      'extensions[1] and extensions[0] both run aws-auto-tagging: each extension may run once per request',
    ]);
    const patch = await patchDetails<{ message: string }>(stack, stored.body.fileId, {
      tags: ['changed'],
      extensions: [{ name: 'saved-extension', id: 'missing' }],
    });
    expect([patch.status, patch.body.message]).toEqual([400, 'extensions[0] refers to saved extension "missing", which does not exist']);
    const job = await call('POST', '/v1/tagging-jobs', { extensions: [{ name: 'saved-extension', id: 'missing' }] });
    expect([job.status, job.body.message]).toEqual([400, 'extensions[0] refers to saved extension "missing", which does not exist']);
    expect(await stack.snapshot()).toEqual(before);
  });

  it('at most 100: the 101st → 400', async () => {
    const config = { name: 'aws-auto-tagging' as const, minConfidence: 50, maxTags: 5 };
    for (let index = 0; index < 100; index++) await client.savedExtensions.create({ name: `n${index}`, description: '', config });
    const before = await stack.snapshot();
    const reply = await call('POST', '/v1/saved-extensions', { name: 'one more', config });
    expect([reply.status, reply.body.message]).toEqual([400, 'There are already 100 saved extensions, the most a deployment keeps']);
    expect(await stack.snapshot()).toEqual(before);
  });

  it('deleting one the default extensions refer to → 409; an ingested object whose default cannot be resolved stays where it is', async () => {
    const reply = await call('DELETE', `/v1/saved-extensions/${DEFAULTS_ID}`);
    expect(reply.status).toBe(409);
    expect(reply.body.message).toBe(`Saved extension "${DEFAULTS_ID}" is used by the deployment's default extensions (AITAGS_DEFAULT_EXTENSIONS)`);

    await s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: 'ingest/unresolved.jpg', Body: await jpeg(20, 20), ContentType: 'image/jpeg' }));
    await stack.idle();
    const left = await s3.send(new ListObjectsV2Command({ Bucket: stack.bucket, Prefix: 'ingest/' }));
    expect((left.Contents ?? []).map((object) => object.Key)).toEqual(['ingest/unresolved.jpg']);
  });
});
