import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Providers } from '../support/providers.js';
import { getDetails, patchDetails } from '../support/requests.js';
import { EXTENSIONS, names, REKOGNITION, rerun, startWith, type Tagged, taggedFile, VISION } from '../support/rejections.js';
import type { TestStack } from '../support/test-stack.js';

describe('rejected AI tags', () => {
  let stack: TestStack;
  let providers: Providers;

  beforeAll(async () => {
    ({ stack, providers } = await startWith());
  });
  afterEach(async () => {
    await stack.idle();
    providers.rekognition.behave({ labels: REKOGNITION });
    providers.vision.behave({ labels: VISION });
  });
  afterAll(async () => {
    await stack?.close();
    await providers?.stop();
  });

  it('remembers names removed without re-running: no later run brings them back, from any extension', async () => {
    const file = await taggedFile(stack);
    expect(names(file)).toEqual(['aws:Animal', 'aws:Cat', 'aws:Pet', 'google:cat', 'google:Whiskers']);

    const removed = await patchDetails<Tagged>(stack, file.fileId, { removeAITags: ['CAT'] });

    expect(removed.status).toBe(200);
    expect(removed.body.rejectedAITags).toEqual(['CAT']);
    expect(names(removed.body)).toEqual(['aws:Animal', 'aws:Pet', 'google:Whiskers']);
    const again = await rerun(stack, file.fileId);
    expect(names(again)).toEqual(['aws:Animal', 'aws:Pet', 'google:Whiskers']);
    expect(again.rejectedAITags).toEqual(['CAT']);
  });

  it("keeps ImageKit's refresh: removeAITags with extensions removes, re-runs, and rejects nothing", async () => {
    const file = await taggedFile(stack);

    const refreshed = await rerun(stack, file.fileId, { removeAITags: ['Animal'] });

    expect(names(refreshed)).toContain('aws:Animal');
    expect(refreshed).not.toHaveProperty('rejectedAITags');
  });

  it('lets a name return once rejectedAITags no longer lists it', async () => {
    const file = await taggedFile(stack);
    await patchDetails(stack, file.fileId, { removeAITags: ['Pet', 'Whiskers'] });

    const replaced = await patchDetails<Tagged>(stack, file.fileId, { rejectedAITags: ['Whiskers'] });
    expect(replaced.body.rejectedAITags).toEqual(['Whiskers']);
    expect(names(await rerun(stack, file.fileId))).toEqual(['aws:Animal', 'aws:Cat', 'aws:Pet', 'google:cat']);

    const forgotten = await patchDetails<Tagged>(stack, file.fileId, { rejectedAITags: [] });
    expect(forgotten.body).not.toHaveProperty('rejectedAITags');
    expect(names(await rerun(stack, file.fileId))).toEqual(['aws:Animal', 'aws:Cat', 'aws:Pet', 'google:cat', 'google:Whiskers']);
  });

  it('remembers the names a bulk removeAITags removes', async () => {
    const file = await taggedFile(stack);

    const response = await fetch(`${stack.apiUrl}/v1/files/removeAITags`, {
      method: 'POST',
      headers: { authorization: stack.auth, 'content-type': 'application/json' },
      body: JSON.stringify({ fileIds: [file.fileId], AITags: ['Pet'] }),
    });

    expect(response.status).toBe(200);
    expect((await getDetails<Tagged>(stack, file.fileId)).body.rejectedAITags).toEqual(['Pet']);
    expect(names(await rerun(stack, file.fileId))).not.toContain('aws:Pet');
  });

  it('keeps a rejected name out of a tagging job', async () => {
    const file = await taggedFile(stack, { folder: '/rejections-job' });
    await patchDetails(stack, file.fileId, { removeAITags: ['Animal'] });

    const response = await fetch(`${stack.apiUrl}/v1/tagging-jobs`, {
      method: 'POST',
      headers: { authorization: stack.auth, 'content-type': 'application/json' },
      body: JSON.stringify({ path: '/rejections-job/', extensions: EXTENSIONS }),
    });
    expect(response.status).toBe(202);
    await stack.idle();

    const after = (await getDetails<Tagged>(stack, file.fileId)).body;
    expect(names(after)).toEqual(['aws:Cat', 'aws:Pet', 'google:cat', 'google:Whiskers']);
  });

  it('does not let a run already under way when the rejection lands bring the tag back', async () => {
    const file = await taggedFile(stack);
    // Slower than the sync window: the PATCH answers pending and the taggers are still waiting for the providers.
    providers.rekognition.behave({ labels: REKOGNITION, latencyMs: 1500 });
    providers.vision.behave({ labels: VISION, latencyMs: 1500 });
    const started = await patchDetails<Tagged>(stack, file.fileId, { extensions: EXTENSIONS });
    expect(started.body.extensionStatus).toEqual({ 'aws-auto-tagging': 'pending', 'google-auto-tagging': 'pending' });

    const rejected = await patchDetails<Tagged>(stack, file.fileId, { removeAITags: ['cat'] });
    expect(rejected.status).toBe(200);
    await stack.idle();

    const after = (await getDetails<Tagged>(stack, file.fileId)).body;
    expect(after.extensionStatus).toEqual({ 'aws-auto-tagging': 'success', 'google-auto-tagging': 'success' });
    expect(names(after)).toEqual(['aws:Animal', 'aws:Pet', 'google:Whiskers']);
    expect(after.rejectedAITags).toEqual(['cat']);
  });

  it('forgets the rejections of a file overwritten with new bytes', async () => {
    const file = await taggedFile(stack, { useUniqueFileName: 'false', fileName: 'overwritten.jpg' });
    await patchDetails(stack, file.fileId, { removeAITags: ['Cat'] });

    const overwritten = await taggedFile(stack, { useUniqueFileName: 'false', fileName: 'overwritten.jpg', overwriteFile: 'true' });

    expect(overwritten.fileId).toBe(file.fileId);
    expect(overwritten).not.toHaveProperty('rejectedAITags');
    expect(names(overwritten)).toContain('aws:Cat');
  });

  it('refuses more than 200 rejected names with a 400, and changes nothing', async () => {
    const file = await taggedFile(stack);
    const before = await stack.snapshot();

    const reply = await patchDetails<Tagged>(stack, file.fileId, { rejectedAITags: Array.from({ length: 201 }, (_, index) => `label ${index}`) });

    expect(reply.status).toBe(400);
    expect(reply.body.message).toBe('rejectedAITags would hold 201 names; a file keeps at most 200');
    expect(await stack.snapshot()).toEqual(before);
  });

  it('refuses rejectedAITags that is not a list of names', async () => {
    const file = await taggedFile(stack);

    const reply = await patchDetails<Tagged>(stack, file.fileId, { rejectedAITags: 'Cat' });

    expect(reply.status).toBe(400);
    expect(reply.body.message).toBe('rejectedAITags must be an array of tag names');
  });
});
