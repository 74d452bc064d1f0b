import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import { inspectContent } from '../functions/adapters/content-inspector.js';
import { transcodeWithSharp } from '../functions/adapters/image-prep.js';
import { planProviderImage } from '../functions/core/provider-image.js';
import { roundMs, quantile } from './stats.js';

const ROUNDS = 10;

/**
 * The CPU work a tagged upload does with the photo, each step timed alone on an idle process: what the
 * upload handler reads from the bytes (metadata + thumbnail), what one tagger prepares for its provider
 * (at most once per extension of a run: retries and later runs read the kept image), and what one fake
 * provider spends decoding it before its latency starts.
 * Import this module only after the stack has started: the adapters build their SDK clients from the
 * environment the stack sets.
 */
export async function referenceCosts(photo: Buffer) {
  const { facts } = await inspectContent(photo);
  // Vision's plan: Rekognition on AWS reads a photo like this one from S3 itself.
  const plan = planProviderImage(facts, { name: 'vision' });
  const prepare = async () => (plan.kind === 'transcode' ? transcodeWithSharp(photo, plan) : photo);
  const sent = await prepare();
  return {
    inspectUploadMs: await medianOf(() => inspectContent(photo)),
    prepareForProviderMs: await medianOf(prepare),
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
