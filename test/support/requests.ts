import type { TestStack } from './test-stack.js';

export type Fields = Record<string, string | Blob>;

export function form(fields: Fields): FormData {
  const body = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    if (typeof value === 'string') body.append(name, value);
    else body.append(name, value, name === 'file' ? 'upload.bin' : undefined);
  }
  return body;
}

export const blob = (bytes: Buffer, type = 'application/octet-stream') => new Blob([new Uint8Array(bytes)], { type });

export interface Reply<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

async function reply<T>(response: Response): Promise<Reply<T>> {
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : undefined) as T };
}

/** Any API call with the stack's key, its body sent as JSON when given. */
export const apiRequest = async <T = Record<string, unknown>>(stack: TestStack, method: string, path: string, body?: unknown) =>
  reply<T>(
    await fetch(`${stack.apiUrl}${path}`, {
      method,
      headers: { authorization: stack.auth, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    }),
  );

export const upload = async <T = Record<string, unknown>>(stack: TestStack, fields: Fields, auth = stack.auth) =>
  reply<T>(await fetch(`${stack.apiUrl}/api/v1/files/upload`, { method: 'POST', headers: { authorization: auth }, body: form(fields) }));

export const getDetails = async <T = Record<string, unknown>>(stack: TestStack, fileId: string) =>
  reply<T>(await fetch(`${stack.apiUrl}/v1/files/${fileId}/details`, { headers: { authorization: stack.auth } }));

export const patchDetails = async <T = Record<string, unknown>>(stack: TestStack, fileId: string, body: unknown, raw?: string) =>
  reply<T>(
    await fetch(`${stack.apiUrl}/v1/files/${fileId}/details`, {
      method: 'PATCH',
      headers: { authorization: stack.auth, 'content-type': 'application/json' },
      body: raw ?? JSON.stringify(body),
    }),
  );

export const deleteFile = async (stack: TestStack, fileId: string) =>
  reply(await fetch(`${stack.apiUrl}/v1/files/${fileId}`, { method: 'DELETE', headers: { authorization: stack.auth } }));
