import axe from 'axe-core';
import type { Browser, Locator, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium.js';
import { jpeg } from '../support/images.js';
import { type Providers, startProviders } from '../support/providers.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

/** Both fakes answer after this long: well past the sync window, so an upload answers `pending` first. */
const PROVIDER_LATENCY_MS = 4000;

let providers: Providers;
let stack: TestStack;
let browser: Browser;
let page: Page;
/** Every request the page made, as `METHOD path`, in order. */
const requests: string[] = [];
const urls: string[] = [];
/** Console errors, failed requests and answers ≥ 400, except those a test provokes on purpose. */
const problems: string[] = [];
/** The status of the API answers a test provokes on purpose (Chromium also logs those as console errors). */
let provoked: number | undefined;

/** Retries a read of the page until the assertion holds: waits for states, never for a fixed time. */
const eventually = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 20_000, interval: 100 });
const texts = (locator: Locator) => async () => (await locator.allTextContents()).map((text) => text.replace(/\s+/g, ' ').trim());
const text = (locator: Locator) => async () => (await texts(locator)()).join(' ');
const count = (locator: Locator) => () => locator.count();
const isFocused = (locator: Locator) => () => locator.evaluate((element) => element === document.activeElement);
const card = (name: RegExp) => page.locator('li.card', { has: page.locator('.card-name', { hasText: name }) });
const statusOf = (scope: Locator, extension: string) => scope.locator(`[data-extension="${extension}"] .status-state`);

