import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FakeLabel } from '../../local/fakes/providers.js';
import { jpeg } from '../support/images.js';
import { type Providers, startProviders } from '../support/providers.js';
import { blob, patchDetails, upload } from '../support/requests.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

/** Rekognition's labels with aliases and categories, as the real service answers them; Vision has neither. */
const REKOGNITION: FakeLabel[] = [
  { name: 'Cat', confidence: 97.4, aliases: ['Kitty'], categories: ['Animals and Pets'] },
  { name: 'Kitten', confidence: 96.1, categories: ['Animals and Pets'] },
  { name: 'Teddy Bear', confidence: 93, categories: ['Toys and Gaming'] },
  { name: 'Font', confidence: 91, categories: ['Text and Documents'] },
  { name: 'Rectangle', confidence: 90, categories: ['Patterns and Shapes'] },
];
const VISION: FakeLabel[] = [
  { name: 'Cat', confidence: 95 },
  { name: 'Font', confidence: 92 },
  { name: 'Whiskers', confidence: 85 },
];

let stack: TestStack;
let providers: Providers;
const both = JSON.stringify([
  { name: 'aws-auto-tagging', minConfidence: 50, maxTags: 10 },
  { name: 'google-auto-tagging', minConfidence: 50, maxTags: 10 },
]);

interface PolicyBody {
  exclude: string[];
  include: string[];
  excludeCategories: string[];
  includeCategories: string[];
  synonyms: Record<string, string>;
  updatedAt: string | null;
}
interface Tagged {
  fileId: string;
  AITags: Array<{ name: string; confidence: number; source: string }> | null;
  extensionStatus: Record<string, string>;
}

beforeAll(async () => {
  providers = await startProviders({ rekognition: REKOGNITION, vision: VISION });
  stack = await startTestStack({ ...providers.env, AITAGS_SYNC_WINDOW_MS: '5000' });
});
afterEach(async () => {
  await stack.idle();
});
afterAll(async () => {
  await stack?.close();
  await providers?.stop();
});

async function readPolicy(): Promise<{ status: number; body: PolicyBody }> {
  const response = await fetch(`${stack.apiUrl}/v1/tag-policy`, { headers: { authorization: stack.auth } });
  return { status: response.status, body: (await response.json()) as PolicyBody };
}

