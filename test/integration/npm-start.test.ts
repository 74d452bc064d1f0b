import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient, waitUntilTableExists, waitUntilTableNotExists } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_NAMES } from '../../local/stack.js';
import { startStandIns } from '../../local/stand-ins.js';
import { blob, form } from '../support/requests.js';
import { jpeg } from '../support/images.js';
import { startProviders } from '../support/providers.js';
import { startWebhookReceiver, verifiedEvent } from '../support/webhook-receiver.js';

let dataDir: string;
const running = new Set<ChildProcess>();

/** `npm start`'s command as a real process. */
function spawnStart(port: number, dir: string, env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts'], {
    env: { ...process.env, PORT: String(port), AITAGS_DATA_DIR: dir, AITAGS_PRIVATE_KEY: '', POWERTOOLS_LOG_LEVEL: 'SILENT', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  return child;
}

/** Runs `npm start`'s command as a real process and waits for its ready line; returns the URL and output. */
async function startService(
  port = 0,
  dir = dataDir,
  env: Record<string, string> = {},
): Promise<{ url: string; output: string; process: ChildProcess }> {
  const child = spawnStart(port, dir, env);
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /running on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match?.[1] && output.includes('\n  try:')) resolve(match[1]);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code}: ${output}`)));
  });
  return { url, output, process: child };
}

/** Runs `npm start`'s command expecting it to fail: its exit code (null if it was still running after 60 s) and all it printed. */
async function startFailing(port: number, dir: string, env: Record<string, string> = {}): Promise<{ code: number | null; output: string }> {
  const child = spawnStart(port, dir, env);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const stuck = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearTimeout(stuck);
  running.delete(child);
  return { code, output };
}

/** A line of a stack trace, as Node prints an uncaught error. */
const STACK_FRAME = /^ {4}at /m;
const basicAuth = (key: string) => ({ authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}` });

async function stopService(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const code = await exited;
  running.delete(child);
  return code;
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'aitags-start-'));
});
afterAll(async () => {
  for (const child of running) child.kill('SIGKILL');
  await rm(dataDir, { recursive: true, force: true });
});

/** A loopback port free right now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Sends `send` from the moment a service starts until it answers anything but 503 (connections are refused
 * before it listens): that first answer, and how many 503s came before it.
 */
