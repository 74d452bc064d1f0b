import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterEach, describe, expect, it } from 'vitest';
import { INVOCATION_CHANNEL, invoke } from '../../local/lambda-context.js';

describe('local Lambda invocations', () => {
  const seen: unknown[] = [];
  const listener = (message: unknown) => seen.push(message);
  afterEach(() => {
    unsubscribe(INVOCATION_CHANNEL, listener);
    seen.length = 0;
  });

  it('publish each ended invocation with its handler module and whether it succeeded', async () => {
    subscribe(INVOCATION_CHANNEL, listener);
    await invoke(async () => 'done', {}, 'upload', 1000);
    await expect(invoke(async () => Promise.reject(new Error('no')), {}, 'tag-with-vision', 1000)).rejects.toThrow('no');
    await new Promise((resolve) => setImmediate(resolve));

    expect(seen).toEqual([
      { entry: 'upload', ms: expect.any(Number), ok: true },
      { entry: 'tag-with-vision', ms: expect.any(Number), ok: false },
    ]);
  });
});
