import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { TaggingJob } from '../../cli/tagging-jobs-client.js';

/** One request the fake saw: method, path, Authorization header and JSON body. */
export interface SeenRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  body: unknown;
}

export interface FakeAnswer {
  status: number;
  body?: unknown;
}

export interface FakeTaggingJobsApi {
  url: string;
  requests: SeenRequest[];
  stop(): Promise<void>;
}

/** A loopback HTTP server on a random port that answers each request with what `answer` returns for it. */
export async function startFakeTaggingJobsApi(answer: (request: SeenRequest) => FakeAnswer): Promise<FakeTaggingJobsApi> {
  const requests: SeenRequest[] = [];
  const server = createServer(async (incoming, outgoing) => {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const request: SeenRequest = {
      method: incoming.method ?? '',
      path: incoming.url ?? '',
      authorization: incoming.headers.authorization,
      body: text ? JSON.parse(text) : undefined,
    };
    requests.push(request);
    const { status, body } = answer(request);
    outgoing.writeHead(status, { 'content-type': 'application/json' });
    outgoing.end(body === undefined ? '' : JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** A job as the API answers it; `fields` override the defaults of a running three-file job. */
export const jobAnswer = (fields: Partial<TaggingJob> = {}): TaggingJob => ({
  jobId: 'job_0123456789abcdef01234567',
  status: 'running',
  total: 3,
  done: 0,
  succeeded: 0,
  failed: 0,
  skipped: 0,
  createdAt: '2026-11-30T11:03:15.123Z',
  finishedAt: null,
  estimatedProviderCostUsd: 0.003,
  dryRun: false,
  ...fields,
});

/** A stream that keeps what is written to it; `isTTY` as given, like a terminal or a pipe. */
export class TextSink extends Writable {
  text = '';
  private readonly waiting: Array<{ text: string; resolve: () => void }> = [];

  constructor(readonly isTTY = false) {
    super();
  }

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: () => void): void {
    this.text += chunk.toString();
    for (const wait of this.waiting.filter((entry) => this.text.includes(entry.text))) {
      this.waiting.splice(this.waiting.indexOf(wait), 1);
      wait.resolve();
    }
    callback();
  }

  /** Resolves once `text` has been written. */
  written(text: string): Promise<void> {
    if (this.text.includes(text)) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push({ text, resolve }));
  }
}
