import { expect } from 'vitest';
import type { FakeLabel } from '../../local/fakes/providers.js';
import { jpeg } from './images.js';
import { startProviders } from './providers.js';
import { blob, getDetails, patchDetails, upload } from './requests.js';
import { startTestStack, type TestStack } from './test-stack.js';

/** A file tagged by both fakes, and the steps the rejected-AI-tags tests take on it. */
export const REKOGNITION: FakeLabel[] = [
  { name: 'Animal', confidence: 99, categories: ['Animals and Pets'] },
  { name: 'Cat', confidence: 97, categories: ['Animals and Pets'] },
  { name: 'Pet', confidence: 95, categories: ['Animals and Pets'] },
];
export const VISION: FakeLabel[] = [
  { name: 'cat', confidence: 96 },
  { name: 'Whiskers', confidence: 90 },
];
export const EXTENSIONS = [
  { name: 'aws-auto-tagging', minConfidence: 50, maxTags: 10 },
  { name: 'google-auto-tagging', minConfidence: 50, maxTags: 10 },
];

export interface Tagged {
  fileId: string;
  AITags: Array<{ name: string; confidence: number; source: string }> | null;
  rejectedAITags?: string[];
  extensionStatus?: Record<string, string>;
  message?: string;
}

export const names = (file: Tagged) => (file.AITags ?? []).map((tag) => `${tag.source === 'aws-auto-tagging' ? 'aws' : 'google'}:${tag.name}`);

/** A stack with the provider fakes; `env` on top. */
export async function startWith(env: Record<string, string> = {}) {
  const providers = await startProviders({ rekognition: REKOGNITION, vision: VISION });
  const stack = await startTestStack({ ...providers.env, AITAGS_SYNC_WINDOW_MS: '500', AITAGS_LOCAL_WAIT_SCALE: '0.01', ...env });
  return { providers, stack };
}

export async function taggedFile(stack: TestStack, fields: Record<string, string> = {}): Promise<Tagged> {
  const { body } = await upload<Tagged>(stack, {
    file: blob(await jpeg(64, 48)),
    fileName: 'cat.jpg',
    extensions: JSON.stringify(EXTENSIONS),
    ...fields,
  });
  await stack.idle();
  return (await getDetails<Tagged>(stack, body.fileId)).body;
}

export async function rerun(stack: TestStack, fileId: string, change: Record<string, unknown> = {}): Promise<Tagged> {
  const reply = await patchDetails<Tagged>(stack, fileId, { ...change, extensions: EXTENSIONS });
  expect(reply.status).toBe(200);
  await stack.idle();
  return (await getDetails<Tagged>(stack, fileId)).body;
}
