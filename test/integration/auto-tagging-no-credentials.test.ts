import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

describe('without provider credentials', () => {
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
  });
});
