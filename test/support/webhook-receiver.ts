import ImageKit from '@imagekit/nodejs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  body: string;
  /** What the receiver answered: a status, or nothing at all. */
  answered: number | 'no answer';
}

export type Answer = number | 'hang';

/** A loopback webhook endpoint that records every delivery and answers as scripted (then 200). */
export async function startWebhookReceiver() {
  let script: Answer[] = [];
  const received: ReceivedWebhook[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const answer = script.shift() ?? 200;
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8'), answered: answer === 'hang' ? 'no answer' : answer });
      for (const waiter of waiters.filter((entry) => received.length >= entry.count)) waiter.resolve();
      if (answer !== 'hang') response.writeHead(answer).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    received,
    /** Answers for the next deliveries, in order; afterwards 200. */
    script(answers: Answer[]) {
      script = [...answers];
    },
    reset() {
      script = [];
      received.length = 0;
    },
    /** Resolves once `count` deliveries have arrived. */
    waitFor(count: number) {
      return received.length >= count ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ count, resolve }));
    },
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A received delivery, verified and parsed with the official SDK and the deployment's secret (throws if the signature is wrong). */
export function verifiedEvent<T>(delivery: ReceivedWebhook | undefined, webhookSecret: string): T {
  const header = (name: string) => String(delivery?.headers[name]);
  return new ImageKit({ privateKey: 'unused', webhookSecret }).webhooks.unwrap(delivery?.body ?? '', {
    headers: {
      'webhook-id': header('webhook-id'),
      'webhook-timestamp': header('webhook-timestamp'),
      'webhook-signature': header('webhook-signature'),
    },
  }) as unknown as T;
}
