import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jpeg } from '../support/images.js';
import { type Providers, startProviders } from '../support/providers.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';
import { apiCall, axeViolations, eventually, openLibrary, texts } from './page-checks.js';

/** The page's tag policy panel and its choice of a saved extension on upload, against a local stack with the provider fakes. */
const REKOGNITION_LABELS = [
  { name: 'Animal', confidence: 99.1 },
  { name: 'Kitten', confidence: 97.43 },
  { name: 'Pet', confidence: 95.2 },
  { name: 'Indoors', confidence: 90.5 },
];

let providers: Providers;
let stack: TestStack;
let browser: Browser;
let page: Page;
const problems: string[] = [];
/** The status of the API answers a test provokes on purpose (Chromium also logs those as console errors). */
let provoked: number | undefined;

const api = (method: string, path: string, body?: unknown) => apiCall(stack, method, path, body);
const policy = async () => (await api('GET', '/v1/tag-policy')).body as { exclude: string[]; include: string[]; synonyms: Record<string, string> };
const panel = () => page.locator('section', { has: page.getByRole('heading', { name: 'Tag policy' }) });
const field = (label: string) => panel().getByLabel(label, { exact: true });

let savedId = '';

beforeAll(async () => {
  providers = await startProviders({ rekognition: REKOGNITION_LABELS });
  stack = await startTestStack({ ...providers.env, AITAGS_LOCAL_WAIT_SCALE: '0.01', AITAGS_SYNC_WINDOW_MS: '5000' });
  // Saved before the page opens: the upload panel offers it.
  const saved = await api('POST', '/v1/saved-extensions', {
    name: 'Pets, two tags',
    description: 'For the pet shots.',
    config: { name: 'aws-auto-tagging', minConfidence: 50, maxTags: 2, policy: { synonyms: { Kitten: 'Cat' } } },
  });
  savedId = String(saved.body.id);
  ({ browser, page } = await openLibrary(stack, {
    problems,
    provoked: () => provoked,
    viewport: { width: 1280, height: 900 },
    ready: (opened) => opened.getByRole('heading', { name: 'Files' }).waitFor(),
  }));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
  await providers?.stop();
});

describe('the tag policy panel', () => {
  it('opens on the policy as saved, and saves an edit of exclude, include and synonyms', async () => {
    await api('PUT', '/v1/tag-policy', { exclude: ['Indoors'] });
    // Closed, it is one button: nothing of the form is shown or reached by Tab.
    expect(await panel().locator('textarea').count()).toBe(0);
    await panel().getByRole('button', { name: 'Edit the tag policy' }).click();
    await eventually(() => field('Never suggest').inputValue()).toBe('Indoors');

    await field('Never suggest').fill('Indoors\nPet');
    await field('Synonyms').fill('Kitten = Cat');
    await panel().getByRole('button', { name: 'Save the policy' }).click();

    await eventually(texts(panel().locator('.done'))).toEqual([expect.stringMatching(/^Tag policy saved/)]);
    expect(await policy()).toMatchObject({ exclude: ['Indoors', 'Pet'], include: [], synonyms: { Kitten: 'Cat' } });
  });

  it('has no accessibility violation with the panel open', async () => {
    expect((await axeViolations(page)).violations).toEqual([]);
  });

  it('shows the API’s validation message, naming the field, and saves nothing', async () => {
    provoked = 400;
    await field('Suggest only').fill('pet');
    await panel().getByRole('button', { name: 'Save the policy' }).click();

    await eventually(texts(panel().getByRole('alert').locator('.notice-message'))).toEqual([
      'include[0] "pet" is also in exclude: a label is either included or excluded',
    ]);
    expect((await policy()).include).toEqual([]);
    provoked = undefined;
  });

  it('says which synonym line it cannot send, without calling the API', async () => {
    await field('Suggest only').fill('');
    await field('Synonyms').fill('Kitten = Cat\nTeddy bear');
    await panel().getByRole('button', { name: 'Save the policy' }).click();
    await eventually(texts(panel().getByRole('alert').locator('.notice-message'))).toEqual([
      'Synonyms, line 2: write it as provider label = team tag (got "Teddy bear")',
    ]);
  });

  it('on a 409 shows the newer policy someone else saved, and keeps the unsaved edit readable', async () => {
    // Another editor saves after the page read the policy.
    const read = await policy();
    await api('PUT', '/v1/tag-policy', { ...read, exclude: [...read.exclude, 'Font'] });
    provoked = 409;
    await field('Synonyms').fill('Kitten = Cat\nTeddy bear = Toy');
    await panel().getByRole('button', { name: 'Save the policy' }).click();

    const alert = panel().getByRole('alert');
    await eventually(texts(alert.locator('.notice-message'))).toEqual(['Someone else saved the tag policy first: theirs is shown below.']);
    expect(await field('Never suggest').inputValue()).toBe('Indoors\nPet\nFont');
    expect(await field('Synonyms').inputValue()).toBe('Kitten = Cat');
    await alert.getByText('Your unsaved edit').click();
    expect(await texts(alert.locator('.policy-unsaved p'))()).toContain('Synonyms: Kitten = Cat · Teddy bear = Toy');
    expect((await policy()).synonyms).toEqual({ Kitten: 'Cat' });
    expect((await axeViolations(page)).violations).toEqual([]);
    provoked = undefined;

    // Applied again to the newer version, it saves.
    await field('Synonyms').fill('Kitten = Cat\nTeddy bear = Toy');
    await panel().getByRole('button', { name: 'Save the policy' }).click();
    await eventually(texts(panel().locator('.done'))).toEqual([expect.stringMatching(/^Tag policy saved/)]);
    expect(await policy()).toMatchObject({ exclude: ['Indoors', 'Pet', 'Font'], synonyms: { Kitten: 'Cat', 'Teddy bear': 'Toy' } });
  });
});

describe('a saved extension chosen on upload', () => {
  it('replaces the auto-tagging fields, says what it runs, and tags the upload by its config and policy', async () => {
    const select = page.getByLabel('Saved extension');
    await select.selectOption({ label: 'Pets, two tags' });
    expect(await page.locator('#upload-saved-summary').textContent()).toBe(
      'Amazon Rekognition: min. confidence 50 %, up to 2 tags, with a tag policy of its own. For the pet shots.',
    );
    expect(await page.getByRole('group', { name: 'Auto-tagging' }).count()).toBe(0);
    expect((await axeViolations(page)).violations).toEqual([]);

    await page.locator('#upload-files').setInputFiles({ name: 'pet.jpg', mimeType: 'image/jpeg', buffer: await jpeg(48, 32) });
    await eventually(texts(page.locator('.upload-row .upload-outcome'))).toEqual([expect.stringMatching(/2 AI tags$/)]);
    const [listed] = (await (await fetch(`${stack.apiUrl}/v1/files`, { headers: { authorization: stack.auth } })).json()) as Array<{
      AITags: Array<{ name: string }>;
    }>;
    // Its own policy, not the library's (which excludes Pet): Animal and Kitten renamed Cat, two at most.
    expect(listed?.AITags.map((tag) => tag.name)).toEqual(['Animal', 'Cat']);

    await select.selectOption({ label: 'None: the choice below' });
    await page.getByRole('group', { name: 'Auto-tagging' }).waitFor();
    expect(savedId).toMatch(/^[0-9a-f]{24}$/);
  });

  it('made no unexpected failed request and logged no console error', () => {
    expect(problems).toEqual([]);
  });
});
