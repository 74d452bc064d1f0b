import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeProvider, startFakeVision, type VisionRequestSeen } from '../../../local/fakes/providers.js';
import { VisionLabels, type VisionSettings } from '../../../functions/adapters/vision.js';
import type { VisionCredentials } from '../../../functions/adapters/vision-credentials.js';
import { jpeg } from '../../support/images.js';

/** A tagger's init warms the Vision client up: credentials read and the client built, the provider not called. */
let fake: FakeProvider<VisionRequestSeen>;
beforeAll(async () => {
  fake = await startFakeVision();
});
afterAll(async () => {
  await fake?.stop();
});

function countedSettings(credentials: VisionCredentials) {
  const reads = { count: 0 };
  const settings = async (): Promise<VisionSettings> => {
    reads.count++;
    return { endpoint: fake.url, credentials, timeoutMs: 10_000 };
  };
  return { reads, settings };
}

describe('warming up the Vision adapter', () => {
  it('reads the credentials and builds the client without calling the provider; the first detect uses that client', async () => {
    fake.reset();
    const { reads, settings } = countedSettings({ kind: 'api-key', apiKey: 'k' });
    const vision = new VisionLabels(settings);
    await vision.warmUp();
    expect(reads.count).toBe(1);
    expect(fake.requests).toHaveLength(0);

    const labels = await vision.detect({ kind: 'bytes', bytes: new Uint8Array(await jpeg(32, 32)) }, 50);
    expect(labels.length).toBeGreaterThan(0);
    expect(fake.requests).toHaveLength(1);
  });

  it('does nothing without credentials, and does not fail: the first call reports them missing, as before', async () => {
    fake.reset();
    const { reads, settings } = countedSettings({ kind: 'none' });
    const vision = new VisionLabels(settings);
    await expect(vision.warmUp()).resolves.toBeUndefined();
    expect(reads.count).toBe(1);
    await expect(vision.detect({ kind: 'bytes', bytes: new Uint8Array(await jpeg(32, 32)) }, 50)).rejects.toMatchObject({
      reason: 'MISSING_CREDENTIALS',
    });
    expect(fake.requests).toHaveLength(0);
  });
});
