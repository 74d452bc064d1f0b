import { type ChildProcess, spawn } from 'node:child_process';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ImageInput } from '../../functions/adapters/label-detector.js';
import { rekognitionClient } from '../../functions/adapters/clients/rekognition.js';
import { RekognitionLabels } from '../../functions/adapters/rekognition.js';
import { VisionLabels } from '../../functions/adapters/vision.js';
import { ProviderThrottledError } from '../../functions/core/provider-errors.js';
import {
  type FakeProvider,
  type FakeRekognitionOptions,
  type RekognitionRequestSeen,
  startFakeRekognition,
  startFakeVision,
  type VisionRequestSeen,
} from '../../local/fakes/providers.js';

// The fakes' quota (`tps`, a token bucket) on the wire, through the project's adapters and the real SDK
// clients. A bucket refills at `tps` tokens a second: calls sent together within its refill time meet
// the same tokens, and a wait longer than 1 / tps always finds one again.

const TIMEOUT_MS = 2_000;
const REKOGNITION_CALL = {
  method: 'POST',
  headers: {
    'x-amz-target': 'RekognitionService.DetectLabels',
    'content-type': 'application/x-amz-json-1.1',
    authorization: 'AWS4-HMAC-SHA256 Credential=k/20250101/us-east-1/rekognition/aws4_request',
  },
};

const solid = (r: number, g: number, b: number) =>
  sharp({ create: { width: 120, height: 90, channels: 3, background: { r, g, b } } })
    .jpeg()
    .toBuffer();
const bytesOf = (bytes: Uint8Array): ImageInput => ({ kind: 'bytes', bytes });
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const fakes: Array<FakeProvider<RekognitionRequestSeen> | FakeProvider<VisionRequestSeen>> = [];
const clients: Array<{ destroy(): void }> = [];
let red: Buffer;
let blue: Buffer;

beforeAll(async () => {
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'fake', AWS_SECRET_ACCESS_KEY: 'fake', AWS_REGION: 'us-east-1' });
  [red, blue] = await Promise.all([solid(200, 30, 30), solid(20, 40, 220)]);
});
afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  await Promise.all(fakes.splice(0).map((fake) => fake.stop()));
  delete process.env.AWS_ENDPOINT_URL_REKOGNITION;
});

async function fakeRekognition(options: FakeRekognitionOptions) {
  const fake = await startFakeRekognition({}, options);
  fakes.push(fake);
  // The client factory takes its endpoint the standard way, from the environment.
  process.env.AWS_ENDPOINT_URL_REKOGNITION = fake.url;
  const client = rekognitionClient(TIMEOUT_MS);
  clients.push(client);
  return { fake, rekognition: new RekognitionLabels(client) };
}

async function fakeVision(options: { tps?: number; burst?: number }) {
  const fake = await startFakeVision({}, options);
  fakes.push(fake);
  return {
    fake,
    vision: new VisionLabels(async () => ({ endpoint: fake.url, credentials: { kind: 'api-key', apiKey: 'k' }, timeoutMs: TIMEOUT_MS })),
  };
}

/** Settled calls → how many succeeded, and the errors of the others. */
function outcomes(settled: PromiseSettledResult<unknown>[]) {
  return {
    succeeded: settled.filter((result) => result.status === 'fulfilled').length,
    errors: settled.flatMap((result) => (result.status === 'rejected' ? [result.reason as Error] : [])),
  };
}

