import { badRequest } from '../core/errors.js';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

export type HttpResponse = APIGatewayProxyStructuredResultV2;

export const json = (statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResponse => ({
  statusCode,
  headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  body: JSON.stringify(body),
});

export const ok = (body: unknown) => json(200, body);

/** Lambda refuses a response (body, headers and its own JSON envelope) over 6 MB; this leaves room for the rest. */
export const MAX_RESPONSE_BODY_BYTES = 6 * 1024 * 1024 - 64 * 1024;

/** A list answered whole, or a 400 when it would not fit in one Lambda response: never a silently shorter page. */
export function okPage(items: readonly unknown[]): HttpResponse {
  const body = JSON.stringify(items);
  // Lambda counts the body as a string inside its JSON envelope, quotes escaped.
  const bytes = Buffer.byteLength(JSON.stringify(body));
  if (bytes > MAX_RESPONSE_BODY_BYTES) {
    const fits = Math.max(1, Math.floor((items.length * MAX_RESPONSE_BODY_BYTES) / bytes));
    throw badRequest(
      `These ${items.length} files are ${(bytes / 1024 / 1024).toFixed(1)} MB of JSON, more than one response can carry (6 MB)`,
      `Ask for fewer at a time, e.g. limit=${fits}, and page with skip.`,
    );
  }
  return { statusCode: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, body };
}

export const noContent = (): HttpResponse => ({ statusCode: 204, headers: {}, body: '' });

export const errorBody = (
  statusCode: number,
  message: string,
  help: string,
  headers: Record<string, string> = {},
  details: Record<string, unknown> = {},
) => json(statusCode, { message, help, ...details }, headers);
