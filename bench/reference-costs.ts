import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import { inspectContent } from '../functions/adapters/content-inspector.js';
import type { FileStore } from '../functions/adapters/file-store.js';
import { prepareImage } from '../functions/adapters/image-prep.js';
import type { FileRecord } from '../functions/core/file-record.js';
import { roundMs, quantile } from './stats.js';

const ROUNDS = 10;

/**
 * The CPU work a tagged upload does with the photo, each step timed alone on an idle process: what the
 * upload handler reads from the bytes (metadata + thumbnail), what one tagger prepares for its provider
 * (done once per extension), and what one fake provider spends decoding it before its latency starts.
 * Import this module only after the stack has started: the adapters build their SDK clients from the
 * environment the stack sets.
 */
export async function referenceCosts(photo: Buffer) {
  const store: FileStore = {
    get: async () => photo,
    put: async () => undefined,
    remove: async () => undefined,
    head: async () => undefined,
  };
  const record = {
    fileType: 'image',
    mime: 'image/jpeg',
    size: photo.length,
    filePath: '/photo.jpg',
    isPrivateFile: false,
    hasThumbnail: false,
  } as FileRecord;
  const prepared = await prepareImage(store, record);
  const sent = prepared.kind === 'bytes' ? prepared.bytes : photo;
  return {
    inspectUploadMs: await medianOf(() => inspectContent(photo)),
    prepareForProviderMs: await medianOf(() => prepareImage(store, record)),
    // What the fakes do with every image (local/provider-fakes.ts decodeImage): metadata, then stats.
    fakeDecodeMs: await medianOf(async () => {
      await sharp(sent).metadata();
      await sharp(sent).stats();
    }),
    preparedBytes: sent.length,
  };
}

async function medianOf(step: () => Promise<unknown>): Promise<number> {
  await step();
  const samples: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const startedAt = performance.now();
    await step();
    samples.push(performance.now() - startedAt);
  }
  return roundMs(quantile(samples, 0.5));
}
