import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebhookSender } from '../../functions/adapters/webhook-sender.js';
import { jpeg } from '../support/images.js';
import { blob, form } from '../support/requests.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';
import { startWebhookReceiver } from '../support/webhook-receiver.js';

let stack: TestStack;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  // Cloud mode: what the CDK stack sets on AWS.
  stack = await startTestStack({ AITAGS_ALLOW_PRIVATE_WEBHOOKS: 'false' });
});
afterAll(async () => {
  await stack?.close();
  await receiver?.stop();
});

describe('webhook targets in cloud mode', () => {
  it.each([
    ['loopback', 'http://127.0.0.1:8080/hook', /webhookUrl points at 127\.0\.0\.1, which is not an allowed webhook address/],
    [
      'a name that resolves to loopback',
      'http://localhost:8080/hook',
      /webhookUrl host localhost resolves to (127\.0\.0\.1|::1), which is not an allowed webhook address/,
    ],
    ['a private address', 'https://10.1.2.3/hook', /10\.1\.2\.3/],
    ['the cloud metadata service', 'http://169.254.169.254/latest/meta-data/', /169\.254\.169\.254/],
    ['CGNAT', 'http://100.64.0.1/hook', /100\.64\.0\.1/],
    ['IPv6 loopback', 'http://[::1]:8080/hook', /::1/],
    ['an IPv4-mapped private address', 'http://[::ffff:192.168.1.1]/hook', /not an allowed webhook address/],
  ])('refuses %s with 400 and stores nothing', async (_, webhookUrl, message) => {
    const before = await stack.snapshot();
    const response = await fetch(`${stack.apiUrl}/api/v1/files/upload`, {
      method: 'POST',
      headers: { authorization: stack.auth },
      body: form({ file: blob(await jpeg()), fileName: 'x.jpg', webhookUrl }),
    });
    const body = (await response.json()) as { message: string; help: string };
    expect(response.status).toBe(400);
    expect(body.message).toMatch(message);
    expect(body.help).toMatch(/public address/);
    expect(await stack.snapshot()).toEqual(before);
  });

  it('refuses a private target on PATCH too', async () => {
    const uploaded = await fetch(`${stack.apiUrl}/api/v1/files/upload`, {
      method: 'POST',
      headers: { authorization: stack.auth },
      body: form({ file: blob(await jpeg()), fileName: 'y.jpg' }),
    });
    const { fileId } = (await uploaded.json()) as { fileId: string };
    const response = await fetch(`${stack.apiUrl}/v1/files/${fileId}/details`, {
      method: 'PATCH',
      headers: { authorization: stack.auth, 'content-type': 'application/json' },
      body: JSON.stringify({ webhookUrl: 'http://127.0.0.2/hook' }),
    });
    expect(response.status).toBe(400);
  });

  it('does not send to a target that resolves to a private address at delivery time', async () => {
    const sender = new WebhookSender(async () => 'whsec_dGVzdA==', 'public-only', 1000);
    const byLiteral = await sender.send(receiver.url, 'msg_1', { hello: 'world' });
    const byName = await sender.send(receiver.url.replace('127.0.0.1', 'localhost'), 'msg_2', { hello: 'world' });
    expect([byLiteral.refused, byLiteral.delivered, byName.refused, byName.delivered]).toEqual([true, false, true, false]);
    expect(byName.error).toMatch(/localhost resolves to .* which is not an allowed webhook address/);
    expect(receiver.received).toHaveLength(0);
  });

  it('sends to the same loopback target in local mode (AITAGS_ALLOW_PRIVATE_WEBHOOKS unset)', async () => {
    const sender = new WebhookSender(async () => 'whsec_dGVzdA==', 'loopback', 1000);
    const result = await sender.send(receiver.url.replace('127.0.0.1', 'localhost'), 'msg_3', { hello: 'world' });
    expect(result).toMatchObject({ delivered: true, refused: false, status: 200 });
    expect(receiver.received).toHaveLength(1);
  });

  it('refuses private and link-local targets in local mode unless they are allowed explicitly', async () => {
    const local = new WebhookSender(async () => 'whsec_dGVzdA==', 'loopback', 300);
    const metadata = await local.send('http://169.254.169.254/latest/meta-data/', 'msg_4', { hello: 'world' });
    const lan = await local.send('http://10.1.2.3/hook', 'msg_5', { hello: 'world' });
    expect([metadata.refused, lan.refused]).toEqual([true, true]);
    expect(metadata.durationMs).toBe(0); // refused before any connection is tried
  });
});
