import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import ImageKit from '@imagekit/nodejs';

/**
 * `npm run webhook-receiver`: a webhook endpoint for trying aitags locally. Verifies each delivery with
 * ImageKit's official SDK (`webhooks.unwrap`) and prints it. PORT (4000); the secret from
 * AITAGS_WEBHOOK_SECRET or the local data dir; FAIL_FIRST=n answers 500 to the first n deliveries.
 */
const dataDir = process.env.AITAGS_DATA_DIR ?? './.aitags';
const secret = process.env.AITAGS_WEBHOOK_SECRET ?? readFileSync(join(dataDir, 'webhook-secret'), 'utf8').trim();
const client = new ImageKit({ privateKey: 'not-used-here', webhookSecret: secret });
let failuresLeft = Number(process.env.FAIL_FIRST ?? 0);

const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, String(value)]));
    const stamp = new Date().toISOString();
    if (failuresLeft > 0) {
      failuresLeft -= 1;
      console.log(`${stamp} ${headers['webhook-id']} → answering 500 on purpose (${failuresLeft} more)`);
      response.writeHead(500).end();
      return;
    }
    try {
      const event = client.webhooks.unwrap(body, { headers });
      console.log(`${stamp} ${headers['webhook-id']} verified ✔\n${JSON.stringify(event, null, 2)}`);
      response.writeHead(204).end();
    } catch (error) {
      console.log(`${stamp} ${headers['webhook-id']} signature NOT valid: ${(error as Error).message}`);
      response.writeHead(400).end();
    }
  });
});
server.listen(Number(process.env.PORT ?? 4000), '127.0.0.1', () => {
  const address = server.address();
  console.log(`webhook receiver on http://127.0.0.1:${typeof address === 'object' && address ? address.port : ''}/hooks`);
});
process.once('SIGINT', () => server.close(() => process.exit(0)));
process.once('SIGTERM', () => server.close(() => process.exit(0)));
