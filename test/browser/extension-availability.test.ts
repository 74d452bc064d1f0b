import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jpeg } from '../support/images.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';
import { axeViolations, eventually, openLibrary, texts, uploadThroughApi } from './page-checks.js';

/**
 * The page against a local stack started without any provider credentials, as `npm start` is on a fresh
 * machine: GET /v1/status calls both extensions unavailable (media-library.test.ts has them available,
 * with the provider fakes).
 */
const CREDENTIAL_VARIABLES = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_ROLE_ARN',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AITAGS_VISION_API_KEY',
  'AITAGS_VISION_ENDPOINT',
  'GOOGLE_APPLICATION_CREDENTIALS',
];

let stack: TestStack;
let browser: Browser;
let page: Page;
const problems: string[] = [];

beforeAll(async () => {
  for (const name of CREDENTIAL_VARIABLES) delete process.env[name];
  // Nor any shared AWS config of the machine's user.
  const nowhere = join(tmpdir(), 'aitags-no-such-aws-file');
  process.env.AWS_SHARED_CREDENTIALS_FILE = nowhere;
  process.env.AWS_CONFIG_FILE = nowhere;
  stack = await startTestStack({ AITAGS_LOCAL_WAIT_SCALE: '0.01', AITAGS_MONTHLY_BUDGET_USD: '{"aws-auto-tagging":5}' });
  // A file both extensions failed on: each one's last failure.
  const extensions = ['aws-auto-tagging', 'google-auto-tagging'].map((name) => ({ name, minConfidence: 80, maxTags: 5 }));
  await uploadThroughApi(stack, { name: 'dog.jpg', bytes: await jpeg(40, 40), fields: { extensions: JSON.stringify(extensions) } });
  await stack.idle();
  ({ browser, page } = await openLibrary(stack, {
    problems,
    viewport: { width: 1280, height: 800 },
    ready: (opened) => opened.locator('li.card').first().waitFor(),
  }));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

describe('the media library page, on a stack without provider credentials', () => {
  it('says why each extension failed in words, the reason code in the title', async () => {
    const reasons = page.locator('li.card .status-reason');
    await eventually(texts(reasons)).toEqual(['No credentials are set up for this provider.', 'No credentials are set up for this provider.']);
    expect(await reasons.evaluateAll((elements) => elements.map((element) => element.getAttribute('title')))).toEqual([
      'MISSING_CREDENTIALS',
      'MISSING_CREDENTIALS',
    ]);
  });

  it('marks both extensions "not configured" and unticked in the upload panel, with their help on focus and their last failure', async () => {
    const upload = page.locator('section.upload');
    await eventually(texts(upload.locator('.not-configured'))).toEqual(['not configured', 'not configured']);
    for (const [provider, variable] of [
      ['Amazon Rekognition', 'AWS_ACCESS_KEY_ID'],
      ['Google Cloud Vision', 'AITAGS_VISION_API_KEY'],
    ] as const) {
      const checkbox = upload.getByLabel(new RegExp(provider));
      expect(await checkbox.isChecked()).toBe(false);
      await checkbox.focus();
      const help = upload.locator('.extension-choice', { hasText: provider }).locator('.extension-help');
      await eventually(() => help.isVisible()).toBe(true);
      expect(await help.textContent()).toContain(variable);
      expect((await checkbox.getAttribute('aria-describedby'))?.split(' ')).toContain(await help.getAttribute('id'));
    }
    const last = upload.locator('.extension-last-failure');
    await eventually(texts(last.locator('.reason'))).toEqual([
      'No credentials are set up for this provider.',
      'No credentials are set up for this provider.',
    ]);
    expect(await last.locator('.reason').first().getAttribute('title')).toBe('MISSING_CREDENTIALS');
    // The budget beside the one extension that has one; the refused calls gave their holds back.
    const budgets = upload.locator('.extension-budget');
    await eventually(texts(budgets)).toEqual([expect.stringMatching(/^Budget: \$0\.00 of \$5\.00 spent this month, resets /)]);
    expect(await upload.locator('.extension-choice', { hasText: 'Amazon Rekognition' }).locator('.extension-budget').count()).toBe(1);
    expect((await axeViolations(page)).violations).toEqual([]);
  });

  it('marks them so in the details dialog’s re-run too, where nothing is ticked to run', async () => {
    await page.locator('li.card .card-open').first().click();
    const dialog = page.getByRole('dialog');
    await eventually(texts(dialog.locator('.not-configured'))).toEqual(['not configured', 'not configured']);
    expect(await dialog.getByLabel(/Amazon Rekognition/).isChecked()).toBe(false);
    expect(await dialog.getByLabel(/Google Cloud Vision/).isChecked()).toBe(false);
    expect(await dialog.getByRole('button', { name: 'Run auto-tagging' }).isDisabled()).toBe(true);
    await dialog.getByLabel(/Google Cloud Vision/).focus();
    await eventually(() => dialog.locator('.extension-choice', { hasText: 'Google Cloud Vision' }).locator('.extension-help').isVisible()).toBe(true);
    expect((await axeViolations(page)).violations).toEqual([]);
    await dialog.getByRole('button', { name: 'Close' }).click();
  });

  it('loaded with no console error and no failed request', () => {
    expect(problems).toEqual([]);
  });
});
