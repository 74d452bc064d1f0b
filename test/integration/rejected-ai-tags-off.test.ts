import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Providers } from '../support/providers.js';
import { patchDetails } from '../support/requests.js';
import { names, rerun, startWith, type Tagged, taggedFile } from '../support/rejections.js';
import type { TestStack } from '../support/test-stack.js';

/** A stack of its own: handlers read AITAGS_REMEMBER_REJECTIONS once, when they load. */
describe('rejected AI tags with AITAGS_REMEMBER_REJECTIONS=false', () => {
  let stack: TestStack;
  let providers: Providers;

  beforeAll(async () => {
    ({ stack, providers } = await startWith({ AITAGS_REMEMBER_REJECTIONS: 'false' }));
  });
  afterAll(async () => {
    await stack?.close();
    await providers?.stop();
  });

  it('removes the tags but remembers nothing, so a re-run brings them back', async () => {
    const file = await taggedFile(stack);

    const removed = await patchDetails<Tagged>(stack, file.fileId, { removeAITags: ['Cat', 'cat'] });

    expect(names(removed.body)).toEqual(['aws:Animal', 'aws:Pet', 'google:Whiskers']);
    expect(removed.body).not.toHaveProperty('rejectedAITags');
    expect(names(await rerun(stack, file.fileId))).toEqual(['aws:Animal', 'aws:Cat', 'aws:Pet', 'google:cat', 'google:Whiskers']);
  });
});
