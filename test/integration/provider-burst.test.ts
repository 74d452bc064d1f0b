import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type FakeProvider,
  type RekognitionRequestSeen,
  startFakeRekognition,
  startFakeVision,
  type VisionRequestSeen,
  fakeProviderEnvironment,
} from '../../local/fakes/providers.js';
import { LOCAL_STATE_MACHINES } from '../../local/stack.js';
import { jpeg } from '../support/images.js';
import { blob, getDetails, upload } from '../support/requests.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

// A burst of tagged uploads against provider fakes with a quota aitags is not told, retries waited in
// real time. Final statuses only: how busy the quota was kept, and how long it took, is `npm run bench`'s.

const TPS = 5;
const UPLOADS = 50;
const BOTH = JSON.stringify([
  { name: 'aws-auto-tagging', minConfidence: 50, maxTags: 3 },
  { name: 'google-auto-tagging', minConfidence: 50, maxTags: 3 },
]);

let stack: TestStack;
let rekognition: FakeProvider<RekognitionRequestSeen>;
let vision: FakeProvider<VisionRequestSeen>;

beforeAll(async () => {
  // A bucket of one: any two calls closer than 1 / TPS meet a throttle, however slowly this machine uploads.
  rekognition = await startFakeRekognition({}, { tps: TPS, burst: 1 });
  vision = await startFakeVision({}, { tps: TPS, burst: 1 });
  process.env.AWS_ACCESS_KEY_ID = 'fake-key';
  process.env.AWS_SECRET_ACCESS_KEY = 'fake-secret';
  stack = await startTestStack({
    ...fakeProviderEnvironment(rekognition, vision),
    AITAGS_SYNC_WINDOW_MS: '0',
    AITAGS_LOCAL_WAIT_SCALE: '1',
  });
});
afterAll(async () => {
  await stack?.close();
  await Promise.all([rekognition?.stop(), vision?.stop()]);
});

describe(`a burst of ${UPLOADS} tagged uploads over providers limited to ${TPS} calls a second`, () => {
  it('ends every extension of every file in success, the providers having throttled on the way', async () => {
    const image = blob(await jpeg(64, 48));
    const uploaded = await Promise.all(
      Array.from({ length: UPLOADS }, (_, index) =>
        upload<{ fileId: string }>(stack, { file: image, fileName: `burst-${index}.jpg`, extensions: BOTH }),
      ),
    );
    expect(uploaded.map((reply) => reply.status)).toEqual(Array(UPLOADS).fill(200));

    await stack.idle();

    const statuses = await Promise.all(
      uploaded.map(async (reply) => (await getDetails<{ extensionStatus?: Record<string, string> }>(stack, reply.body.fileId)).body.extensionStatus),
    );
    expect(statuses).toEqual(Array(UPLOADS).fill({ 'aws-auto-tagging': 'success', 'google-auto-tagging': 'success' }));
    expect(rekognition.calls.filter((call) => call.overQuota).length).toBeGreaterThan(0);
    expect(vision.calls.filter((call) => call.overQuota).length).toBeGreaterThan(0);
    // Each run on Express; what was still throttled after its retries there continued on Standard, one
    // execution per extension (`<runId>-<extension>`), and nothing else reached Standard.
    const executions = stack.executionsStarted();
    expect(executions[LOCAL_STATE_MACHINES.runs]).toHaveLength(UPLOADS);
    const continued = executions[LOCAL_STATE_MACHINES.standard] ?? [];
    expect(continued.length).toBeGreaterThan(0);
    expect(continued.filter((name) => !/-(aws|google)-auto-tagging$/.test(name))).toEqual([]);
    expect(new Set(continued).size).toBe(continued.length);
  }, 120_000);
});
