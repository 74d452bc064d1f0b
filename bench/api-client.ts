import { performance } from 'node:perf_hooks';

/** Long enough for any tagged upload with a 3 s sync window; a hung request fails the run instead of stalling it. */
const REQUEST_TIMEOUT_MS = 20_000;

/** The `extensions` upload field asking for both providers, keeping up to `maxTags` labels of 50 % or more. */
export const bothExtensions = (maxTags: number) =>
  JSON.stringify([
    { name: 'aws-auto-tagging', minConfidence: 50, maxTags },
    { name: 'google-auto-tagging', minConfidence: 50, maxTags },
  ]);

export interface Timed<T> {
  status: number;
  body: T;
  startedAt: number;
  endedAt: number;
  ms: number;
}

export interface UploadBody {
  fileId: string;
  AITags: Array<{ name: string; confidence: number; source: string }> | null;
  extensionStatus?: Record<string, string>;
}

/** The two calls the benchmark times, over plain fetch with the stack's key; the clock covers request and body. */
export class BenchClient {
  private readonly auth: string;

  constructor(
    private readonly apiUrl: string,
    privateKey: string,
  ) {
    this.auth = `Basic ${Buffer.from(`${privateKey}:`).toString('base64')}`;
  }

  upload(photo: Blob, fields: Record<string, string>): Promise<Timed<UploadBody>> {
    const body = new FormData();
    body.append('file', photo, 'photo.jpg');
    for (const [name, value] of Object.entries(fields)) body.append(name, value);
    return this.timed(`${this.apiUrl}/api/v1/files/upload`, { method: 'POST', body });
  }

  details(fileId: string): Promise<Timed<Record<string, unknown>>> {
    return this.timed(`${this.apiUrl}/v1/files/${fileId}/details`, { method: 'GET' });
  }

  private async timed<T>(url: string, init: RequestInit): Promise<Timed<T>> {
    const startedAt = performance.now();
    const response = await fetch(url, { ...init, headers: { authorization: this.auth }, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    const text = await response.text();
    const endedAt = performance.now();
    if (response.status !== 200) throw new Error(`${init.method} ${url} answered ${response.status}: ${text.slice(0, 300)}`);
    return { status: response.status, body: JSON.parse(text) as T, startedAt, endedAt, ms: endedAt - startedAt };
  }
}
