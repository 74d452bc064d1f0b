import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

type Handler = (event: APIGatewayProxyEventV2) => Promise<{ statusCode?: number; headers?: Record<string, unknown>; body?: string }>;

let pageDir: string;
let handler: Handler;

const request = (rawPath: string, file?: string) =>
  handler({ rawPath, ...(file !== undefined && { pathParameters: { file } }) } as unknown as APIGatewayProxyEventV2);

beforeAll(async () => {
  pageDir = await mkdtemp(join(tmpdir(), 'aitags-page-'));
  for (const name of ['index.html', 'app.js', 'app.css', 'favicon.svg']) await writeFile(join(pageDir, name), `contents of ${name}`);
  process.env.AITAGS_PAGE_DIR = pageDir;
  process.env.AITAGS_PAGE_IMAGE_ORIGINS = 'http://127.0.0.1:4000  http://127.0.0.1:4001';
  ({ handler } = (await import('../../functions/serve-page.js')) as { handler: Handler });
});
afterAll(() => rm(pageDir, { recursive: true, force: true }));

describe('serve-page', () => {
  it('answers GET / with index.html and its Content-Security-Policy', async () => {
    const response = await request('/');
    expect(response).toEqual({
      statusCode: 200,
      headers: expect.objectContaining({
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-cache',
        'x-content-type-options': 'nosniff',
        'content-security-policy': expect.stringMatching(
          /^default-src 'self'; img-src 'self' http:\/\/127\.0\.0\.1:4000 http:\/\/127\.0\.0\.1:4001;/,
        ),
      }),
      body: 'contents of index.html',
    });
  });

  it('answers an asset by its name, with no policy of its own', async () => {
    const response = await request('/assets/app.css', 'app.css');
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('contents of app.css');
    expect(response.headers).toEqual({
      'content-type': 'text/css; charset=utf-8',
      'cache-control': 'public, max-age=300',
      'x-content-type-options': 'nosniff',
    });
  });

  it.each(['app.js.map', '..', 'private-key', 'constructor'])('answers 404 JSON for any other name (%s)', async (file) => {
    const response = await request(`/assets/${file}`, file);
    expect(response.statusCode).toBe(404);
    expect(JSON.parse(response.body ?? '')).toEqual({
      message: `No page asset named "${file}"`,
      help: 'The page loads its own assets; open / instead.',
    });
  });
});