async function firstAnswer(send: () => Promise<Response>): Promise<{ response: Response; stillStarting: number }> {
  let stillStarting = 0;
  for (;;) {
    const response = await send().catch(() => undefined);
    if (response?.status === 503) stillStarting += 1;
    else if (response) return { response, stillStarting };
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('npm start', () => {
  it('answers 503 with Retry-After, never 500, while it is still starting, and keeps its data dir private', async () => {
    const port = await freePort();
    const ownDir = join(dataDir, 'starting');
    const starting = startService(port, ownDir);
    const answers: Array<{ status: number; retryAfter: string | null; message?: string }> = [];
    let ready = false;
    void starting.then(() => {
      ready = true;
    });
    // Ask from the moment the process starts until it prints its ready line; refused connections come before it listens.
    while (!ready) {
      const response = await fetch(`http://127.0.0.1:${port}/v1/files/0123456789abcdef01234567/details`).catch(() => undefined);
      if (response)
        answers.push({
          status: response.status,
          retryAfter: response.headers.get('retry-after'),
          ...((await response.json()) as { message?: string }),
        });
      await new Promise((resolve) => setImmediate(resolve));
    }
    const service = await starting;
    expect(answers.filter((answer) => answer.status !== 503 && answer.status !== 401)).toEqual([]);
    expect(answers.some((answer) => answer.status === 503)).toBe(true);
    for (const answer of answers.filter((each) => each.status === 503))
      expect(answer).toMatchObject({ retryAfter: '1', message: 'aitags is still starting' });
    expect((await fetch(`${service.url}/v1/files/0123456789abcdef01234567/details`)).status).toBe(401);
    expect((await stat(ownDir)).mode & 0o777).toBe(0o700);
    expect(await stopService(service.process)).toBe(0);
  }, 60_000);

  it('is ready when it answers: a tagged upload sent as the very first request ends as it would a minute later', async () => {
    const providers = await startProviders();
    try {
      const port = await freePort();
      const key = 'private_first_request';
      const auth = { authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}` };
      const starting = startService(port, join(dataDir, 'first-request'), { ...providers.env, AITAGS_PRIVATE_KEY: key });
      const bytes = await jpeg(40, 30);
      const extensions = JSON.stringify([
        { name: 'aws-auto-tagging', minConfidence: 50, maxTags: 5 },
        { name: 'google-auto-tagging', minConfidence: 50, maxTags: 5 },
      ]);
      const { response, stillStarting } = await firstAnswer(() =>
        fetch(`http://127.0.0.1:${port}/api/v1/files/upload`, {
          method: 'POST',
          headers: auth,
          body: form({ file: blob(bytes), fileName: 'first.jpg', extensions }),
        }),
      );
      // The first answer must not be a fluke of timing: the loop met the starting server.
      expect(stillStarting).toBeGreaterThan(0);
      const body = (await response.json()) as { extensionStatus: Record<string, string>; AITags: unknown[] | null; extensionErrors?: unknown };
      expect(response.status).toBe(200);
      expect(body.extensionErrors).toBeUndefined();
      expect(body.extensionStatus).toEqual({ 'aws-auto-tagging': 'success', 'google-auto-tagging': 'success' });
      expect(body.AITags?.length).toBeGreaterThan(0);
      expect(providers.rekognition.requests.length).toBe(1);
      expect(providers.vision.requests.length).toBe(1);
      // Every other route answers at once too.
      for (const path of ['/v1/files', '/v1/tagging-jobs', '/', '/no/such/route']) {
        expect((await fetch(`http://127.0.0.1:${port}${path}`, { headers: auth })).status).not.toBe(503);
      }
      expect(await stopService((await starting).process)).toBe(0);
    } finally {
      await providers.stop();
    }
  }, 60_000);

  it('finishes what a killed start left pending: the extension ends final and the webhook owed arrives once, verified', async () => {
    const providers = await startProviders({ rekognition: [{ name: 'Harbour', confidence: 95 }] });
    const receiver = await startWebhookReceiver();
    const dir = join(dataDir, 'killed-while-pending');
    const key = 'private_killed_pending';
    const webhookSecret = `whsec_${Buffer.from('a-secret-of-32-bytes-for-signing').toString('base64')}`;
    const env = { ...providers.env, AITAGS_PRIVATE_KEY: key, AITAGS_WEBHOOK_SECRET: webhookSecret, AITAGS_SYNC_WINDOW_MS: '300' };
    try {
      // Rekognition does not answer: the run is under way when the process is killed.
      providers.rekognition.behave({ failures: ['hang', 'hang'] });
      const first = await startService(0, dir, env);
      const uploaded = await fetch(`${first.url}/api/v1/files/upload`, {
        method: 'POST',
        headers: basicAuth(key),
        body: form({
          file: blob(await jpeg(40, 30)),
          fileName: 'pending.jpg',
          webhookUrl: receiver.url,
          extensions: JSON.stringify([{ name: 'aws-auto-tagging', minConfidence: 50, maxTags: 5 }]),
        }),
      });
      const { fileId, extensionStatus } = (await uploaded.json()) as { fileId: string; extensionStatus: Record<string, string> };
      expect(extensionStatus).toEqual({ 'aws-auto-tagging': 'pending' });
      const killed = new Promise((resolve) => first.process.once('exit', resolve));
      first.process.kill('SIGKILL');
      await killed;
      running.delete(first.process);
      expect(receiver.received).toHaveLength(0);

      providers.rekognition.reset();
      const second = await startService(0, dir, env);
      await receiver.waitFor(1);
      const details = await fetch(`${second.url}/v1/files/${fileId}/details`, { headers: basicAuth(key) });
      expect(((await details.json()) as { extensionStatus: unknown }).extensionStatus).toEqual({ 'aws-auto-tagging': 'success' });
      const [delivery] = receiver.received;
      const event = verifiedEvent<{ service: string; status: string; fileObject: { fileId: string } }>(delivery, webhookSecret);
      expect(event).toMatchObject({ service: 'aws-auto-tagging', status: 'SUCCESS', fileObject: { fileId } });
      expect(await stopService(second.process)).toBe(0);
      // Once: a second start finds nothing left to do.
      const third = await startService(0, dir, env);
      expect(await stopService(third.process)).toBe(0);
      expect(receiver.received).toHaveLength(1);
      // Since the reset before the second start: the one call of the run started again, none by the third start.
      expect(providers.rekognition.requests.length).toBe(1);
    } finally {
      await receiver.stop();
      await providers.stop();
    }
  }, 90_000);

  it('resumes a webhook that was waiting for its retry when the start was killed: delivered once more, verified, with its original id', async () => {
    const providers = await startProviders({ rekognition: [{ name: 'Harbour', confidence: 95 }] });
    const receiver = await startWebhookReceiver();
    const dir = join(dataDir, 'killed-while-retrying');
    const key = 'private_killed_retrying';
    const webhookSecret = `whsec_${Buffer.from('another-secret-32-bytes-to-sign!').toString('base64')}`;
    const env = { ...providers.env, AITAGS_PRIVATE_KEY: key, AITAGS_WEBHOOK_SECRET: webhookSecret, AITAGS_SYNC_WINDOW_MS: '300' };
    try {
      // Tagged after the sync window, so the webhook is owed; the receiver fails every attempt until the kill.
      providers.rekognition.behave({ latencyMs: 1000 });
      receiver.script(Array.from({ length: 20 }, () => 500));
      const first = await startService(0, dir, env);
      const uploaded = await fetch(`${first.url}/api/v1/files/upload`, {
        method: 'POST',
        headers: basicAuth(key),
        body: form({
          file: blob(await jpeg(40, 30)),
          fileName: 'retrying.jpg',
          webhookUrl: receiver.url,
          extensions: JSON.stringify([{ name: 'aws-auto-tagging', minConfidence: 50, maxTags: 5 }]),
        }),
      });
      const { fileId, extensionStatus } = (await uploaded.json()) as { fileId: string; extensionStatus: Record<string, string> };
      expect(extensionStatus).toEqual({ 'aws-auto-tagging': 'pending' });
      await receiver.waitFor(1);
      const eventId = String(receiver.received[0]?.headers['webhook-id']);
      // Killed once attempt 1 is recorded failed: the delivery waits for attempt 2, 5 s later.
      const table = tableOf(first.output);
      await expect.poll(async () => (await table.delivery(eventId))?.attempts?.length, { timeout: 10_000 }).toBe(1);
      expect((await table.delivery(eventId))?.state).toBe('pending');
      table.close();
      const killed = new Promise((resolve) => first.process.once('exit', resolve));
      first.process.kill('SIGKILL');
      await killed;
      running.delete(first.process);
      const beforeKill = receiver.received.length;
      expect(beforeKill).toBe(1);

      receiver.script([]);
      const second = await startService(0, dir, env);
      await receiver.waitFor(beforeKill + 1);
      const resumed = receiver.received[beforeKill];
      expect(resumed?.headers['webhook-id']).toBe(eventId);
      const event = verifiedEvent<{ service: string; status: string; fileObject: { fileId: string } }>(resumed, webhookSecret);
      expect(event).toMatchObject({ service: 'aws-auto-tagging', status: 'SUCCESS', fileObject: { fileId } });
      const secondTable = tableOf(second.output);
      await expect.poll(async () => (await secondTable.delivery(eventId))?.state, { timeout: 10_000 }).toBe('delivered');
      expect((await secondTable.delivery(eventId))?.attempts).toHaveLength(2);
      secondTable.close();
      expect(await stopService(second.process)).toBe(0);
      // Once: a third start finds nothing left to deliver.
      const third = await startService(0, dir, env);
      expect(await stopService(third.process)).toBe(0);
      expect(receiver.received).toHaveLength(beforeKill + 1);
    } finally {
      await receiver.stop();
      await providers.stop();
    }
  }, 90_000);

  it('prints a generated key once and keeps files and the key across a restart', async () => {
    const first = await startService();
    const key = /shown once; kept in .*\n\s+(\S+)/.exec(first.output)?.[1] ?? '';
    expect(key).toMatch(/^private_/);
    const auth = `Basic ${Buffer.from(`${key}:`).toString('base64')}`;
    const bytes = await jpeg(33, 22);
    const uploaded = await fetch(`${first.url}/api/v1/files/upload`, {
      method: 'POST',
      headers: { authorization: auth },
      body: form({ file: blob(bytes), fileName: 'kept.jpg' }),
    });
    const { fileId } = (await uploaded.json()) as { fileId: string };
    expect(await stopService(first.process)).toBe(0);

    const second = await startService();
    expect(second.output).not.toContain(key);
    expect(second.output).toContain(`the one in ${join(dataDir, 'private-key')}`);
    const details = await fetch(`${second.url}/v1/files/${fileId}/details`, { headers: { authorization: auth } });
    expect(details.status).toBe(200);
    const file = (await details.json()) as { width: number; url: string };
    expect(file.width).toBe(33);
    expect(Buffer.from(await (await fetch(file.url)).arrayBuffer()).equals(bytes)).toBe(true);
    expect(await stopService(second.process)).toBe(0);
  }, 60_000);

  it('migrates and indexes a data dir from before the search index, once, and finds its files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aitags-unindexed-'));
    try {
      const first = await startService(0, dir);
      const key = /shown once; kept in .*\n\s+(\S+)/.exec(first.output)?.[1] ?? '';
      const auth = { authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}` };
      const uploaded = await fetch(`${first.url}/api/v1/files/upload`, {
        method: 'POST',
        headers: auth,
        body: form({ file: blob(await jpeg(16, 16)), fileName: 'old.jpg', folder: '/archive/2019', tags: 'Heirloom' }),
      });
      const { fileId } = (await uploaded.json()) as { fileId: string };
      expect(await stopService(first.process)).toBe(0);

      const items = await downgradeToUnindexed(dir);
      const port = await freePort();
      const starting = startService(port, dir);
      // The first answer already holds the migrated, re-indexed file: nothing answers before that is done.
      const first503s = await firstAnswer(() => fetch(`http://127.0.0.1:${port}/v1/files?path=/archive/2019/`, { headers: auth }));
      expect(first503s.response.status).toBe(200);
      expect(((await first503s.response.json()) as Array<{ fileId: string }>).map((file) => file.fileId)).toEqual([fileId]);
      const second = await starting;
      expect(second.output).toContain(`search index: rebuilt the table (${items} items) and indexed 1 file stored before it`);
      const find = async (query: string) => {
        const response = await fetch(`${second.url}/v1/files?${query}`, { headers: auth });
        expect(response.status).toBe(200);
        return ((await response.json()) as Array<{ fileId: string }>).map((file) => file.fileId);
      };
      expect(await find(`searchQuery=${encodeURIComponent('tags = "heirloom"')}`)).toEqual([fileId]);
      expect(await find('path=/archive/2019/')).toEqual([fileId]);
      expect(await find(`searchQuery=${encodeURIComponent('createdAt > "1d"')}`)).toEqual([fileId]);
      expect(await stopService(second.process)).toBe(0);

      const third = await startService(0, dir);
      expect(third.output).not.toContain('search index:');
      expect(await stopService(third.process)).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 90_000);
});