async function putPolicy(body: unknown): Promise<{ status: number; body: PolicyBody & { message?: string; help?: string } }> {
  const response = await fetch(`${stack.apiUrl}/v1/tag-policy`, {
    method: 'PUT',
    headers: { authorization: stack.auth, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as PolicyBody & { message?: string; help?: string } };
}

const tagged = async () => (await upload<Tagged>(stack, { file: blob(await jpeg(64, 48)), fileName: 'policy.jpg', extensions: both })).body;
const bySource = (file: Tagged, source: string) => (file.AITags ?? []).filter((tag) => tag.source === source).map((tag) => tag.name);

describe('the library tag policy', () => {
  it('is empty until saved, and GET → PUT round-trips', async () => {
    const empty = await readPolicy();
    expect(empty).toEqual({
      status: 200,
      body: { exclude: [], include: [], excludeCategories: [], includeCategories: [], synonyms: {}, updatedAt: null },
    });

    const saved = await putPolicy({ ...empty.body, exclude: ['Rectangle'] });
    expect(saved.status).toBe(200);
    expect(saved.body.updatedAt).toEqual(expect.any(String));
    const again = await readPolicy();
    expect(again.body).toEqual(saved.body);
    expect((await putPolicy(again.body)).status).toBe(200);
  });

  it('refuses a stale edit with 409 and keeps the newer policy', async () => {
    const read = (await readPolicy()).body;
    const first = await putPolicy({ ...read, exclude: ['Font'] });
    expect(first.status).toBe(200);

    const second = await putPolicy({ ...read, exclude: ['Whiskers'] });

    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({
      message: expect.stringContaining('changed since it was read'),
      help: expect.stringContaining('GET /v1/tag-policy'),
    });
    expect((await readPolicy()).body).toEqual(first.body);
  });

  it('changes the tags of runs that start after it: exclude by name and by alias, synonyms merging two labels into one team tag', async () => {
    await putPolicy({});
    const before = await tagged();
    expect(bySource(before, 'aws-auto-tagging')).toEqual(['Cat', 'Kitten', 'Teddy Bear', 'Font', 'Rectangle']);

    await putPolicy({ exclude: ['kitty', 'FONT'], synonyms: { Kitten: 'Cat', 'teddy bear': 'Toy' } });
    const after = await tagged();

    expect(after.extensionStatus).toEqual({ 'aws-auto-tagging': 'success', 'google-auto-tagging': 'success' });
    // Cat is excluded by its alias Kitty; Kitten, renamed onto Cat, is not: it becomes the team's Cat.
    expect(after.AITags?.filter((tag) => tag.source === 'aws-auto-tagging')).toEqual([
      { name: 'Cat', confidence: 96.1, source: 'aws-auto-tagging' },
      { name: 'Toy', confidence: 93, source: 'aws-auto-tagging' },
      { name: 'Rectangle', confidence: 90, source: 'aws-auto-tagging' },
    ]);
    expect(bySource(after, 'google-auto-tagging')).toEqual(['Cat', 'Whiskers']);
    // The file tagged before keeps its tags: a policy never rewrites stored tags by itself.
    const earlier = await fetch(`${stack.apiUrl}/v1/files/${before.fileId}/details`, { headers: { authorization: stack.auth } });
    expect(bySource((await earlier.json()) as Tagged, 'aws-auto-tagging')).toEqual(['Cat', 'Kitten', 'Teddy Bear', 'Font', 'Rectangle']);
  });

  it('filters by include and by category, leaving Vision (no categories) to the name lists', async () => {
    await putPolicy({ include: ['Cat', 'Teddy Bear', 'Rectangle', 'Whiskers'], excludeCategories: ['Patterns and Shapes'] });

    const file = await tagged();

    expect(bySource(file, 'aws-auto-tagging')).toEqual(['Cat', 'Teddy Bear']);
    expect(bySource(file, 'google-auto-tagging')).toEqual(['Cat', 'Whiskers']);
  });

  it('applies to a PATCH re-run too', async () => {
    await putPolicy({});
    const file = await tagged();
    await putPolicy({ exclude: ['Whiskers', 'Teddy Bear'] });

    const rerun = await patchDetails<Tagged>(stack, file.fileId, { extensions: JSON.parse(both) });

    expect(rerun.status).toBe(200);
    expect(bySource(rerun.body, 'aws-auto-tagging')).toEqual(['Cat', 'Kitten', 'Font', 'Rectangle']);
    expect(bySource(rerun.body, 'google-auto-tagging')).toEqual(['Cat', 'Font']);
  });

  it('applies to the runs of a tagging job', async () => {
    await putPolicy({});
    const file = (await upload<Tagged>(stack, { file: blob(await jpeg(64, 48)), fileName: 'job.jpg', folder: '/policy-job', extensions: both })).body;
    expect(bySource(file, 'aws-auto-tagging')).toContain('Rectangle');
    await putPolicy({ excludeCategories: ['Patterns and Shapes'], exclude: ['Whiskers'] });

    const response = await fetch(`${stack.apiUrl}/v1/tagging-jobs`, {
      method: 'POST',
      headers: { authorization: stack.auth, 'content-type': 'application/json' },
      body: JSON.stringify({ path: '/policy-job/', extensions: JSON.parse(both) }),
    });
    expect(response.status).toBe(202);
    const { jobId } = (await response.json()) as { jobId: string };
    await stack.idle();

    const job = await fetch(`${stack.apiUrl}/v1/tagging-jobs/${jobId}`, { headers: { authorization: stack.auth } });
    expect(await job.json()).toMatchObject({ status: 'succeeded', succeeded: 1 });
    const details = await fetch(`${stack.apiUrl}/v1/files/${file.fileId}/details`, { headers: { authorization: stack.auth } });
    const retagged = (await details.json()) as Tagged;
    expect(bySource(retagged, 'aws-auto-tagging')).toEqual(['Cat', 'Kitten', 'Teddy Bear', 'Font']);
    expect(bySource(retagged, 'google-auto-tagging')).toEqual(['Cat', 'Font']);
  });

  it("re-applies the current policy and the file's rejections to stored tags in a reapplyPolicy job: no provider call, no cost, search follows", async () => {
    await putPolicy({});
    const file = (await upload<Tagged>(stack, { file: blob(await jpeg(64, 48)), fileName: 'reapply.jpg', folder: '/reapply', extensions: both }))
      .body;
    expect(bySource(file, 'aws-auto-tagging')).toEqual(['Cat', 'Kitten', 'Teddy Bear', 'Font', 'Rectangle']);
    // Rejected without being removed: the stored tags keep Font until the policy is re-applied.
    await patchDetails(stack, file.fileId, { rejectedAITags: ['Font'] });
    await putPolicy({ exclude: ['Rectangle'], synonyms: { Kitten: 'Cat' } });
    const job = (body: Record<string, unknown>) =>
      fetch(`${stack.apiUrl}/v1/tagging-jobs`, {
        method: 'POST',
        headers: { authorization: stack.auth, 'content-type': 'application/json' },
        body: JSON.stringify({ path: '/reapply/', extensions: JSON.parse(both), reapplyPolicy: true, ...body }),
      });

    const estimate = await job({ dryRun: true });
    expect(await estimate.json()).toEqual({ total: 1, estimatedProviderCostUsd: 0 });
    providers.rekognition.reset();
    providers.vision.reset();
    const started = await job({});
    expect(started.status).toBe(202);
    const { jobId } = (await started.json()) as { jobId: string };
    await stack.idle();

    const ended = await fetch(`${stack.apiUrl}/v1/tagging-jobs/${jobId}`, { headers: { authorization: stack.auth } });
    expect(await ended.json()).toMatchObject({ status: 'succeeded', succeeded: 1, reapplyPolicy: true, estimatedProviderCostUsd: 0 });
    expect(providers.rekognition.requests).toEqual([]);
    expect(providers.vision.requests).toEqual([]);
    const details = await fetch(`${stack.apiUrl}/v1/files/${file.fileId}/details`, { headers: { authorization: stack.auth } });
    const reapplied = (await details.json()) as Tagged;
    expect(reapplied.AITags?.filter((tag) => tag.source === 'aws-auto-tagging')).toEqual([
      { name: 'Cat', confidence: 97.4, source: 'aws-auto-tagging' },
      { name: 'Teddy Bear', confidence: 93, source: 'aws-auto-tagging' },
    ]);
    expect(bySource(reapplied, 'google-auto-tagging')).toEqual(['Cat', 'Whiskers']);
    const search = async (query: string) => {
      const url = `${stack.apiUrl}/v1/files?searchQuery=${encodeURIComponent(query)}`;
      return ((await (await fetch(url, { headers: { authorization: stack.auth } })).json()) as Tagged[]).map((found) => found.fileId);
    };
    expect(await search('AITags = "Rectangle" AND path : "/reapply/"')).toEqual([]);
    expect(await search('AITags = "Kitten" AND path : "/reapply/"')).toEqual([]);
    expect(await search('AITags = "Teddy Bear" AND path : "/reapply/"')).toEqual([file.fileId]);
  });

  it.each([
    { case: 'an unknown field', body: { exclude: [], blocklist: ['Font'] }, message: 'Unsupported field(s) "blocklist"' },
    {
      case: 'a list over 100 entries',
      body: { exclude: Array.from({ length: 101 }, (_, index) => `label ${index}`) },
      message: 'exclude must have at most 100 entries',
    },
    { case: 'a blank entry', body: { include: ['Cat', ' '] }, message: 'include[1] must be 1–100 characters, not blank' },
    { case: 'an entry twice', body: { exclude: ['Font', 'font'] }, message: 'exclude[1] "font" is listed twice' },
    {
      case: 'a synonym chain',
      body: { synonyms: { Kitten: 'Cat', Cat: 'Feline' } },
      message: 'synonyms["Kitten"] maps onto "Cat", which is itself renamed',
    },
    {
      case: 'a synonym onto an excluded tag',
      body: { exclude: ['Toy'], synonyms: { 'Teddy Bear': 'Toy' } },
      message: 'synonyms["Teddy Bear"] maps onto "Toy", which exclude drops',
    },
    { case: 'a label both included and excluded', body: { include: ['Cat'], exclude: ['cat'] }, message: 'include[0] "Cat" is also in exclude' },
    {
      case: 'a policy over 64 KB',
      body: { synonyms: Object.fromEntries(Array.from({ length: 400 }, (_, index) => [`${'a'.repeat(90)}${index}`, `${'b'.repeat(90)}${index}`])) },
      message: 'The tag policy is',
    },
    { case: 'a list that is not a list', body: { exclude: 'Font' }, message: 'exclude must be a list of strings' },
    { case: 'a body that is not an object', body: ['Font'], message: 'The body must be a JSON object' },
  ])('refuses $case with a 400 naming it, and changes nothing', async ({ body, message }) => {
    const before = (await readPolicy()).body;
    const snapshot = await stack.snapshot();

    const response = await putPolicy(body);

    expect(response.status).toBe(400);
    expect(response.body.message).toContain(message);
    expect(response.body.help).toContain('docs/api.md, "Tag policy"');
    expect((await readPolicy()).body).toEqual(before);
    expect(await stack.snapshot()).toEqual(snapshot);
  });
});
