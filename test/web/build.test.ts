import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAGE_FILE_NAMES } from '../../functions/core/page-files.js';
import { buildPage } from '../../web/build.js';

let outDir: string;
const read = (name: string) => readFile(join(outDir, name), 'utf8');

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'aitags-page-build-'));
  await buildPage(outDir);
});
afterAll(() => rm(outDir, { recursive: true, force: true }));

describe('buildPage', () => {
  it('writes exactly the four page files', async () => {
    expect((await readdir(outDir)).sort()).toEqual([...PAGE_FILE_NAMES].sort());
  });

  it('names each asset in index.html with a hash of its content, and inlines no script or style', async () => {
    const document = await read('index.html');
    expect(document).toMatch(/<script type="module" src="\/assets\/app\.js\?v=[0-9a-f]{12}"><\/script>/);
    expect(document).toMatch(/<link rel="stylesheet" href="\/assets\/app\.css\?v=[0-9a-f]{12}" \/>/);
    expect(document).toMatch(/<link rel="icon" href="\/assets\/favicon\.svg\?v=[0-9a-f]{12}" type="image\/svg\+xml" \/>/);
    expect(document).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>|<style|\sstyle=|\son[a-z]+=/i);
  });

  it('bundles the app (preact and htm included) into one small module, without source maps, imports or URLs of other hosts', async () => {
    const script = await read('app.js');
    expect(script.length).toBeLessThan(60_000);
    expect(script).not.toContain('sourceMappingURL');
    expect(script).not.toMatch(/^import\b|\bimport\s*\(/m);
    expect(script).not.toMatch(/https?:\/\/(?!www\.w3\.org\/)/);
    expect(await read('app.css')).toMatch(/^:root\{/);
  });
});
