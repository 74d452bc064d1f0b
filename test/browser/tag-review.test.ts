import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jpeg } from '../support/images.js';
import { type Providers, startProviders } from '../support/providers.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';
import { apiCall, axeViolations, eventually, openLibrary, texts, uploadThroughApi } from './page-checks.js';

/** The page's review of a file's AI tags, against a local stack with the provider fakes: reject, allow again, keep, never suggest. */
const REKOGNITION_LABELS = [
  { name: 'Animal', confidence: 99.1 },
  { name: 'Cat', confidence: 97.43 },
  { name: 'Pet', confidence: 95.2 },
  { name: 'Indoors', confidence: 90.5 },
];

let providers: Providers;
let stack: TestStack;
let browser: Browser;
let page: Page;
let fileId: string;
const problems: string[] = [];
/** The status of the API answers a test provokes on purpose (Chromium also logs those as console errors). */
let provoked: number | undefined;

const dialog = () => page.getByRole('dialog');
/** The AI chips' names, without their sources' confidences. */
const aiNames = (scope: Locator) => async () =>
  (await texts(scope.locator('.chip-ai'))()).map((text) => text.replace(/^Search for AI tag /, '').split(' · ')[0]);
const api = (method: string, path: string, body?: unknown) => apiCall(stack, method, path, body);
const policy = async () => (await api('GET', '/v1/tag-policy')).body as { exclude: string[]; updatedAt: string | null };
const details = async () => (await api('GET', `/v1/files/${fileId}/details`)).body as { tags?: string[]; rejectedAITags?: string[] };

beforeAll(async () => {
  providers = await startProviders({ rekognition: REKOGNITION_LABELS });
  stack = await startTestStack({ ...providers.env, AITAGS_LOCAL_WAIT_SCALE: '0.01' });
  const extensions = [{ name: 'aws-auto-tagging', minConfidence: 50, maxTags: 10 }];
  await uploadThroughApi(stack, { name: 'cat.jpg', bytes: await jpeg(40, 40), fields: { extensions: JSON.stringify(extensions) } });
  await stack.idle();
  ({ browser, page } = await openLibrary(stack, {
    problems,
    provoked: () => provoked,
    viewport: { width: 1280, height: 800 },
    ready: (opened) => opened.locator('li.card').first().waitFor(),
  }));
  const listed = await fetch(`${stack.apiUrl}/v1/files`, { headers: { authorization: stack.auth } });
  const [uploaded] = (await listed.json()) as Array<{ fileId: string }>;
  if (!uploaded) throw new Error('the upload is not listed');
  fileId = uploaded.fileId;
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
  await providers?.stop();
});

describe('reviewing a file’s AI tags in its details', () => {
  it('gives each AI chip its three actions, named with the tag', async () => {
    await page.locator('li.card .card-open').first().click();
    await eventually(aiNames(dialog())).toEqual(['Animal', 'Cat', 'Pet', 'Indoors']);
    for (const name of ['Not on this file: Cat', 'Keep as tag: Cat', 'Never suggest: Cat'])
      expect(await dialog().getByRole('button', { name, exact: true }).isEnabled()).toBe(true);
    expect(await dialog().getByRole('heading', { name: 'Rejected AI tags' }).count()).toBe(0);
  });

  it('"Not on this file" removes the tag from the dialog and the grid and lists it as rejected', async () => {
    await dialog().getByRole('button', { name: 'Not on this file: Pet' }).click();

    await eventually(aiNames(dialog())).toEqual(['Animal', 'Cat', 'Indoors']);
    await eventually(aiNames(page.locator('li.card'))).toEqual(['Animal', 'Cat', 'Indoors']);
    const rejected = dialog().locator('section', { has: page.getByRole('heading', { name: 'Rejected AI tags' }) });
    expect(await texts(rejected.locator('.rejected-name'))()).toEqual(['Pet']);
    expect((await details()).rejectedAITags).toEqual(['Pet']);
  });

  it('has no accessibility violation with the actions and the rejected list shown', async () => {
    await dialog().getByRole('button', { name: 'Allow again: Pet' }).waitFor();
    expect((await axeViolations(page)).violations).toEqual([]);
  });

  it('"Allow again" takes the tag off the rejected list', async () => {
    await dialog().getByRole('button', { name: 'Allow again: Pet' }).click();

    await eventually(() => dialog().getByRole('heading', { name: 'Rejected AI tags' }).count()).toBe(0);
    expect((await details()).rejectedAITags).toBeUndefined();
  });

  it('"Keep as tag", from the keyboard, adds the tag to the user tags once', async () => {
    await dialog().getByRole('button', { name: 'Keep as tag: Cat' }).focus();
    await page.keyboard.press('Enter');

    await eventually(texts(dialog().locator('.chip-user'))).toEqual(['Search for tag Cat']);
    expect(await dialog().getByLabel('User tags, comma-separated').inputValue()).toBe('Cat');
    expect((await details()).tags).toEqual(['Cat']);

    await dialog().getByRole('button', { name: 'Keep as tag: Cat' }).click();
    await eventually(texts(dialog().locator('.done'))).toEqual(['Cat is already one of this file’s tags.']);
    expect((await details()).tags).toEqual(['Cat']);
  });

  it('"Never suggest" asks first, saying it applies to the whole library, then adds the tag to the policy’s exclude', async () => {
    await dialog().getByRole('button', { name: 'Never suggest: Indoors' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Never suggest Indoors?' });
    await confirm.waitFor();
    expect(await confirm.textContent()).toMatch(/every future run in the library/);
    expect((await axeViolations(page)).violations).toEqual([]);

    await confirm.getByRole('button', { name: 'Never suggest Indoors' }).click();

    await eventually(() => confirm.count()).toBe(0);
    await eventually(texts(dialog().locator('.done'))).toEqual(['Indoors added to the library’s tag policy: no future run suggests it.']);
    expect((await policy()).exclude).toEqual(['Indoors']);
  });

  it('tells a 409 as the API’s message and help, having read the newer policy, and adds the tag on retry without losing the other save', async () => {
    // Another editor saves between the page's read and its write.
    provoked = 409;
    let interfered = false;
    await page.route('**/v1/tag-policy', async (route) => {
      if (route.request().method() === 'PUT' && !interfered) {
        interfered = true;
        const read = await policy();
        await api('PUT', '/v1/tag-policy', { ...read, exclude: [...read.exclude, 'Font'] });
      }
      await route.continue();
    });
    await dialog().getByRole('button', { name: 'Never suggest: Animal' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Never suggest Animal' }).click();

    const alert = dialog().getByRole('alert');
    await eventually(texts(alert.locator('.notice-message'))).toEqual([expect.stringMatching(/.+/)]);
    expect(await texts(alert.locator('.notice-help'))()).toEqual([
      expect.stringMatching(/GET \/v1\/tag-policy again/),
      'Someone else saved the tag policy first; the newer policy has been read, nothing of theirs is lost.',
    ]);
    expect((await policy()).exclude).toEqual(['Indoors', 'Font']);

    await alert.getByRole('button', { name: 'Try again: never suggest Animal' }).click();

    await eventually(texts(dialog().locator('.done'))).toEqual(['Animal added to the library’s tag policy: no future run suggests it.']);
    expect((await policy()).exclude).toEqual(['Indoors', 'Font', 'Animal']);
    expect(await alert.locator('.notice').count()).toBe(0);
    await page.unroute('**/v1/tag-policy');
    provoked = undefined;
  });

  it('made no unexpected failed request and logged no console error', () => {
    expect(problems).toEqual([]);
  });
});