beforeAll(async () => {
  providers = await startProviders();
  for (const fake of [providers.rekognition, providers.vision]) fake.behave({ latencyMs: PROVIDER_LATENCY_MS });
  stack = await startTestStack({ ...providers.env, AITAGS_LOCAL_WAIT_SCALE: '0.01', AITAGS_SYNC_WINDOW_MS: '200' });
  browser = await launchChromium();
  page = await browser.newPage();
  page.setDefaultTimeout(15_000);
  page.on('console', (message) => {
    const provokedLog = provoked !== undefined && message.text().includes(`the server responded with a status of ${provoked}`);
    if (message.type() === 'error' && !provokedLog) problems.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('request', (request) => {
    requests.push(`${request.method()} ${new URL(request.url()).pathname}`);
    urls.push(request.url());
  });
  page.on('requestfailed', (request) => problems.push(`request failed: ${request.method()} ${request.url()} ${request.failure()?.errorText}`));
  page.on('response', (response) => {
    if (response.status() >= 400 && response.status() !== provoked)
      problems.push(`${response.status()} ${response.request().method()} ${response.url()}`);
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
  await providers?.stop();
});

describe('the media library page', () => {
  it('is served with its CSP and asks for the key before any API call', async () => {
    // Act
    const response = await page.goto(stack.apiUrl);
    await page.getByLabel('Private key').waitFor();

    // Assess
    expect(response?.headers()['content-security-policy']).toMatch(
      /^default-src 'self'; img-src 'self' http:\/\/127\.0\.0\.1:\d+ http:\/\/127\.0\.0\.1:\d+;/,
    );
    expect(response?.headers()['x-content-type-options']).toBe('nosniff');
    expect(requests.filter((request) => !/^GET \/(assets\/.*)?$/.test(request))).toEqual([]);
    expect(await page.evaluate(() => document.querySelectorAll('[style], style, script:not([src])').length)).toBe(0);
  });

  it("shows a refused key's message and help, then takes the right key", async () => {
    // Prepare
    provoked = 401;

    // Act: a wrong key first
    await page.getByLabel('Private key').fill('private_wrong');
    await page.getByRole('button', { name: 'Open the library' }).click();

    // Assess
    await eventually(text(page.getByRole('alert'))).toContain('Wrong API key');
    await eventually(text(page.getByRole('alert'))).toContain('HTTP Basic auth with the private API key');
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);

    // Act: the right one
    await page.getByLabel('Private key').fill(stack.privateKey);
    await page.keyboard.press('Enter');

    // Assess
    await page.getByText('No files yet: upload one above.').waitFor();
    provoked = undefined;
    expect(page.url()).toBe(`${stack.apiUrl}/`);
  });

  it('uploads with the file picker: pending at first, then the AI tags as chips with source and confidence', async () => {
    // Act
    await page.getByLabel('Min. confidence (%)').fill('90');
    await page.getByLabel('Max. tags each').fill('3');
    await page.locator('#upload-files').setInputFiles({ name: 'red-cat.jpg', mimeType: 'image/jpeg', buffer: await jpeg(64, 48) });

    // Assess: the upload's own answer, then the grid, each pending until the taggers are done
    const row = page.locator('.upload-row', { hasText: 'red-cat.jpg' });
    await eventually(texts(statusOf(row, 'aws-auto-tagging'))).toEqual(['pending']);
    await eventually(texts(statusOf(row, 'google-auto-tagging'))).toEqual(['pending']);
    const cat = card(/^red-cat/);
    await eventually(texts(statusOf(cat, 'aws-auto-tagging'))).toEqual(['pending']);
    await eventually(texts(statusOf(cat, 'aws-auto-tagging'))).toEqual(['success']);
    await eventually(texts(statusOf(cat, 'google-auto-tagging'))).toEqual(['success']);
    await eventually(texts(statusOf(row, 'aws-auto-tagging'))).toEqual(['success']);
    await eventually(texts(cat.locator('.chip-aws-auto-tagging'))).toEqual([
      'Search for AI tag Animal AWS 99.1%',
      'Search for AI tag Cat AWS 97.43%',
      'Search for AI tag Pet AWS 95.2%',
    ]);
    await eventually(texts(cat.locator('.chip-google-auto-tagging'))).toEqual([
      'Search for AI tag Animal Google 99.1%',
      'Search for AI tag Cat Google 97.43%',
      'Search for AI tag Pet Google 95.2%',
    ]);
    expect(requests.filter((request) => /^GET \/v1\/files\/[^/]+\/details$/.test(request)).length).toBeGreaterThan(0);
  });

  it('uploads by drag and drop, with no extensions chosen: stored, nothing pending', async () => {
    // Prepare
    await page.getByLabel(/Amazon Rekognition/).uncheck();
    await page.getByLabel(/Google Cloud Vision/).uncheck();
    const bytes = await sharp({ create: { width: 50, height: 40, channels: 3, background: { r: 20, g: 80, b: 200 } } })
      .png()
      .toBuffer();
    const dataTransfer = await page.evaluateHandle(
      (data) => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([new Uint8Array(data)], 'blue-sky.png', { type: 'image/png' }));
        return transfer;
      },
      [...bytes],
    );

    // Act
    await page.locator('.dropzone').dispatchEvent('drop', { dataTransfer });

    // Assess
    await eventually(text(page.locator('.upload-row', { hasText: 'blue-sky.png' }))).toContain('stored, 0 AI tags');
    await card(/^blue-sky/).waitFor();
    await eventually(count(card(/^blue-sky/).locator('.status'))).toBe(0);
    await eventually(count(page.locator('li.card'))).toBe(2);
  });

  it('searches for an AI tag when its chip is clicked', async () => {
    // Act
    await card(/^red-cat/)
      .getByRole('button', { name: /AI tag Cat AWS/ })
      .click();

    // Assess
    await eventually(() => page.getByLabel('Search query').inputValue()).toBe('AITags = "Cat"');
    await eventually(count(page.locator('li.card'))).toBe(1);
    await card(/^red-cat/).waitFor();
    expect(requests).toContain('GET /v1/files');
  });

  it('adds a tag to the selected files in bulk, and finds them by it', async () => {
    // Prepare
    await page.getByRole('button', { name: 'Clear', exact: true }).click();
    await eventually(count(page.locator('li.card'))).toBe(2);

    // Act
    await page.getByRole('checkbox', { name: /^Select red-cat/ }).check();
    await page.getByRole('checkbox', { name: /^Select blue-sky/ }).check();
    await page.getByText('2 selected').waitFor();
    await page.getByLabel('Tags to add or remove, comma-separated').fill('favourite');
    await page.getByRole('button', { name: 'Add tags' }).click();

    // Assess
    await page.getByText('Added favourite to 2 files.').waitFor();
    for (const name of [/^red-cat/, /^blue-sky/]) await eventually(texts(card(name).locator('.chip-user'))).toEqual(['Search for tag favourite']);
    await card(/^blue-sky/)
      .getByRole('button', { name: 'Search for tag favourite' })
      .click();
    await eventually(() => page.getByLabel('Search query').inputValue()).toBe('tags = "favourite"');
    await eventually(count(page.locator('li.card'))).toBe(2);
  });

  it('edits user tags and runs auto-tagging again from the details dialog', async () => {
    // Prepare
    await page.getByRole('button', { name: 'Clear', exact: true }).click();
    await card(/^blue-sky/)
      .locator('.card-open')
      .click();
    const dialog = page.getByRole('dialog');
    await eventually(text(dialog.getByRole('heading', { level: 2 }))).toMatch(/^blue-sky/);

    // Act
    await dialog.getByLabel('User tags, comma-separated').fill('favourite, sky');
    await dialog.getByRole('button', { name: 'Save tags' }).click();
    await dialog.getByText('Tags saved.').waitFor();
    await dialog.getByLabel(/Google Cloud Vision/).uncheck();
    await dialog.getByRole('button', { name: 'Run auto-tagging' }).click();

    // Assess
    await eventually(texts(statusOf(dialog, 'aws-auto-tagging'))).toEqual(['pending']);
    await eventually(texts(statusOf(dialog, 'aws-auto-tagging'))).toEqual(['success']);
    await dialog.locator('.chip-aws-auto-tagging').first().waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    const sky = card(/^blue-sky/);
    await eventually(texts(sky.locator('.chip-user'))).toEqual(['Search for tag favourite', 'Search for tag sky']);
    await eventually(count(sky.locator('.chip-google-auto-tagging'))).toBe(0);
    await sky.locator('.chip-aws-auto-tagging').first().waitFor();
    await eventually(isFocused(sky.locator('.card-open'))).toBe(true);
  });

  it("shows a private file's thumbnail from its presigned URL on the S3 origin, which the CSP allows", async () => {
    // Prepare: a private file, uploaded by another client
    const form = new FormData();
    form.set('file', new Blob([await jpeg(40, 30)], { type: 'image/jpeg' }), 'secret.jpg');
    form.set('fileName', 'secret.jpg');
    form.set('isPrivateFile', 'true');
    const uploaded = await fetch(`${stack.apiUrl}/api/v1/files/upload`, { method: 'POST', headers: { authorization: stack.auth }, body: form });
    expect(uploaded.status).toBe(200);

    // Act: search again (the same, empty query) to read the files anew
    await page.getByRole('button', { name: 'Search', exact: true }).click();

    // Assess
    const thumbnail = card(/^secret/).locator('img.thumb');
    await eventually(() =>
      thumbnail.evaluate((image) => (image as HTMLImageElement).complete && (image as HTMLImageElement).naturalWidth),
    ).toBeGreaterThan(0);
    expect(new URL(await thumbnail.evaluate((image) => (image as HTMLImageElement).src)).origin).toBe(new URL(stack.s3Endpoint).origin);
    await eventually(text(card(/^secret/).locator('.card-facts'))).toContain('private');
  });

  it('has no accessibility violations (axe-core) with files shown, nor with the details dialog open', async () => {
    // Prepare: axe evaluated over CDP, which the page's CSP does not govern (an added <script> tag it would block).
    await page.evaluate(axe.source);
    const violations = () =>
      page.evaluate(async () => {
        const { axe: engine } = window as unknown as { axe: typeof axe };
        const result = await engine.run(document, { resultTypes: ['violations'] });
        return {
          violations: result.violations.map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`),
          rulesPassed: result.passes.length,
        };
      });

    // Act + Assess
    await page.locator('li.card img.thumb').first().waitFor();
    const withFiles = await violations();
    expect(withFiles.violations).toEqual([]);
    expect(withFiles.rulesPassed).toBeGreaterThan(10);
    await card(/^red-cat/)
      .locator('.card-open')
      .click();
    await page.getByRole('dialog').waitFor();
    expect((await violations()).violations).toEqual([]);
    await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();
    await page.getByRole('dialog').waitFor({ state: 'hidden' });
  });

  it('is usable by keyboard: Tab reaches the search box, with a visible focus ring, and Enter searches', async () => {
    // Prepare
    await page.locator('body').focus();
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());

    // Act
    let focused = '';
    for (let presses = 0; presses < 30 && focused !== 'search-query'; presses += 1) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(() => document.activeElement?.id ?? '');
    }
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement as Element).outlineStyle);
    await page.keyboard.type('tags = "sky"');
    await page.keyboard.press('Enter');

    // Assess
    expect(focused).toBe('search-query');
    expect(outline).not.toBe('none');
    await eventually(count(page.locator('li.card'))).toBe(1);
    await card(/^blue-sky/).waitFor();
  });

  it("shows the API's message and help for a bad search query", async () => {
    // Prepare
    provoked = 400;

    // Act
    await page.getByLabel('Search query').fill('tags IN ["cat"');
    await page.getByLabel('Search query').press('Enter');

    // Assess
    const alert = page.getByRole('alert').filter({ hasText: 'searchQuery' });
    await eventually(text(alert.locator('.notice-message'))).toMatch(/^searchQuery: at column 15, expected "," or "\]" in the list/);
    await eventually(text(alert.locator('.notice-help'))).toContain('IN takes a list of values');
    await eventually(count(page.locator('li.card'))).toBe(0);
    provoked = undefined;
  });

  it('loaded with no console error and no failed request, the key in no URL', () => {
    expect(problems).toEqual([]);
    expect(urls.filter((url) => url.includes(stack.privateKey))).toEqual([]);
  });
});
