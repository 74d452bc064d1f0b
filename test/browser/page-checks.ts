import axe from 'axe-core';
import type { Browser, Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { launchChromium } from '../support/chromium.js';
import type { TestStack } from '../support/test-stack.js';

/**
 * axe-core's violations on the page as it is now. axe is evaluated over CDP, which the page's CSP does not
 * govern (an added <script> tag it would block); once per page.
 */
export async function axeViolations(page: Page): Promise<{ violations: string[]; rulesPassed: number }> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axe.source);
  return page.evaluate(async () => {
    const { axe: engine } = window as unknown as { axe: typeof axe };
    const result = await engine.run(document, { resultTypes: ['violations'] });
    return {
      violations: result.violations.map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`),
      rulesPassed: result.passes.length,
    };
  });
}

/** `rgb(1, 2, 3)` or `rgba(1, 2, 3, 0.5)` as [r, g, b]. */
export function rgbOf(colour: string): [number, number, number] {
  const [r = 0, g = 0, b = 0] = (colour.match(/[\d.]+/g) ?? []).map(Number);
  return [r, g, b];
}

/** The hue of an RGB colour, in degrees. */
export function hueOf([r, g, b]: [number, number, number]): number {
  const max = Math.max(r, g, b);
  const spread = max - Math.min(r, g, b);
  if (spread === 0) return 0;
  const sector = max === r ? ((g - b) / spread + 6) % 6 : max === g ? (b - r) / spread + 2 : (r - g) / spread + 4;
  return sector * 60;
}

/** An upload by another client than the page: the page sees it on its next read. */
export async function uploadThroughApi(stack: TestStack, file: { name: string; bytes: Buffer; fields?: Record<string, string> }): Promise<void> {
  const form = new FormData();
  form.set('file', new Blob([new Uint8Array(file.bytes)], { type: 'image/jpeg' }), file.name);
  form.set('fileName', file.name);
  for (const [name, value] of Object.entries(file.fields ?? {})) form.set(name, value);
  const response = await fetch(`${stack.apiUrl}/api/v1/files/upload`, { method: 'POST', headers: { authorization: stack.auth }, body: form });
  if (response.status !== 200) throw new Error(`upload of ${file.name}: ${response.status} ${await response.text()}`);
}

/**
 * Collects what would otherwise go wrong unseen on `page` — console errors, page errors, failed requests,
 * answers of 400 or more — into `problems`, except the status a test provokes on purpose (`provoked()`).
 */
export function watchPage(page: Page, problems: string[], provoked: () => number | undefined = () => undefined): void {
  page.on('console', (message) => {
    const status = provoked();
    const provokedLog = status !== undefined && message.text().includes(`the server responded with a status of ${status}`);
    if (message.type() === 'error' && !provokedLog) problems.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => problems.push(`request failed: ${request.method()} ${request.url()} ${request.failure()?.errorText ?? ''}`));
  page.on('response', (response) => {
    if (response.status() >= 400 && response.status() !== provoked())
      problems.push(`${response.status()} ${response.request().method()} ${response.url()}`);
  });
}

/** Polls `read` until it meets the assertion: the page updates after its own requests. */
export const eventually = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 20_000, interval: 100 });

/** The locator's texts, whitespace collapsed, as a reader for `eventually`. */
export const texts = (locator: Locator) => async () => (await locator.allTextContents()).map((text) => text.replace(/\s+/g, ' ').trim());

/** A call of the API beside the page (another client), with the stack's key: its status and JSON body. */
export async function apiCall(stack: TestStack, method: string, path: string, body?: unknown) {
  const response = await fetch(`${stack.apiUrl}${path}`, {
    method,
    headers: { authorization: stack.auth, ...(body !== undefined && { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/**
 * Chromium on the stack's page, watched (`watchPage`), with the private key entered: the library as a user
 * sees it once the key is accepted (`ready` waits for it).
 */
export async function openLibrary(
  stack: TestStack,
  options: {
    problems: string[];
    provoked?: () => number | undefined;
    viewport: { width: number; height: number };
    ready: (page: Page) => Promise<void>;
  },
): Promise<{ browser: Browser; page: Page }> {
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: options.viewport });
  page.setDefaultTimeout(15_000);
  watchPage(page, options.problems, options.provoked);
  await page.goto(stack.apiUrl);
  await page.getByLabel('Private key').fill(stack.privateKey);
  await page.getByLabel('Private key').press('Enter');
  await options.ready(page);
  return { browser, page };
}
