import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jpeg } from '../support/images.js';
import { blob, getDetails, patchDetails, upload } from '../support/requests.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

let stack: TestStack;
let image: Buffer;
let existingFileId: string;

beforeAll(async () => {
  stack = await startTestStack();
  image = await jpeg();
  existingFileId = (await upload<{ fileId: string }>(stack, { file: blob(image), fileName: 'existing.jpg' })).body.fileId;
});
afterAll(async () => {
  await stack?.close();
});

/** A request with its path sent exactly as written (fetch would normalise it). */
function raw(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; body: string; type?: string }> {
  const { port } = new URL(stack.apiUrl);
  return new Promise((resolve, reject) => {
    const sent = request({ host: '127.0.0.1', port, path, method, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString(), type: response.headers['content-type'] }),
      );
    });
    sent.on('error', reject);
    sent.end();
  });
}

async function expectStillServing() {
  expect((await getDetails(stack, existingFileId)).status).toBe(200);
}

/** `{"a":{"a":…1…}}`, `levels` objects deep, as JSON text (a JS object that deep could not be stringified). */
const deepJson = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
/** JSON text of an object with these own keys (an object literal would make `__proto__` a prototype, not a key). */
const objectJson = (entries: Array<[string, unknown]>) =>
  `{${entries.map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value)}`).join(',')}}`;
const hostileKeys: Array<[string, unknown]> = [
  ['constructor', 'c'],
  ['__proto__', { polluted: true }],
  ['toString', 1],
  ['hasOwnProperty', [true]],
  ['valueOf', 'v'],
];

describe('a truncated or malformed multipart body is a 400, and the server goes on', () => {
  const part = (name: string, value: string, filename?: string) =>
    `--X\r\nContent-Disposition: form-data; name="${name}"${filename ? `; filename="${filename}"` : ''}\r\n\r\n${value}`;
  const shapes: Array<[string, string, string]> = [
    ['cut inside the file part', 'multipart/form-data; boundary=X', part('file', 'abc', 'a.jpg')],
    ['cut inside a file part after a field', 'multipart/form-data; boundary=X', `${part('fileName', 'a.jpg')}\r\n${part('file', 'abc', 'a.jpg')}`],
    ['cut inside a part’s headers', 'multipart/form-data; boundary=X', '--X\r\nContent-Disposition: form-da'],
    ['cut after a part’s headers', 'multipart/form-data; boundary=X', '--X\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\n\r\n'],
    ['no final boundary', 'multipart/form-data; boundary=X', `${part('fileName', 'a.jpg')}\r\n${part('file', 'abc', 'a.jpg')}\r\n`],
    ['a boundary that never appears', 'multipart/form-data; boundary=X', 'just some bytes, no parts at all'],
    ['no boundary in the Content-Type', 'multipart/form-data', `${part('file', 'abc', 'a.jpg')}\r\n--X--\r\n`],
    ['an empty body', 'multipart/form-data; boundary=X', ''],
  ];
  it.each(shapes)('%s', async (_, contentType, body) => {
    const before = await stack.snapshot();
    const response = await fetch(`${stack.apiUrl}/api/v1/files/upload`, {
      method: 'POST',
      headers: { authorization: stack.auth, 'content-type': contentType },
      body,
    });
    const answer = (await response.json()) as { message: string; help: string };
    expect(response.status).toBe(400);
    expect(answer.message).toMatch(/^The body is not valid multipart\/form-data: /);
    expect(answer.help).toMatch(/multipart\/form-data/);
    await expectStillServing();
    expect(await stack.snapshot()).toEqual(before);
  });

  it('a part named __proto__ or constructor is an unknown field, not a prototype', async () => {
    for (const name of ['__proto__', 'constructor']) {
      const before = await stack.snapshot();
      const response = await upload<{ message: string }>(stack, { file: blob(image), fileName: 'x.jpg', [name]: 'x' });
      expect(response.status).toBe(400);
      expect(response.body.message).toBe(`Unsupported field(s) "${name}"`);
      expect(await stack.snapshot()).toEqual(before);
    }
  });

  it('a field sent twice is refused, not silently the last one', async () => {
    const body = new FormData();
    body.append('file', blob(image), 'a.jpg');
    body.append('fileName', 'a.jpg');
    body.append('fileName', 'b.jpg');
    const response = await fetch(`${stack.apiUrl}/api/v1/files/upload`, { method: 'POST', headers: { authorization: stack.auth }, body });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toBe('fileName must be sent once');
  });
});

describe('customMetadata is data, whatever its keys', () => {
  const expectHostileKeys = (metadata: unknown) => {
    expect(Object.getPrototypeOf(metadata)).toBe(Object.prototype);
    expect(JSON.stringify(metadata)).toBe(objectJson(hostileKeys));
  };
  /** The JSON text of a File object's customMetadata, as sent on the wire. */
  const metadataOf = async (fileId: string): Promise<unknown> => JSON.parse(await detailsText(fileId));
  const detailsText = async (fileId: string) => {
    const response = await fetch(`${stack.apiUrl}/v1/files/${fileId}/details`, { headers: { authorization: stack.auth } });
    return JSON.stringify((JSON.parse(await response.text()) as { customMetadata: unknown }).customMetadata);
  };

  it('upload stores and returns constructor, __proto__, toString … as written', async () => {
    const uploaded = await upload<{ fileId: string; customMetadata: unknown }>(stack, {
      file: blob(image),
      fileName: 'keys.jpg',
      customMetadata: objectJson(hostileKeys),
      responseFields: 'customMetadata',
    });
    expect(uploaded.status).toBe(200);
    expectHostileKeys(uploaded.body.customMetadata);
    expect(await detailsText(uploaded.body.fileId)).toBe(objectJson(hostileKeys));
    expectHostileKeys(await metadataOf(uploaded.body.fileId));
  });

  it('PATCH merges them as ordinary keys, and null removes one', async () => {
    const first = await patchDetails(stack, existingFileId, undefined, `{"customMetadata":${objectJson(hostileKeys)}}`);
    expect(first.status).toBe(200);
    expect(await detailsText(existingFileId)).toBe(objectJson(hostileKeys));
    const second = await patchDetails(stack, existingFileId, undefined, '{"customMetadata":{"__proto__":null,"constructor":"d"}}');
    expect(second.status).toBe(200);
    expect(await detailsText(existingFileId)).toBe(
      objectJson([['constructor', 'd'], ...hostileKeys.filter(([key]) => key !== 'constructor' && key !== '__proto__')]),
    );
  });

  it('upload-url keeps them until the object arrives', async () => {
    const response = await fetch(`${stack.apiUrl}/api/v1/files/upload-url`, {
      method: 'POST',
      headers: { authorization: stack.auth, 'content-type': 'application/json' },
      body: `{"fileName":"direct.jpg","size":${image.length},"contentType":"image/jpeg","customMetadata":${objectJson(hostileKeys)}}`,
    });
    expect(response.status).toBe(200);
    const { fileId, uploadUrl, headers } = (await response.json()) as { fileId: string; uploadUrl: string; headers: Record<string, string> };
    expect((await fetch(uploadUrl, { method: 'PUT', headers, body: new Uint8Array(image) })).status).toBe(200);
    await stack.idle();
    expect(await detailsText(fileId)).toBe(objectJson(hostileKeys));
  });

  it('searchQuery on "customMetadata.constructor" matches the files that have it, not every file', async () => {
    const plain = await upload<{ name: string }>(stack, { file: blob(image), fileName: 'plain.jpg' });
    const response = await fetch(`${stack.apiUrl}/v1/files?${new URLSearchParams({ searchQuery: '"customMetadata.constructor" EXISTS' })}`, {
      headers: { authorization: stack.auth },
    });
    const names = ((await response.json()) as Array<{ name: string }>).map((file) => file.name);
    expect(names.length).toBeGreaterThan(0);
    expect(names).not.toContain(plain.body.name);
  });

  it('a PATCH body with a top-level __proto__ is refused, naming it', async () => {
    const before = await stack.snapshot();
    const response = await patchDetails<{ message: string; help: string }>(stack, existingFileId, undefined, '{"__proto__":{"tags":["x"]}}');
    expect(response.status).toBe(400);
    expect(response.body.message).toBe('Unsupported field(s) "__proto__"');
    expect(await stack.snapshot()).toEqual(before);
  });

  describe('a document 10,000 levels deep is a 400, on every route that takes customMetadata', () => {
    const tooDeep = /^customMetadata must be at most 10 levels deep/;
    it.each([
      ['upload', () => upload<{ message: string }>(stack, { file: blob(image), fileName: 'deep.jpg', customMetadata: deepJson(10_000) })],
      ['PATCH', () => patchDetails<{ message: string }>(stack, existingFileId, undefined, `{"customMetadata":${deepJson(10_000)}}`)],
      [
        'upload-url',
        async () => {
          const response = await fetch(`${stack.apiUrl}/api/v1/files/upload-url`, {
            method: 'POST',
            headers: { authorization: stack.auth, 'content-type': 'application/json' },
            body: `{"fileName":"deep.jpg","size":10,"customMetadata":${deepJson(10_000)}}`,
          });
          return { status: response.status, body: (await response.json()) as { message: string } };
        },
      ],
    ])('%s', async (_, send) => {
      const before = await stack.snapshot();
      const response = await send();
      expect(response.status).toBe(400);
      expect(response.body.message).toMatch(tooDeep);
      expect(await stack.snapshot()).toEqual(before);
    });
  });
});

describe('the local gateway maps paths, it does not guess hosts', () => {
  it.each(['//', '///', '///x', '//evil', '//evil/v1/files', '//127.0.0.1/v1/files', '/v1//files'])(
    '%s is a path no route serves: 404',
    async (path) => {
      const response = await raw(path, { authorization: stack.auth });
      expect(response.status).toBe(404);
      expect(JSON.parse(response.body)).toMatchObject({ message: expect.stringContaining(`No route for GET ${path}`), help: expect.any(String) });
    },
  );

  it.each([
    '/files/%00',
    '/files/a%00.jpg',
    '/files//etc/passwd',
    '/files/%2Fetc%2Fpasswd',
    '/files/a/%2e%2e/%2e%2e/b',
    '/files/',
    `/files/${'a'.repeat(300)}.jpg`,
    `/files/${'a/'.repeat(600)}b.jpg`,
    '/files/%E0%A4%A',
    '/files/%ED%A0%80',
  ])('delivery of %s, a key the store cannot hold, is a 404', async (path) => {
    expect((await raw(path)).status).toBe(404);
  });

  it.each(['*', 'evil.example:80', 'mailto:a@b'])('a target that is not a path (%s) is a JSON 400', async (target) => {
    const response = await raw(target, { authorization: stack.auth });
    expect(response.status).toBe(400);
    expect(response.type).toMatch(/^application\/json/);
    expect(JSON.parse(response.body)).toMatchObject({ message: expect.stringMatching(/is not a path|is not valid HTTP/), help: expect.any(String) });
  });

  it('an absolute-form target keeps only its path', async () => {
    const response = await raw(`http://evil.example/v1/files/${existingFileId}/details`, { authorization: stack.auth });
    expect(response.status).toBe(200);
  });

  it.each([
    '/v1/files/%00/details',
    '/v1/files/%2F/details',
    '/v1/files/a%2Fb/details',
    '/v1/files/%E0%A4%A/details',
    `/v1/files/${'f'.repeat(3000)}/details`,
  ])('%s names no file: 404', async (path) => {
    expect((await raw(path, { authorization: stack.auth })).status).toBe(404);
  });

  it('still serves after all of them', async () => {
    await expectStillServing();
  });
});