describe('fake Rekognition with a quota', () => {
  it('refuses calls over its quota with ThrottlingException, which the adapter reports as throttling', async () => {
    const { fake, rekognition } = await fakeRekognition({ tps: 1, burst: 2 });

    const { succeeded, errors } = outcomes(await Promise.allSettled([1, 2, 3].map(() => rekognition.detect(bytesOf(red), 80))));

    expect(succeeded).toBe(2);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(ProviderThrottledError);
    expect(errors[0]?.message).toBe('Amazon Rekognition: ThrottlingException: Rate exceeded');
    expect(fake.requests.map((request) => request.error ?? request.status).sort()).toEqual([200, 200, 'ThrottlingException']);
    expect(fake.calls.map((call) => call.overQuota).sort()).toEqual([false, false, true]);
  });

  it('answers ProvisionedThroughputExceededException instead when started with that throttling error', async () => {
    const { fake, rekognition } = await fakeRekognition({ tps: 1, burst: 1, throttlingError: 'ProvisionedThroughputExceededException' });

    const { succeeded, errors } = outcomes(await Promise.allSettled([1, 2].map(() => rekognition.detect(bytesOf(red), 80))));

    expect(succeeded).toBe(1);
    expect(errors[0]).toBeInstanceOf(ProviderThrottledError);
    expect(errors[0]?.message).toBe('Amazon Rekognition: ProvisionedThroughputExceededException: Provisioned rate exceeded');
    expect(fake.requests.map((request) => request.status).sort()).toEqual([200, 400]);
  });

  it('says so on the wire as AWS does: HTTP 400, the error type in x-amzn-errortype and __type', async () => {
    const { fake } = await fakeRekognition({ tps: 1, burst: 1 });
    const call = () => fetch(fake.url, { ...REKOGNITION_CALL, body: JSON.stringify({ Image: { Bytes: red.toString('base64') } }) });

    const [first, second] = await Promise.all([call(), call()]);
    const [accepted, refused] = first?.status === 200 ? [first, second] : [second, first];

    expect(accepted?.status).toBe(200);
    expect(refused?.status).toBe(400);
    expect(refused?.headers.get('x-amzn-errortype')).toBe('ThrottlingException');
    expect(refused?.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(await refused?.json()).toEqual({ __type: 'ThrottlingException', message: 'Rate exceeded' });
  });

  it('lets a call through again once its quota has refilled', async () => {
    const { fake, rekognition } = await fakeRekognition({ tps: 5, burst: 1 });
    const { succeeded } = outcomes(await Promise.allSettled([1, 2].map(() => rekognition.detect(bytesOf(red), 80))));
    expect(succeeded).toBe(1);

    await wait(250); // longer than one token's refill (1 / 5 s)

    expect(await rekognition.detect(bytesOf(red), 80)).not.toHaveLength(0);
    expect(fake.calls.map((call) => call.overQuota)).toHaveLength(3);
    expect(fake.calls.at(-1)?.overQuota).toBe(false);
  });

  it('logs each call with its time, whether it was over quota, and which image it carried', async () => {
    const { fake, rekognition } = await fakeRekognition({ tps: 1, burst: 1 });
    const before = Date.now();

    await Promise.allSettled([red, red, blue].map((image) => rekognition.detect(bytesOf(image), 80)));

    expect(fake.calls).toHaveLength(3);
    for (const call of fake.calls) expect(call.at).toBeGreaterThanOrEqual(before);
    expect(fake.calls.filter((call) => call.overQuota)).toHaveLength(2);
    const callsPerImage = new Map<string | undefined, number>();
    for (const call of fake.calls) callsPerImage.set(call.image, (callsPerImage.get(call.image) ?? 0) + 1);
    expect([...callsPerImage.values()].sort()).toEqual([1, 2]);
  });

  it('has no quota unless started with one', async () => {
    const { fake, rekognition } = await fakeRekognition({});

    const { succeeded } = outcomes(await Promise.allSettled(Array.from({ length: 10 }, () => rekognition.detect(bytesOf(red), 80))));

    expect(succeeded).toBe(10);
    expect(fake.calls.filter((call) => call.overQuota)).toHaveLength(0);
  });
});

describe('fake Vision with a quota', () => {
  it('refuses calls over its quota with HTTP 429 RESOURCE_EXHAUSTED, which the adapter reports as throttling', async () => {
    const { fake, vision } = await fakeVision({ tps: 1, burst: 2 });

    const { succeeded, errors } = outcomes(await Promise.allSettled([1, 2, 3].map(() => vision.detect(bytesOf(red), 80))));

    expect(succeeded).toBe(2);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(ProviderThrottledError);
    expect(fake.requests.map((request) => [request.status, request.error ?? null]).sort()).toEqual([
      [200, null],
      [200, null],
      [429, 'RESOURCE_EXHAUSTED'],
    ]);
    expect(fake.calls.map((call) => call.overQuota).sort()).toEqual([false, false, true]);
  });

  it("says so on the wire as Google does: HTTP 429 with Google's error body", async () => {
    const { fake } = await fakeVision({ tps: 1, burst: 1 });
    const call = () =>
      fetch(`${fake.url}/v1/images:annotate?key=k`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ requests: [{ image: { content: red.toString('base64') }, features: [{ type: 'LABEL_DETECTION' }] }] }),
      });

    const [first, second] = await Promise.all([call(), call()]);
    const refused = first?.status === 429 ? first : second;

    expect([first?.status, second?.status].sort()).toEqual([200, 429]);
    expect(refused?.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await refused?.json()).toEqual({
      error: { code: 429, message: expect.stringContaining('Quota exceeded'), status: 'RESOURCE_EXHAUSTED' },
    });
  });
});

describe('npm run fakes with FAKE_TPS', () => {
  let child: ChildProcess | undefined;
  afterAll(() => {
    child?.kill('SIGTERM');
  });

  it('starts both fakes with that quota and says so', async () => {
    child = spawn(process.execPath, ['--import', 'tsx', 'local/fakes/start.ts'], {
      env: { ...process.env, FAKE_TPS: '1', REKOGNITION_FAKE_PORT: '0', VISION_FAKE_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const visionUrl = await new Promise<string>((resolve, reject) => {
      child?.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /fake Vision on (http:\/\/127\.0\.0\.1:\d+)[\s\S]*npm start/.exec(output);
        if (match?.[1]) resolve(match[1]);
      });
      child?.once('exit', (code) => reject(new Error(`exited with ${code}: ${output}`)));
    });
    const call = () =>
      fetch(`${visionUrl}/v1/images:annotate?key=k`, {
        method: 'POST',
        body: JSON.stringify({ requests: [{ image: { content: red.toString('base64') }, features: [{ type: 'LABEL_DETECTION' }] }] }),
      }).then((response) => response.status);

    const statuses = await Promise.all([call(), call()]);

    expect(output).toContain('Quota: 1 calls a second each');
    // A newcomer is told the labels are fixed, and which part varies.
    expect(output).toMatch(/fixed test labels, not image recognition: every image gets the same ones \(Animal, Cat, Pet/);
    expect(output).toContain("only a colour label varies (the image's dominant colour)");
    expect(statuses.sort()).toEqual([200, 429]);
  });

  it('refuses a FAKE_TPS that is not a positive number, naming it', async () => {
    const refused = spawn(process.execPath, ['--import', 'tsx', 'local/fakes/start.ts'], {
      env: { ...process.env, FAKE_TPS: 'fast', REKOGNITION_FAKE_PORT: '0', VISION_FAKE_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let errors = '';
    refused.stderr?.on('data', (chunk: Buffer) => {
      errors += chunk.toString();
    });

    const code = await new Promise<number | null>((resolve) => refused.once('exit', resolve));

    expect(code).toBe(1);
    expect(errors).toContain('FAKE_TPS must be a positive number');
  });
});
