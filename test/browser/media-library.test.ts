import type { Browser, Locator, Page, Route } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium.js';
import { jpeg, pdf } from '../support/images.js';
import { type Providers, startProviders } from '../support/providers.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';
import { axeViolations, eventually, hueOf, rgbOf, texts, uploadThroughApi, watchPage } from './page-checks.js';

/** Both fakes answer after this long: well past the sync window, so an upload answers `pending` first. */
const PROVIDER_LATENCY_MS = 4000;
/** What the fakes "see": the sources agree on some names (one in another case) and not on others. */
const REKOGNITION_LABELS = [
  { name: 'Animal', confidence: 99.1 },
  { name: 'Cat', confidence: 97.43 },
  { name: 'Pet', confidence: 95.2 },
];
const VISION_LABELS = [
  { name: 'Animal', confidence: 99.1 },
  { name: 'cat', confidence: 92.1 },
  { name: 'Whiskers', confidence: 91 },
];

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
const text = (locator: Locator) => async () => (await texts(locator)()).join(' ');
const count = (locator: Locator) => () => locator.count();
const isFocused = (locator: Locator) => () => locator.evaluate((element) => element === document.activeElement);
const card = (name: RegExp) => page.locator('li.card', { has: page.locator('.card-name', { hasText: name }) });
const statusOf = (scope: Locator, extension: string) => scope.locator(`[data-extension="${extension}"] .status-state`);
const searchBox = () => page.getByLabel('Search files');
const searchParams = () => urls.filter((url) => new URL(url).pathname === '/v1/files').map((url) => new URL(url).searchParams.get('searchQuery'));
const search = async (words: string) => {
  await searchBox().fill(words);
  await searchBox().press('Enter');
};
/** Forgets the key and enters it again: a fresh library, which reads GET /v1/status anew. */
const enterKeyAgain = async () => {
  await page.getByRole('button', { name: 'Forget the key' }).click();
  await page.getByLabel('Private key').fill(stack.privateKey);
  await page.getByLabel('Private key').press('Enter');
  await page.locator('li.card').first().waitFor();
};

