import { describe, expect, it } from 'vitest';
import { MAX_RESPONSE_BODY_BYTES, okPage } from '../../../functions/http/responses.js';
import { thrownApiError } from '../../support/thrown-api-error.js';

/** A File object as large as one can get: customMetadata at its 10 KB cap, quotes that JSON escapes twice. */
const bigFile = (n: number) => ({ fileId: String(n).padStart(24, '0'), customMetadata: { note: '"'.repeat(5000) + 'x'.repeat(5000) } });

describe('a page of files', () => {
  it('is answered whole when it fits in one Lambda response', () => {
    const files = Array.from({ length: 200 }, (_, n) => bigFile(n));
    const response = okPage(files);
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body ?? '')).toHaveLength(200);
  });

  it('is refused with a 400 suggesting a limit that fits, never cut short', () => {
    const files = Array.from({ length: 1000 }, (_, n) => bigFile(n));
    const error = thrownApiError(() => okPage(files));
    expect(error.status).toBe(400);
    const suggested = Number(/limit=(\d+)/.exec(error.help)?.[1]);
    expect(suggested).toBeGreaterThan(0);
    expect(suggested).toBeLessThan(1000);
    expect(okPage(files.slice(0, suggested)).statusCode).toBe(200);
    // Counted as Lambda counts it: the body string escaped inside the response envelope.
    expect(Buffer.byteLength(JSON.stringify(JSON.stringify(files.slice(0, suggested))))).toBeLessThanOrEqual(MAX_RESPONSE_BODY_BYTES);
  });
});
