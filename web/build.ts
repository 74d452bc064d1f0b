import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const webDir = fileURLToPath(new URL('.', import.meta.url));

/**
 * Bundles the media library page into `outDir`: exactly index.html, app.js, app.css and favicon.svg
 * (functions/core/page-files.ts), minified, no source maps. index.html names each asset with a hash of its
 * content, so a browser that kept an old app.js for its few cached minutes never pairs it with a new page.
 */
export async function buildPage(outDir: string): Promise<void> {
  const result = await build({
    absWorkingDir: webDir,
    entryPoints: [
      { in: 'app.ts', out: 'app' },
      { in: 'styles.css', out: 'app' },
    ],
    outdir: outDir,
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['es2022', 'chrome111', 'firefox113', 'safari16.4'],
    legalComments: 'none',
    write: false,
    logLevel: 'silent',
  });
  const assets = new Map<string, Uint8Array>(result.outputFiles.map((output) => [basename(output.path), output.contents]));
  assets.set('favicon.svg', await readFile(join(webDir, 'favicon.svg')));
  const versionOf = (name: string) =>
    createHash('sha256')
      .update(assets.get(name) ?? '')
      .digest('hex')
      .slice(0, 12);
  const document = (await readFile(join(webDir, 'index.html'), 'utf8')).replace(
    /\/assets\/([\w.-]+)"/g,
    (_, name: string) => `/assets/${name}?v=${versionOf(name)}"`,
  );
  await mkdir(outDir, { recursive: true });
  await Promise.all([...assets].map(([name, contents]) => writeFile(join(outDir, name), contents)));
  await writeFile(join(outDir, 'index.html'), document);
}
