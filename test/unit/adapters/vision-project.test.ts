import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeProvider, startFakeVision, type VisionRequestSeen } from '../../../local/fakes/providers.js';
import { VisionLabels } from '../../../functions/adapters/vision.js';
import { jpeg } from '../../support/images.js';

/**
 * Google's auth library looks up a project id before its first call, whatever the credentials: down to
 * `gcloud` and the GCE metadata server — a probe of a non-loopback address, and about a second, from every
 * new Vision tagger. Here the metadata server is a loopback one that counts what reaches it.
 */
let fake: FakeProvider<VisionRequestSeen>;
let metadata: Server;
const probes: string[] = [];
const saved = { host: process.env.GCE_METADATA_HOST, path: process.env.PATH };

beforeAll(async () => {
  fake = await startFakeVision();
  metadata = createServer((request, response) => {
    probes.push(request.url ?? '');
    response.writeHead(200, { 'metadata-flavor': 'Google', 'content-type': 'text/plain' }).end('a-project');
  });
  await new Promise<void>((resolve) => metadata.listen(0, '127.0.0.1', resolve));
  process.env.GCE_METADATA_HOST = `127.0.0.1:${(metadata.address() as AddressInfo).port}`;
  // No gcloud to ask either.
  process.env.PATH = '/nonexistent';
});
afterAll(async () => {
  process.env.GCE_METADATA_HOST = saved.host;
  process.env.PATH = saved.path;
  await fake?.stop();
  await new Promise((resolve) => metadata?.close(resolve));
});

describe('the Vision adapter with an API key', () => {
  it('tags without looking up a project id: nothing reaches the metadata server', async () => {
    const vision = new VisionLabels(async () => ({ endpoint: fake.url, credentials: { kind: 'api-key', apiKey: 'k' }, timeoutMs: 10_000 }));
    const labels = await vision.detect({ kind: 'bytes', bytes: new Uint8Array(await jpeg(32, 32)) }, 50);
    expect(labels.length).toBeGreaterThan(0);
    expect(probes).toEqual([]);
  });
});