describe('npm start that cannot start', () => {
  it('refuses a second start on the same data dir in a line naming the first, which goes on serving', async () => {
    const dir = join(dataDir, 'twice');
    const first = await startService(0, dir);
    const second = await startFailing(await freePort(), dir);
    expect(second.code).toBe(1);
    expect(second.output).toContain(`aitags is already running on ${first.url} (pid ${first.process.pid}) with data dir ${dir}`);
    expect(second.output).toContain(`kill ${first.process.pid}`);
    expect(second.output).toContain('AITAGS_DATA_DIR');
    expect(second.output.trim().split('\n')).toHaveLength(1);
    expect(second.output).not.toMatch(STACK_FRAME);
    expect((await fetch(`${first.url}/v1/files`)).status).toBe(401);
    expect(await stopService(first.process)).toBe(0);
    // Stopping releases the data dir.
    await expect(stat(join(dir, 'aitags.lock'))).rejects.toMatchObject({ code: 'ENOENT' });
  }, 90_000);

  it('takes over the lock of a start that was killed', async () => {
    const dir = join(dataDir, 'killed');
    const lockFile = join(dir, 'aitags.lock');
    const first = await startService(0, dir);
    const killed = new Promise((resolve) => first.process.once('exit', resolve));
    first.process.kill('SIGKILL');
    await killed;
    running.delete(first.process);
    expect(JSON.parse(await readFile(lockFile, 'utf8'))).toMatchObject({ pid: first.process.pid });

    const second = await startService(0, dir);
    expect(second.process.exitCode).toBeNull();
    expect(JSON.parse(await readFile(lockFile, 'utf8'))).toMatchObject({ pid: second.process.pid, port: Number(new URL(second.url).port) });
    const key = (await readFile(join(dir, 'private-key'), 'utf8')).trim();
    expect((await fetch(`${second.url}/v1/files`, { headers: basicAuth(key) })).status).toBe(200);
    expect(await stopService(second.process)).toBe(0);
  }, 90_000);

  it('names a busy port and how to choose another, in one line', async () => {
    const busy = createTcpServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const { port } = busy.address() as AddressInfo;
    try {
      const { code, output } = await startFailing(port, join(dataDir, 'busy-port'));
      expect(code).toBe(1);
      expect(output).toMatch(new RegExp(`^Port ${port} is in use by another program: start aitags on another one with PORT=\\d+ npm start\\.\n$`));
      expect(output).not.toMatch(STACK_FRAME);
    } finally {
      await new Promise((resolve) => busy.close(resolve));
    }
  }, 60_000);

  it('shows a key generated by a start that failed at the next start that succeeds', async () => {
    const dir = join(dataDir, 'failed-first');
    const busy = createTcpServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const { port } = busy.address() as AddressInfo;
    const failed = await startFailing(port, dir);
    await new Promise((resolve) => busy.close(resolve));
    expect(failed.code).toBe(1);
    expect(failed.output).not.toContain('private_');

    const started = await startService(0, dir);
    const key = /private key \(generated now, shown once; kept in .*\n\s+(\S+)/.exec(started.output)?.[1];
    expect(key).toMatch(/^private_/);
    expect((await readFile(join(dir, 'private-key'), 'utf8')).trim()).toBe(key);
    expect(started.output).toMatch(/webhook secret \(generated now, shown once; kept in .*\n\s+whsec_/);
    expect((await fetch(`${started.url}/v1/files`, { headers: basicAuth(key ?? '') })).status).toBe(200);
    expect(await stopService(started.process)).toBe(0);
  }, 90_000);

  it('says in one line when the data dir cannot be made', async () => {
    const file = join(dataDir, 'a-file');
    await writeFile(file, '');
    const { code, output } = await startFailing(0, join(file, 'data'));
    expect(code).toBe(1);
    expect(output).toBe(
      `aitags cannot write ${join(file, 'data')} (a file is where a directory should be): start aitags with another AITAGS_DATA_DIR.\n`,
    );
  }, 60_000);
});

/** The table of a running start, at the DynamoDB endpoint its ready line names: an event's delivery item. */
function tableOf(output: string) {
  const endpoint = /DynamoDB \(dynalite\) (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
  const raw = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' } });
  const client = DynamoDBDocumentClient.from(raw);
  return {
    async delivery(eventId: string) {
      const { Item } = await client.send(new GetCommand({ TableName: LOCAL_NAMES.table, Key: { pk: `webhook#${eventId}` }, ConsistentRead: true }));
      return Item as { state: string; attempts: unknown[] } | undefined;
    },
    close: () => raw.destroy(),
  };
}

/** Puts a data dir's table back as a version without the search index left it: no GSI, no index keys or items. */
async function downgradeToUnindexed(dir: string): Promise<number> {
  const standIns = await startStandIns(dir, LOCAL_NAMES);
  const raw = new DynamoDBClient({ endpoint: standIns.dynamoEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' } });
  const client = DynamoDBDocumentClient.from(raw);
  const table = { TableName: LOCAL_NAMES.table };
  const waiting = { client: raw, maxWaitTime: 10, minDelay: 0.01, maxDelay: 0.1 };
  try {
    const { Items = [] } = await client.send(new ScanCommand({ ...table, ConsistentRead: true }));
    const old = Items.filter((item) => !/^(tag|index)#/.test(String(item.pk))).map(({ ipk: _ipk, isk: _isk, ...item }) => item);
    await raw.send(new DeleteTableCommand(table));
    await waitUntilTableNotExists(waiting, table);
    await raw.send(
      new CreateTableCommand({
        ...table,
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await waitUntilTableExists(waiting, table);
    for (const item of old) await client.send(new PutCommand({ ...table, Item: item }));
    return old.length;
  } finally {
    raw.destroy();
    await standIns.stop();
  }
}
