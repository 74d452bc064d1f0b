import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import packageJson from '../../package.json' with { type: 'json' };
import { jpeg } from '../support/images.js';
import { blob, getDetails, upload } from '../support/requests.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

let stack: TestStack;

beforeAll(async () => {
  // No provider endpoint overrides and no credentials of any kind: what a fresh laptop has.
  for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'GOOGLE_APPLICATION_CREDENTIALS'])
    delete process.env[name];
  process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/aitags-credentials';
  process.env.AWS_CONFIG_FILE = '/nonexistent/aitags-config';
  stack = await startTestStack({ AITAGS_SYNC_WINDOW_MS: '3000' });
});
afterAll(async () => {
  await stack?.close();
});

const readStatus = async () => {
  const response = await fetch(`${stack.apiUrl}/v1/status`, { headers: { authorization: stack.auth } });
  return { status: response.status, body: (await response.json()) as { version: string; extensions: Record<string, Record<string, unknown>> } };
};

describe('without provider credentials', () => {
  it('GET /v1/status says neither extension can run, why, and how to fix it, before anything has failed', async () => {
    const { status: code, body } = await readStatus();
    expect(code).toBe(200);
    expect(body).toEqual({
      version: packageJson.version,
      extensions: {
        'aws-auto-tagging': {
          available: false,
          reason: 'MISSING_CREDENTIALS',
          help: expect.stringMatching(/^Amazon Rekognition needs AWS credentials: set AWS_ACCESS_KEY_ID .*npm run fakes/),
        },
        'google-auto-tagging': {
          available: false,
          reason: 'MISSING_CREDENTIALS',
          help: expect.stringMatching(/^Google Cloud Vision needs a key: set AITAGS_VISION_API_KEY .*npm run fakes/),
        },
      },
    });
  });

  it('GET /v1/status needs the key', async () => {
    expect((await fetch(`${stack.apiUrl}/v1/status`)).status).toBe(401);
  });

  it('fails both extensions within the window, each with a reason naming the missing credentials', async () => {
    const started = Date.now();
    const { status, body } = await upload<{
      fileId: string;
      extensionStatus: unknown;
      extensionErrors: Record<string, { message: string; reason: string }>;
    }>(stack, {
      file: blob(await jpeg()),
      fileName: 'offline.jpg',
      extensions: JSON.stringify([
        { name: 'aws-auto-tagging', minConfidence: 50, maxTags: 5 },
        { name: 'google-auto-tagging', minConfidence: 50, maxTags: 5 },
      ]),
    });
    expect(status).toBe(200);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(body.extensionStatus).toEqual({ 'aws-auto-tagging': 'failed', 'google-auto-tagging': 'failed' });
    expect(body.extensionErrors['aws-auto-tagging']).toEqual({
      message: expect.stringMatching(/^No usable AWS credentials for Amazon Rekognition \(CredentialsProviderError\): set AWS_ACCESS_KEY_ID/),
      reason: 'MISSING_CREDENTIALS',
    });
    expect(body.extensionErrors['google-auto-tagging']).toEqual({
      message: expect.stringMatching(/^No Google Cloud credentials for Vision: set AITAGS_VISION_API_KEY/),
      reason: 'MISSING_CREDENTIALS',
    });
    expect((await getDetails(stack, body.fileId)).body).toMatchObject({ extensionStatus: body.extensionStatus, AITags: null });

    // The status report keeps each extension's last failure.
    await stack.idle();
    const report = (await readStatus()).body.extensions;
    for (const name of ['aws-auto-tagging', 'google-auto-tagging']) {
      expect(report[name]?.lastFailure).toEqual({ ...body.extensionErrors[name], at: expect.any(String) });
      expect(Date.parse(String((report[name]?.lastFailure as { at?: string } | undefined)?.at))).toBeGreaterThanOrEqual(started);
    }
  });
});
