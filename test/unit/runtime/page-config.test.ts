import { afterEach, describe, expect, it, vi } from 'vitest';

/** pageConfig as a fresh cold start reads it: the module is loaded anew with this environment. */
async function pageConfigWith(origins: string) {
  vi.resetModules();
  vi.stubEnv('AITAGS_PAGE_DIR', '/srv/page');
  vi.stubEnv('AITAGS_PAGE_IMAGE_ORIGINS', origins);
  const { pageConfig } = await import('../../../functions/runtime/config.js');
  return pageConfig;
}

describe('pageConfig', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('reads the page directory and the space-separated image origins', async () => {
    const pageConfig = await pageConfigWith(' https://d111.cloudfront.net   http://127.0.0.1:9000 ');
    expect(pageConfig()).toEqual({ pageDir: '/srv/page', imageOrigins: ['https://d111.cloudfront.net', 'http://127.0.0.1:9000'] });
  });

  it('takes no origin at all', async () => {
    expect((await pageConfigWith(''))().imageOrigins).toEqual([]);
  });

  it.each([
    'https://cdn.example.com/files',
    "https://cdn.example.com;script-src 'unsafe-inline'",
    '*',
    'data:',
    'ftp://files.example.com',
    'cdn.example.com',
  ])('refuses %j, which is no origin, naming the variable', async (origin) => {
    const pageConfig = await pageConfigWith(origin);
    expect(() => pageConfig()).toThrow(/^Environment variable AITAGS_PAGE_IMAGE_ORIGINS must list origins such as https:\/\/cdn\.example\.com/);
  });
});