beforeAll(async () => {
  providers = await startProviders({ rekognition: REKOGNITION_LABELS, vision: VISION_LABELS });
  providers.rekognition.behave({ latencyMs: PROVIDER_LATENCY_MS, labels: REKOGNITION_LABELS });
  providers.vision.behave({ latencyMs: PROVIDER_LATENCY_MS, labels: VISION_LABELS });
  stack = await startTestStack({ ...providers.env, AITAGS_LOCAL_WAIT_SCALE: '0.01', AITAGS_SYNC_WINDOW_MS: '200' });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.setDefaultTimeout(15_000);
  watchPage(page, problems, () => provoked);
  page.on('request', (request) => {
    requests.push(`${request.method()} ${new URL(request.url()).pathname}`);
    urls.push(request.url());
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

  it('says what to paste when the key is refused, then takes the right key and only then reads the extensions’ status', async () => {
    // Prepare
    provoked = 401;

    // Act: a wrong key first
    await page.getByLabel('Private key').fill('private_wrong');
    await page.getByRole('button', { name: 'Open the library' }).click();

    // Assess: words for someone in a browser, not for curl
    const alert = page.getByRole('alert');
    await eventually(text(alert.locator('.notice-message'))).toBe('That key was not accepted.');
    await eventually(text(alert.locator('.notice-help'))).toMatch(/^Paste the private key printed by npm start \(or kept in \.aitags\/private-key\)/);
    expect(await text(alert)()).not.toMatch(/HTTP Basic|curl/);
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    expect(requests).not.toContain('GET /v1/status');

    // Act: the right one
    await page.getByLabel('Private key').fill(stack.privateKey);
    await page.keyboard.press('Enter');

    // Assess
    await page.getByText('No files yet: upload one above.').waitFor();
    provoked = undefined;
    expect(page.url()).toBe(`${stack.apiUrl}/`);
    await eventually(() => Promise.resolve(requests.includes('GET /v1/status'))).toBe(true);
    expect(requests.indexOf('GET /v1/status')).toBeGreaterThan(requests.lastIndexOf('GET /v1/files'));
  });

  it('uploads with the file picker: pending at first, then one chip per AI tag name with each source’s confidence', async () => {
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
    await eventually(texts(cat.locator('.chip-ai'))).toEqual([
      'Search for AI tag Animal · Rekognition 99% · Vision 99%',
      'Search for AI tag Cat · Rekognition 97% · Vision 92%',
      'Search for AI tag Pet · Rekognition 95%',
      'Search for AI tag Whiskers · Vision 91%',
    ]);
    expect(await cat.getByRole('button', { name: /AI tag Cat ·/ }).getAttribute('title')).toBe(
      'Amazon Rekognition: 97.43%\nGoogle Cloud Vision: 92.1%',
    );
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
    const row = page.locator('.upload-row', { hasText: 'blue-sky.png' });
    await eventually(text(row.locator('.upload-state'))).toBe('stored');
    await eventually(text(row.locator('.upload-outcome'))).toMatch(/^\/blue-sky_[\w-]+\.png: 0 AI tags$/);
    await card(/^blue-sky/).waitFor();
    await eventually(count(card(/^blue-sky/).locator('.status'))).toBe(0);
    await eventually(count(page.locator('li.card'))).toBe(2);
  });

  it('searches for an AI tag when its chip is clicked, and says it read the box as a query', async () => {
    // Act
    await card(/^red-cat/)
      .getByRole('button', { name: /AI tag Cat ·/ })
      .click();

    // Assess
    await eventually(() => searchBox().inputValue()).toBe('AITags = "Cat"');
    await eventually(text(page.locator('.search-reading'))).toBe('Searching with the query AITags = "Cat"');
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
  });

  it('forgets the bulk result and the selection on a new search', async () => {
    // Act
    await card(/^blue-sky/)
      .getByRole('button', { name: 'Search for tag favourite' })
      .click();

    // Assess
    await eventually(() => searchBox().inputValue()).toBe('tags = "favourite"');
    await eventually(count(page.locator('li.card'))).toBe(2);
    await eventually(text(page.locator('.files > .done'))).toBe('');
    await page.getByText('0 selected').waitFor();
    expect(await page.getByRole('checkbox', { name: /^Select red-cat/ }).isChecked()).toBe(false);
  });

  it('edits user tags and runs auto-tagging again from the details dialog; "statuses update" goes once they are final', async () => {
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
    await eventually(text(dialog.locator('.done'))).toBe('Auto-tagging started: the statuses below update until final.');
    await eventually(texts(statusOf(dialog, 'aws-auto-tagging'))).toEqual(['success']);
    await eventually(text(dialog.locator('.done'))).toBe('');
    await dialog.locator('.chip-aws-auto-tagging').first().waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    const sky = card(/^blue-sky/);
    await eventually(texts(sky.locator('.chip-user'))).toEqual(['Search for tag favourite', 'Search for tag sky']);
    await eventually(count(sky.locator('.chip-google-auto-tagging'))).toBe(0);
    await sky.locator('.chip-aws-auto-tagging').first().waitFor();
    await eventually(isFocused(sky.locator('.card-open'))).toBe(true);
  });

  it('reads plain words as tags (user or AI, any case), ANDed, and says so', async () => {
    // Act: two user tags, one in capitals
    await search('FAVOURITE sky');

    // Assess
    await eventually(text(page.locator('.search-reading'))).toBe('Searching tags: FAVOURITE AND sky (user and AI tags, any case)');
    await eventually(count(page.locator('li.card'))).toBe(1);
    await card(/^blue-sky/).waitFor();
    expect(searchParams().at(-1)).toBe('tags = "FAVOURITE" AND tags = "sky"');

    // Act: an AI tag's name, in lower case
    await search('whiskers');

    // Assess
    await eventually(text(page.locator('.search-reading'))).toBe('Searching tags: whiskers (user and AI tags, any case)');
    await eventually(count(page.locator('li.card'))).toBe(1);
    await card(/^red-cat/).waitFor();
  });

  it('escapes a word with a double quote or a backslash, and finds the file tagged with it', async () => {
    // Prepare
    await uploadThroughApi(stack, { name: 'vinyl.jpg', bytes: await jpeg(30, 30), fields: { tags: '12"\\mix' } });

    // Act
    await search('12"\\mix');

    // Assess
    await eventually(text(page.locator('.search-reading'))).toBe('Searching tags: 12"\\mix (user and AI tags, any case)');
    await card(/^vinyl/).waitFor();
    await eventually(count(page.locator('li.card'))).toBe(1);
    expect(searchParams().at(-1)).toBe('tags = "12\\"\\\\mix"');
  });

  it("shows a private file's thumbnail from its presigned URL on the S3 origin, which the CSP allows", async () => {
    // Prepare: a private file, uploaded by another client
    await uploadThroughApi(stack, { name: 'secret.jpg', bytes: await jpeg(40, 30), fields: { isPrivateFile: 'true' } });

    // Act: an empty search lists every file anew
    await search('');

    // Assess
    const thumbnail = card(/^secret/).locator('img.thumb');
    await eventually(() =>
      thumbnail.evaluate((image) => (image as HTMLImageElement).complete && (image as HTMLImageElement).naturalWidth),
    ).toBeGreaterThan(0);
    expect(new URL(await thumbnail.evaluate((image) => (image as HTMLImageElement).src)).origin).toBe(new URL(stack.s3Endpoint).origin);
    await eventually(text(card(/^secret/).locator('.card-facts'))).toContain('private');
  });

  it('uploads with a folder, tags and private, listing each queued file with its own state', async () => {
    // Prepare: hold the uploads until the queued states have been seen
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const hold = async (route: Route) => {
      await held;
      await route.continue();
    };
    await page.route('**/api/v1/files/upload', hold);
    await page.getByLabel('Folder').fill('/holidays');
    await page.getByLabel('Tags, comma-separated').fill('summer, beach');
    await page.getByLabel(/^Private/).check();
    provoked = 400;

    // Act
    await page.locator('#upload-files').setInputFiles([
      { name: 'dune.jpg', mimeType: 'image/jpeg', buffer: await jpeg(48, 32) },
      { name: 'empty.jpg', mimeType: 'image/jpeg', buffer: Buffer.alloc(0) },
    ]);

    // Assess: one at a time
    const dune = page.locator('.upload-row', { hasText: 'dune.jpg' });
    const empty = page.locator('.upload-row', { hasText: 'empty.jpg' });
    await eventually(text(dune.locator('.upload-state'))).toBe('uploading…');
    await eventually(text(empty.locator('.upload-state'))).toBe('queued');
    release();
    await eventually(text(dune.locator('.upload-state'))).toBe('stored');
    await eventually(text(dune.locator('.upload-outcome'))).toMatch(/^\/holidays\/dune_[\w-]+\.jpg: 0 AI tags$/);
    await eventually(text(empty.locator('.upload-state'))).toBe('failed');
    await eventually(text(empty.locator('.notice-message'))).toBe('file is empty');
    await page.unroute('**/api/v1/files/upload', hold);
    provoked = undefined;
    const stored = card(/^dune/);
    await eventually(text(stored.locator('.card-facts'))).toMatch(/^\/holidays\/ · .* · private$/);
    await eventually(texts(stored.locator('.chip-user'))).toEqual(['Search for tag summer', 'Search for tag beach']);
    await page.getByLabel('Folder').fill('');
    await page.getByLabel('Tags, comma-separated').fill('');
    await page.getByLabel(/^Private/).uncheck();
  });

  it('says why an extension failed in words, with the reason code in the title', async () => {
    // Act: a PDF, with both extensions
    await page.getByLabel(/Amazon Rekognition/).check();
    await page.getByLabel(/Google Cloud Vision/).check();
    await page.locator('#upload-files').setInputFiles({ name: 'notes.pdf', mimeType: 'application/pdf', buffer: pdf() });

    // Assess: in the upload list, the grid and the details
    const row = page.locator('.upload-row', { hasText: 'notes.pdf' });
    await eventually(texts(row.locator('.status-reason'))).toEqual(['Only images can be auto-tagged.', 'Only images can be auto-tagged.']);
    expect(await row.locator('.status-reason').first().getAttribute('title')).toBe('NOT_AN_IMAGE');
    const notes = card(/^notes/);
    await eventually(texts(notes.locator('[data-extension="google-auto-tagging"] .status-reason'))).toEqual(['Only images can be auto-tagged.']);
    expect(await notes.locator('.status-reason').first().getAttribute('title')).toBe('NOT_AN_IMAGE');
    await notes.locator('.card-open').click();
    const dialog = page.getByRole('dialog');
    await eventually(text(dialog.locator('[data-extension="aws-auto-tagging"]'))).toMatch(
      /^Rekognition: failed Only images can be auto-tagged\. Only images can be auto-tagged; this file is application\/pdf$/,
    );
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'hidden' });
  });

  it('deletes a file from its details after an in-page confirmation, and the grid follows', async () => {
    // Prepare
    const notes = card(/^notes/);
    const fileId = await notes.getAttribute('data-file-id');
    await notes.locator('.card-open').click();
    const details = page.getByRole('dialog');
    await details.getByRole('button', { name: 'Delete' }).click();
    const confirm = page.getByRole('alertdialog');
    await eventually(text(confirm.getByRole('heading'))).toMatch(/^Delete notes_[\w-]+\.pdf\?$/);

    // Act: Cancel (which has the focus) keeps it
    await eventually(isFocused(confirm.getByRole('button', { name: 'Cancel' }))).toBe(true);
    await page.keyboard.press('Enter');

    // Assess
    await confirm.waitFor({ state: 'hidden' });
    expect(requests).not.toContain(`DELETE /v1/files/${fileId}`);
    await eventually(isFocused(details.getByRole('button', { name: 'Delete' }))).toBe(true);

    // Act: now confirm
    await details.getByRole('button', { name: 'Delete' }).click();
    await confirm.getByRole('button', { name: 'Delete the file' }).click();

    // Assess
    await details.waitFor({ state: 'hidden' });
    await eventually(text(page.locator('.files > .done'))).toMatch(/^Deleted notes_[\w-]+\.pdf\.$/);
    await eventually(count(notes)).toBe(0);
    expect(requests).toContain(`DELETE /v1/files/${fileId}`);
    await eventually(isFocused(page.getByRole('heading', { name: 'Files' }))).toBe(true);
    expect((await fetch(`${stack.apiUrl}/v1/files/${fileId}/details`, { headers: { authorization: stack.auth } })).status).toBe(404);
  });

  it('deletes the selected files after a confirmation that names them, in one batch call', async () => {
    // Prepare
    for (const name of ['old-1.jpg', 'old-2.jpg']) await uploadThroughApi(stack, { name, bytes: await jpeg(20, 20) });
    await search('');
    await page.getByRole('checkbox', { name: /^Select old-1/ }).check();
    await page.getByRole('checkbox', { name: /^Select old-2/ }).check();
    const before = await page.locator('li.card').count();

    // Act
    await page.getByRole('button', { name: 'Delete selected' }).click();
    const confirm = page.getByRole('alertdialog');
    await eventually(text(confirm.getByRole('heading'))).toBe('Delete 2 selected files?');
    // Both names, in the grid's order (the two may share a creation millisecond)
    await eventually(text(confirm.locator('.confirm-body p'))).toMatch(/ (old-\d_[\w-]+\.jpg), (?!\1)(old-\d_[\w-]+\.jpg)\.$/);
    await confirm.getByRole('button', { name: 'Delete 2 files' }).click();

    // Assess
    await confirm.waitFor({ state: 'hidden' });
    await eventually(text(page.locator('.files > .done'))).toBe('Deleted 2 files.');
    await eventually(count(page.locator('li.card'))).toBe(before - 2);
    await eventually(count(card(/^old-/))).toBe(0);
    await page.getByText('0 selected').waitFor();
    expect(requests).toContain('POST /v1/files/batch/deleteByFileIds');
    await eventually(isFocused(page.getByRole('heading', { name: 'Files' }))).toBe(true);
  });

  it('fits the details dialog in a 1280×800 window, its actions reachable by scrolling inside it', async () => {
    // Prepare
    await page.setViewportSize({ width: 1280, height: 800 });
    await card(/^red-cat/)
      .locator('.card-open')
      .click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();

    // Act + Assess: the dialog inside the window
    const box = await dialog.boundingBox();
    expect(box).not.toBeNull();
    if (!box) return;
    expect(box.y).toBeGreaterThanOrEqual(0);
    expect(box.y + box.height).toBeLessThanOrEqual(800);
    expect(box.x + box.width).toBeLessThanOrEqual(1280);

    // Each action, scrolled to inside the dialog, is in view and not covered
    for (const name of ['Delete', 'Close', 'Save tags', 'Run auto-tagging', 'Open the file']) {
      const action = dialog.getByRole(name === 'Open the file' ? 'link' : 'button', { name, exact: true });
      await action.scrollIntoViewIfNeeded();
      const hit = await action.evaluate((element) => {
        const rect = element.getBoundingClientRect();
        const top = document.elementFromPoint(rect.left + rect.width / 2, rect.top + rect.height / 2);
        return { inView: rect.top >= 0 && rect.bottom <= window.innerHeight, onTop: top !== null && element.contains(top) };
      });
      expect({ name, ...hit }).toEqual({ name, inView: true, onTop: true });
    }
    // Scrolled to the end, Close and Delete are still in view
    await dialog.locator('.details-scroll').evaluate((element) => element.scrollTo(0, element.scrollHeight));
    for (const name of ['Delete', 'Close']) expect(await dialog.getByRole('button', { name, exact: true }).isVisible()).toBe(true);
    const closeBox = await dialog.getByRole('button', { name: 'Close', exact: true }).boundingBox();
    expect(closeBox && closeBox.y >= box.y && closeBox.y + closeBox.height <= box.y + box.height).toBe(true);
    await dialog.getByRole('button', { name: 'Close', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
  });

  it('has no accessibility violations (axe-core): files, details, both confirmations, the syntax help', async () => {
    // Act + Assess: the grid
    await page.locator('li.card img.thumb').first().waitFor();
    const withFiles = await axeViolations(page);
    expect(withFiles.violations).toEqual([]);
    expect(withFiles.rulesPassed).toBeGreaterThan(10);

    // The details dialog, and its delete confirmation over it
    await card(/^red-cat/)
      .locator('.card-open')
      .click();
    const details = page.getByRole('dialog');
    await details.waitFor();
    expect((await axeViolations(page)).violations).toEqual([]);
    await details.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('alertdialog').waitFor();
    expect((await axeViolations(page)).violations).toEqual([]);
    await page.keyboard.press('Escape');
    await page.getByRole('alertdialog').waitFor({ state: 'hidden' });
    await details.getByRole('button', { name: 'Close' }).click();
    await details.waitFor({ state: 'hidden' });

    // The bulk delete confirmation
    await page.getByRole('checkbox', { name: /^Select red-cat/ }).check();
    await page.getByRole('button', { name: 'Delete selected' }).click();
    await page.getByRole('alertdialog').waitFor();
    expect((await axeViolations(page)).violations).toEqual([]);
    await page.getByRole('alertdialog').getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('alertdialog').waitFor({ state: 'hidden' });
    await page.getByRole('button', { name: 'Clear selection' }).click();

    // The syntax help, open, with a word search's reading line
    await search('cat');
    await page.getByText('Search syntax', { exact: true }).click();
    expect((await axeViolations(page)).violations).toEqual([]);
    await page.getByText('Search syntax', { exact: true }).click();
  });

  it('is usable by keyboard: Tab reaches the search box, with a visible focus ring, and Enter searches', async () => {
    // Prepare
    await page.locator('body').focus();
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());

    // Act
    let focused = '';
    for (let presses = 0; presses < 60 && focused !== 'search-query'; presses += 1) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(() => document.activeElement?.id ?? '');
    }
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement as Element).outlineStyle);
    await page.keyboard.press('Control+A');
    await page.keyboard.type('tags = "sky"');
    await page.keyboard.press('Enter');

    // Assess
    expect(focused).toBe('search-query');
    expect(outline).not.toBe('none');
    await eventually(count(page.locator('li.card'))).toBe(1);
    await card(/^blue-sky/).waitFor();
  });

  it("shows the API's message and help for a bad query, with a link to the syntax help", async () => {
    // Prepare
    provoked = 400;

    // Act
    await search('tags IN ["cat"');

    // Assess
    await eventually(text(page.locator('.search-reading'))).toBe('Searching with the query tags IN ["cat"');
    const alert = page.getByRole('alert').filter({ hasText: 'searchQuery' });
    await eventually(text(alert.locator('.notice-message'))).toMatch(/^searchQuery: at column 15, expected "," or "\]" in the list/);
    await eventually(text(alert.locator('.notice-help').first())).toContain('IN takes a list of values');
    await eventually(count(page.locator('li.card'))).toBe(0);
    provoked = undefined;

    // Act: the link opens the help and moves focus to it
    await alert.getByRole('link', { name: 'Search syntax' }).click();

    // Assess
    expect(await page.locator('#search-help').evaluate((element) => (element as HTMLDetailsElement).open)).toBe(true);
    await eventually(isFocused(page.locator('#search-help summary'))).toBe(true);
    await eventually(text(page.locator('#search-help'))).toContain('tags IN ["summer", "beach"]');
    expect(page.url()).toBe(`${stack.apiUrl}/`);
  });

  it('draws the focus ring in a colour other than the errors’', async () => {
    // Prepare: the bad query's error is still shown
    const error = page.locator('.notice-error').first();
    await error.waitFor();

    // Act
    await searchBox().focus();
    const ring = rgbOf(await searchBox().evaluate((element) => getComputedStyle(element).outlineColor));
    const errorColours = await error.evaluate((element) => {
      const style = getComputedStyle(element);
      return [style.color, style.borderTopColor, style.backgroundColor];
    });

    // Assess
    for (const colour of errorColours.map(rgbOf)) {
      expect(ring).not.toEqual(colour);
      const apart = Math.abs(hueOf(ring) - hueOf(colour));
      expect(Math.min(apart, 360 - apart)).toBeGreaterThan(60);
    }
  });

  it('marks extensions GET /v1/status calls unavailable "not configured", unticked, with their help on focus and their last failure', async () => {
    // Prepare: the status of a deployment without AWS credentials, whose Vision failed lately
    const status = {
      version: '0.1.0',
      extensions: {
        'aws-auto-tagging': {
          available: false,
          reason: 'MISSING_CREDENTIALS',
          help: 'Amazon Rekognition needs AWS credentials: set AWS_ACCESS_KEY_ID.',
        },
        'google-auto-tagging': {
          available: true,
          lastFailure: { reason: 'PROVIDER_UNAVAILABLE', message: 'The provider kept failing after retries', at: '2026-12-01T10:00:00.000Z' },
        },
      },
    };
    const answer = (route: Route) => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(status) });
    await page.route('**/v1/status', answer);

    // Act
    await enterKeyAgain();

    // Assess: the upload panel
    const upload = page.locator('section.upload');
    const aws = upload.getByLabel(/Amazon Rekognition/);
    await eventually(text(upload.locator('label', { hasText: 'Amazon Rekognition' }))).toBe('Amazon Rekognition (aws-auto-tagging) not configured');
    await eventually(() => aws.isChecked()).toBe(false);
    expect(await upload.getByLabel(/Google Cloud Vision/).isChecked()).toBe(true);
    expect(await count(upload.locator('.not-configured'))()).toBe(1);
    const help = upload.locator('.extension-help');
    expect(await help.isVisible()).toBe(false);
    await aws.focus();
    await eventually(() => help.isVisible()).toBe(true);
    expect(await help.textContent()).toBe(status.extensions['aws-auto-tagging'].help);
    expect((await aws.getAttribute('aria-describedby'))?.split(' ')).toContain(await help.getAttribute('id'));
    const last = upload.locator('.extension-last-failure');
    await eventually(text(last)).toMatch(/^Last failure, .+: The provider kept failing, even after retries: try again later\.$/);
    expect(await last.locator('.reason').getAttribute('title')).toBe('PROVIDER_UNAVAILABLE');
    expect((await axeViolations(page)).violations).toEqual([]);

    // Assess: the details dialog's re-run
    await card(/^red-cat/)
      .locator('.card-open')
      .click();
    const dialog = page.getByRole('dialog');
    await eventually(count(dialog.locator('.not-configured'))).toBe(1);
    expect(await dialog.getByLabel(/Amazon Rekognition/).isChecked()).toBe(false);
    expect(await dialog.getByLabel(/Google Cloud Vision/).isChecked()).toBe(true);
    await dialog.getByLabel(/Amazon Rekognition/).focus();
    await eventually(() => dialog.locator('.extension-help').isVisible()).toBe(true);
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.unroute('**/v1/status', answer);
  });

  it('treats every extension as available when the server has no GET /v1/status (404), and shows nothing of it', async () => {
    // Prepare
    const missing = (route: Route) =>
      route.fulfill({ status: 404, contentType: 'application/json', body: JSON.stringify({ message: 'Not found', help: '' }) });
    await page.route('**/v1/status', missing);
    provoked = 404;
    const reads = () => Promise.resolve(requests.filter((request) => request === 'GET /v1/status').length);
    const readsBefore = await reads();

    // Act
    await enterKeyAgain();

    // Assess
    await eventually(reads).toBe(readsBefore + 1);
    const upload = page.locator('section.upload');
    expect(await upload.getByLabel(/Amazon Rekognition/).isChecked()).toBe(true);
    expect(await upload.getByLabel(/Google Cloud Vision/).isChecked()).toBe(true);
    expect(await count(page.locator('.not-configured, .extension-help, .extension-last-failure'))()).toBe(0);
    expect(await count(page.getByRole('alert').locator('.notice'))()).toBe(0);
    await page.unroute('**/v1/status', missing);
    provoked = undefined;
  });

  it('with the provider fakes configured, GET /v1/status has both extensions available: none marked, both ticked', async () => {
    // Prepare
    const answered = page.waitForResponse((response) => new URL(response.url()).pathname === '/v1/status');

    // Act
    await enterKeyAgain();

    // Assess
    const response = await answered;
    expect(response.status()).toBe(200);
    const body = (await response.json()) as { extensions: Record<string, { available: boolean }> };
    expect(body.extensions['aws-auto-tagging']?.available).toBe(true);
    expect(body.extensions['google-auto-tagging']?.available).toBe(true);
    const upload = page.locator('section.upload');
    expect(await upload.getByLabel(/Amazon Rekognition/).isChecked()).toBe(true);
    expect(await upload.getByLabel(/Google Cloud Vision/).isChecked()).toBe(true);
    expect(await count(page.locator('.not-configured, .extension-help'))()).toBe(0);
  });

  it('loaded with no console error and no failed request, the key in no URL', () => {
    expect(problems).toEqual([]);
    expect(urls.filter((url) => url.includes(stack.privateKey))).toEqual([]);
  });
});
