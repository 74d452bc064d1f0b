import { buildPage } from './build.js';

/** `tsx web/build-main.ts <outDir>`: builds the page into a folder (the stack's bundling of serve-page runs it). */
const outDir = process.argv[2];
if (!outDir) throw new Error('usage: tsx web/build-main.ts <outDir>');
await buildPage(outDir);
