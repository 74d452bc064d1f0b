import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blob, upload } from '../support/requests.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

/** What CloudFront's response headers policy adds to every public file (infra/delivery.ts). */
const NOSNIFF = 'nosniff';
const NO_ACTIVE_CONTENT = "default-src 'none'; style-src 'unsafe-inline'; sandbox";

const SCRIPTED_SVG = Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(document.cookie)</script><rect width="10" height="10"/></svg>',
);

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.close();
});

describe('public file delivery', () => {
  it('serves an uploaded SVG with nosniff and a policy under which its script cannot run', async () => {
    const { status, body } = await upload<{ url: string }>(stack, { file: blob(SCRIPTED_SVG), fileName: 'drawing.svg', useUniqueFileName: 'false' });
    expect(status).toBe(200);
    expect(body.url).toBe(`${stack.apiUrl}/files/drawing.svg`);

    const served = await fetch(body.url);

    expect(served.status).toBe(200);
    expect(Buffer.from(await served.arrayBuffer())).toEqual(SCRIPTED_SVG);
    expect(served.headers.get('x-content-type-options')).toBe(NOSNIFF);
    expect(served.headers.get('content-security-policy')).toBe(NO_ACTIVE_CONTENT);
  });

  it('sends the same headers with a 404 for a file that does not exist', async () => {
    const missing = await fetch(`${stack.apiUrl}/files/nothing-here.svg`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('x-content-type-options')).toBe(NOSNIFF);
    expect(missing.headers.get('content-security-policy')).toBe(NO_ACTIVE_CONTENT);
  });
});
