import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { jpeg } from '../support/images.js';
import { type Providers, startProviders } from '../support/providers.js';
import { blob, upload } from '../support/requests.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

let stack: TestStack;
let providers: Providers;
const lines: string[] = [];

beforeAll(async () => {
  providers = await startProviders();
  // Powertools writes to process.stdout through a Console of its own: its lines are captured here.
  const write = process.stdout.write.bind(process.stdout);
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (text.startsWith('{')) lines.push(...text.split('\n').filter(Boolean));
    else return write(chunk, ...(rest as []));
    return true;
  });
  stack = await startTestStack({ ...providers.env, POWERTOOLS_LOG_LEVEL: 'INFO', AITAGS_LOG_FORMAT: 'json' });
});
afterAll(async () => {
  vi.restoreAllMocks();
  await stack?.close();
  await providers?.stop();
});

type LogEvent = { message: string; function_name?: string; function_request_id?: string; fileId?: string; extension?: string };

describe('local logs', () => {
  it('keeps each concurrent invocation in its own context: function name, request id, fileId and extension', async () => {
    const extensions = [
      { name: 'aws-auto-tagging', minConfidence: 50, maxTags: 5 },
      { name: 'google-auto-tagging', minConfidence: 50, maxTags: 5 },
    ];
    // Two uploads at once: two upload invocations, then four tagging tasks, all interleaved.
    const uploads = await Promise.all(
      ['a.jpg', 'b.jpg'].map(async (fileName) =>
        upload<{ fileId: string }>(stack, { file: blob(await jpeg(32, 24)), fileName, extensions: JSON.stringify(extensions) }),
      ),
    );
    await stack.idle();
    const fileIds = uploads.map((reply) => reply.body.fileId);
    const events = lines.map((line) => JSON.parse(line) as LogEvent);

    const finished = events.filter((event) => event.message === 'Extension finished');
    expect(
      finished
        .map(({ function_name, fileId, extension }) => ({ function_name, fileId, extension }))
        .sort((a, b) => `${a.fileId}${a.extension}`.localeCompare(`${b.fileId}${b.extension}`)),
    ).toEqual(
      fileIds
        .flatMap((fileId) => [
          { function_name: 'aitags-tag-with-rekognition', fileId, extension: 'aws-auto-tagging' },
          { function_name: 'aitags-tag-with-vision', fileId, extension: 'google-auto-tagging' },
        ])
        .sort((a, b) => `${a.fileId}${a.extension}`.localeCompare(`${b.fileId}${b.extension}`)),
    );
    // One request id per invocation: four tasks, four ids.
    expect(new Set(finished.map((event) => event.function_request_id)).size).toBe(4);

    const started = events.filter((event) => event.message === 'Tagging run starting');
    expect(started.map(({ function_name, fileId }) => ({ function_name, fileId }))).toEqual(
      expect.arrayContaining(fileIds.map((fileId) => ({ function_name: 'aitags-upload', fileId }))),
    );
    expect(started).toHaveLength(2);
  });
});
