import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blob, type Fields, form, getDetails, patchDetails, upload } from '../support/requests.js';
import { jpeg } from '../support/images.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

const MAX_UPLOAD_BYTES = 32 * 1024;
let stack: TestStack;
let image: Buffer;
let existingFileId: string;

beforeAll(async () => {
  stack = await startTestStack({ AITAGS_MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES) });
  image = await jpeg();
  const uploaded = await upload<{ fileId: string }>(stack, { file: blob(image), fileName: 'existing.jpg' });
  existingFileId = uploaded.body.fileId;
});
afterAll(async () => {
  await stack?.close();
});

/** Every bad request must answer `{message, help}` with its status and leave the bucket and table as they were. */
async function expectRefusedUnchanged(
  send: () => Promise<Response>,
  status: number,
  message: string | RegExp,
  details: Record<string, unknown> = {},
) {
  const before = await stack.snapshot();
  const response = await send();
  const body = (await response.json()) as { message: string; help: string };
  expect(response.status).toBe(status);
  expect(body.message).toMatch(message);
  expect(body.help.length).toBeGreaterThan(10);
  expect(body).toEqual({ message: body.message, help: body.help, ...details });
  expect(await stack.snapshot()).toEqual(before);
}

const post =
  (fields: Fields, headers: Record<string, string> = { authorization: stack.auth }) =>
  () =>
    fetch(`${stack.apiUrl}/api/v1/files/upload`, { method: 'POST', headers, body: form(fields) });
const withFile = (fields: Fields): Fields => ({ file: blob(image), fileName: 'x.jpg', ...fields });
const extensions = (value: unknown) => withFile({ extensions: typeof value === 'string' ? value : JSON.stringify(value) });
const ok = { name: 'aws-auto-tagging', minConfidence: 50, maxTags: 5 };
/** `{a:{a:…{a:1}}}` with `levels` objects. */
const nested = (levels: number): Record<string, unknown> => (levels === 1 ? { a: 1 } : { a: nested(levels - 1) });
const longWebhookUrl = `https://example.com/${'h'.repeat(2049 - 'https://example.com/'.length)}`;

describe('upload refuses bad input with a 4xx and stores nothing', () => {
  const cases: Array<[string, () => Fields, number, string | RegExp]> = [
    ['missing file', () => ({ fileName: 'x.jpg' }), 400, 'file is required'],
    ['missing fileName', () => ({ file: blob(image) }), 400, 'fileName is required'],
    ['empty file', () => ({ file: blob(Buffer.alloc(0)), fileName: 'x.jpg' }), 400, 'file is empty'],
    ['bad base64', () => ({ file: 'not*base64!', fileName: 'x.jpg' }), 400, 'file is neither a binary part nor valid base64'],
    ['fileName with a slash', () => withFile({ fileName: 'a/b.jpg' }), 400, 'fileName must not contain "/"'],
    ['folder with ..', () => withFile({ folder: '/a/../b' }), 400, 'folder must not contain a ".." segment'],
    ['oversize binary file', () => withFile({ file: blob(Buffer.alloc(MAX_UPLOAD_BYTES + 1, 1)) }), 413, /larger than the 32768-byte limit/],
    ['oversize base64 file', () => withFile({ file: Buffer.alloc(MAX_UPLOAD_BYTES + 1, 1).toString('base64') }), 413, /larger than/],
    ['bad customCoordinates', () => withFile({ customCoordinates: '1,2,3' }), 400, /^customCoordinates must be "x,y,width,height"/],
    ['negative customCoordinates', () => withFile({ customCoordinates: '-1,2,3,4' }), 400, /^customCoordinates/],
    ['customMetadata an array', () => withFile({ customMetadata: '[1,2]' }), 400, 'customMetadata must be a JSON object'],
    ['customMetadata not JSON', () => withFile({ customMetadata: '{oops' }), 400, 'customMetadata is not valid JSON'],
    ['tags over 500 characters', () => withFile({ tags: 'x'.repeat(501) }), 400, 'tags must be at most 500 characters in all'],
    ['a boolean that is not true/false', () => withFile({ isPrivateFile: 'yes' }), 400, 'isPrivateFile must be "true" or "false"'],
    ['an unknown field', () => withFile({ colour: 'red' }), 400, 'Unsupported field(s) "colour"'],
    ['webhookUrl not http(s)', () => withFile({ webhookUrl: 'ftp://example.com/hook' }), 400, 'webhookUrl must be an absolute http(s) URL'],
    ['extensions not JSON', () => extensions('[{'), 400, 'extensions is not valid JSON'],
    ['extensions not an array', () => extensions({ ...ok }), 400, 'extensions must be a JSON array'],
    [
      'unknown extension name',
      () => extensions([{ ...ok, name: 'remove-bg' }]),
      400,
      /^extensions\[0\]\.name must be one of aws-auto-tagging, google-auto-tagging/,
    ],
    ['missing extension field', () => extensions([{ name: 'aws-auto-tagging', maxTags: 5 }]), 400, 'extensions[0].minConfidence is required'],
    ['extra extension field', () => extensions([{ ...ok, colour: 1 }]), 400, 'extensions[0] has unsupported field(s) "colour"'],
    ['minConfidence -1', () => extensions([{ ...ok, minConfidence: -1 }]), 400, 'extensions[0].minConfidence must be between 0 and 100'],
    [
      'minConfidence 100.5',
      () => extensions([ok, { ...ok, name: 'google-auto-tagging', minConfidence: 100.5 }]),
      400,
      'extensions[1].minConfidence must be between 0 and 100',
    ],
    ['maxTags 31', () => extensions([{ ...ok, maxTags: 31 }]), 400, 'extensions[0].maxTags must be an integer between 0 and 30'],
    ['maxTags 2.5', () => extensions([{ ...ok, maxTags: 2.5 }]), 400, 'extensions[0].maxTags must be an integer between 0 and 30'],
    ['a folder over 700 characters', () => withFile({ folder: `/${'a'.repeat(701)}/` }), 400, 'folder must be at most 700 characters long'],
    [
      'customMetadata over 10 KB',
      () => withFile({ customMetadata: JSON.stringify({ big: 'x'.repeat(10_300) }) }),
      400,
      /^customMetadata must be at most 10240 bytes as JSON/,
    ],
    ['duplicate extension name', () => extensions([ok, ok]), 400, 'extensions[1].name repeats "aws-auto-tagging": each extension may appear once'],
    [
      'customMetadata 11 levels deep',
      () => withFile({ customMetadata: JSON.stringify(nested(11)) }),
      400,
      /^customMetadata must be at most 10 levels deep \(customMetadata\.a\.a\.a\.a\.a\.a\.a\.a\.a\.a is deeper\)$/,
    ],
    [
      'a customMetadata number beyond 2^53',
      () => withFile({ customMetadata: '{"id":12345678901234567890}' }),
      400,
      'customMetadata: customMetadata.id is beyond ±(2^53 − 1) and would lose precision',
    ],
    ['a customMetadata number too small to store', () => withFile({ customMetadata: '{"x":1e-200}' }), 400, /customMetadata\.x is too close to zero/],
    ['webhookUrl over 2,048 characters', () => withFile({ webhookUrl: longWebhookUrl }), 400, 'webhookUrl must be at most 2048 characters'],
  ];
  it.each(cases)('%s', async (_, fields, status, message) => {
    await expectRefusedUnchanged(post(fields()), status, message);
  });

  it('a body over API Gateway’s 10 MB cap gets 413', async () => {
    await expectRefusedUnchanged(post(withFile({ file: blob(Buffer.alloc(10 * 1024 * 1024 + 1)) })), 413, 'Request Entity Too Large');
  });

  it('a malformed multipart body gets 400', async () => {
    const send = () =>
      fetch(`${stack.apiUrl}/api/v1/files/upload`, {
        method: 'POST',
        headers: { authorization: stack.auth, 'content-type': 'multipart/form-data; boundary=abc' },
        body: '--abc\r\nContent-Disposition: form-data; name="fileName"\r\n\r\nx.jpg\r\n--abc\r\nContent-Disposition: form-data; name="file"; filename="x"\r\n',
      });
    await expectRefusedUnchanged(send, 400, 'The body is not valid multipart/form-data');
  });

  it('a body that is not multipart gets 415', async () => {
    const send = () =>
      fetch(`${stack.apiUrl}/api/v1/files/upload`, {
        method: 'POST',
        headers: { authorization: stack.auth, 'content-type': 'application/json' },
        body: '{}',
      });
    await expectRefusedUnchanged(send, 415, 'Unsupported Media Type');
  });
});

describe('auth', () => {
  it('refuses a missing key with 401', async () => {
    await expectRefusedUnchanged(post(withFile({}), {}), 401, 'Missing or malformed Authorization header');
  });

  it('refuses a wrong key with 401', async () => {
    const wrong = `Basic ${Buffer.from('not-the-key:').toString('base64')}`;
    await expectRefusedUnchanged(post(withFile({}), { authorization: wrong }), 401, 'Wrong API key');
    await expectRefusedUnchanged(
      () => fetch(`${stack.apiUrl}/v1/files/${existingFileId}/details`, { headers: { authorization: wrong } }),
      401,
      'Wrong API key',
    );
  });

  it('accepts the key with any password, as ImageKit’s SDK sends one', async () => {
    const response = await fetch(`${stack.apiUrl}/v1/files/${existingFileId}/details`, {
      headers: { authorization: `Basic ${Buffer.from(`${stack.privateKey}:do_not_set`).toString('base64')}` },
    });
    expect(response.status).toBe(200);
  });
});

describe('update refuses bad input with a 4xx and changes nothing', () => {
  const patch = (body: unknown, raw?: string) => () =>
    fetch(`${stack.apiUrl}/v1/files/${existingFileId}/details`, {
      method: 'PATCH',
      headers: { authorization: stack.auth, 'content-type': 'application/json' },
      body: raw ?? JSON.stringify(body),
    });
  const cases: Array<[string, () => () => Promise<Response>, number, string | RegExp]> = [
    ['malformed JSON', () => patch(undefined, '{"tags": ['), 400, 'The body is not valid JSON'],
    ['an empty body', () => patch(undefined, ''), 400, 'The body is not valid JSON'],
    ['a JSON array', () => patch([1]), 400, 'The body must be a JSON object'],
    ['an unknown field', () => patch({ name: 'x' }), 400, 'Unsupported field(s) "name"'],
    ['tags not an array', () => patch({ tags: 'a,b' }), 400, 'tags must be an array of strings or null'],
    ['customCoordinates malformed', () => patch({ customCoordinates: 'a,b,c,d' }), 400, /^customCoordinates must be/],
    ['customMetadata not an object', () => patch({ customMetadata: [1] }), 400, 'customMetadata must be a JSON object'],
    [
      'customMetadata over 10 KB',
      () => patch({ customMetadata: { big: 'x'.repeat(10_300) } }),
      400,
      /^customMetadata must be at most 10240 bytes as JSON/,
    ],
    ['customMetadata 11 levels deep', () => patch({ customMetadata: nested(11) }), 400, /^customMetadata must be at most 10 levels deep/],
    ['a customMetadata number beyond 2^53', () => patch(undefined, '{"customMetadata":{"id":12345678901234567890}}'), 400, /beyond ±\(2\^53 − 1\)/],
    ['webhookUrl over 2,048 characters', () => patch({ webhookUrl: longWebhookUrl }), 400, 'webhookUrl must be at most 2048 characters'],
    ['removeAITags a string other than "all"', () => patch({ removeAITags: 'some' }), 400, 'removeAITags must be "all" or an array of tag names'],
    ['bad extensions', () => patch({ extensions: [{ ...ok, maxTags: 31 }] }), 400, 'extensions[0].maxTags must be an integer between 0 and 30'],
    ['webhookUrl relative', () => patch({ webhookUrl: '/hook' }), 400, 'webhookUrl must be an absolute http(s) URL'],
    [
      'unknown fileId',
      () => () =>
        fetch(`${stack.apiUrl}/v1/files/0123456789abcdef01234567/details`, {
          method: 'PATCH',
          headers: { authorization: stack.auth, 'content-type': 'application/json' },
          body: '{"tags":["a"]}',
        }),
      404,
      'No file with fileId "0123456789abcdef01234567"',
    ],
    [
      'wrong content type',
      () => () =>
        fetch(`${stack.apiUrl}/v1/files/${existingFileId}/details`, {
          method: 'PATCH',
          headers: { authorization: stack.auth, 'content-type': 'text/plain' },
          body: '{}',
        }),
      415,
      'Unsupported Media Type',
    ],
  ];
  it.each(cases)('%s', async (_, send, status, message) => {
    await expectRefusedUnchanged(send(), status, message);
  });

  it('refuses a customMetadata merge that would grow the record past 10 KB, though each part fits', async () => {
    const merged = await upload<{ fileId: string }>(stack, {
      file: blob(image),
      fileName: 'merged.jpg',
      customMetadata: JSON.stringify({ first: 'x'.repeat(6000) }),
    });
    await expectRefusedUnchanged(
      () =>
        fetch(`${stack.apiUrl}/v1/files/${merged.body.fileId}/details`, {
          method: 'PATCH',
          headers: { authorization: stack.auth, 'content-type': 'application/json' },
          body: JSON.stringify({ customMetadata: { second: 'y'.repeat(6000) } }),
        }),
      400,
      /^customMetadata must be at most 10240 bytes as JSON \(it would be \d+\)$/,
    );
  });

  it('refuses an overwrite that merges customMetadata past 10 KB (overwriteCustomMetadata=false)', async () => {
    await upload(stack, {
      file: blob(image),
      fileName: 'overwritten.jpg',
      useUniqueFileName: 'false',
      customMetadata: JSON.stringify({ first: 'x'.repeat(6000) }),
    });
    await expectRefusedUnchanged(
      post({
        file: blob(image),
        fileName: 'overwritten.jpg',
        useUniqueFileName: 'false',
        overwriteCustomMetadata: 'false',
        customMetadata: JSON.stringify({ second: 'y'.repeat(6000) }),
      }),
      400,
      /^customMetadata must be at most 10240 bytes as JSON/,
    );
  });

  it('answers 404 for an unknown fileId on get and delete', async () => {
    const headers = { authorization: stack.auth };
    await expectRefusedUnchanged(() => fetch(`${stack.apiUrl}/v1/files/ffffffffffffffffffffffff/details`, { headers }), 404, /No file with fileId/);
    await expectRefusedUnchanged(() => fetch(`${stack.apiUrl}/v1/files/not-an-id`, { method: 'DELETE', headers }), 404, /No file with fileId/);
  });

  it('leaves the file as it was after all of the above', async () => {
    const reply = await patchDetails(stack, existingFileId, {});
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ tags: null, customCoordinates: null, customMetadata: {} });
  });
});

describe('list and bulk operations refuse bad input with a 4xx and change nothing', () => {
  const headers = () => ({ authorization: stack.auth, 'content-type': 'application/json' });
  const list = (query: string) => () => fetch(`${stack.apiUrl}/v1/files?${query}`, { headers: headers() });
  // Bodies are built when the request is sent: the existing file's id is known only after beforeAll.
  const bulk = (path: string, body: unknown | (() => unknown)) => () => {
    const value = typeof body === 'function' ? body() : body;
    return fetch(`${stack.apiUrl}/v1/files/${path}`, {
      method: 'POST',
      headers: headers(),
      body: typeof value === 'string' ? value : JSON.stringify(value),
    });
  };
  const missing = 'ffffffffffffffffffffffff';
  const ids = (count: number) => Array.from({ length: count }, () => existingFileId);

  it.each([
    ['a searchQuery syntax error', list(`searchQuery=${encodeURIComponent('tags IN ["cat"')}`), 400, /column/],
    ['an unknown search field', list(`searchQuery=${encodeURIComponent('colour = "red"')}`), 400, /colour/],
    ['a relevance sort', list('sort=DESC_RELEVANCE'), 400, /relevance/],
    ['type=file-version', list('type=file-version'), 400, /file-version/],
    ['limit over 1000', list('limit=1001'), 400, /limit/],
    ['addTags without tags', bulk('addTags', { fileIds: [missing] }), 400, /tags/],
    ['addTags with 51 fileIds', bulk('addTags', () => ({ fileIds: ids(51), tags: ['x'] })), 400, /at most 50/],
    ['removeAITags with tags instead of AITags', bulk('removeAITags', () => ({ fileIds: [existingFileId], tags: ['x'] })), 400, /AITags/],
    ['deleteByFileIds with 101 fileIds', bulk('batch/deleteByFileIds', () => ({ fileIds: ids(101) })), 400, /at most 100/],
    ['a body that is not JSON', bulk('removeTags', '{oops'), 400, /not valid JSON/],
  ])('%s', async (_, send, status, message) => {
    await expectRefusedUnchanged(send, status, message);
  });

  it.each([
    ['addTags', () => ({ fileIds: [existingFileId, missing], tags: ['never'] })],
    ['removeTags', () => ({ fileIds: [missing, existingFileId], tags: ['never'] })],
    ['removeAITags', () => ({ fileIds: [existingFileId, missing], AITags: ['never'] })],
    ['batch/deleteByFileIds', () => ({ fileIds: [existingFileId, missing, 'not-an-id'] })],
  ])('%s naming a missing file answers 404 with missingFileIds and changes no file', async (path, body) => {
    const missingFileIds = body().fileIds.filter((fileId) => fileId !== existingFileId);
    await expectRefusedUnchanged(bulk(path, body), 404, /not exist: nothing was changed/, { missingFileIds });
  });

  it('addTags that would take one file past 500 characters of tags answers 400 and changes no file, not even the others', async () => {
    const full = await upload<{ fileId: string }>(stack, { file: blob(image), fileName: 'full.jpg', tags: 'y'.repeat(495) });
    expect(full.status).toBe(200);
    // The existing file comes first, so a write-as-you-go would have changed it before reaching the full one.
    await expectRefusedUnchanged(
      bulk('addTags', () => ({ fileIds: [existingFileId, full.body.fileId], tags: ['longer-than-five'] })),
      400,
      'tags must be at most 500 characters in all',
    );
  });
});

describe('a value too long for a table key or a stored name is a 400, and stores nothing', () => {
  const headers = () => ({ authorization: stack.auth, 'content-type': 'application/json' });
  const postJson = (path: string, body: unknown) => () =>
    fetch(`${stack.apiUrl}${path}`, { method: 'POST', headers: headers(), body: JSON.stringify(body) });
  const list = (searchQuery: string) => () => fetch(`${stack.apiUrl}/v1/files?${new URLSearchParams({ searchQuery })}`, { headers: headers() });
  /** 700 characters, 2,100 bytes in UTF-8: within the query's 2,000 characters, over a tag's key. */
  const euros = '€'.repeat(700);
  const longFolderName = 'a'.repeat(256);
  const longFileName = `${'a'.repeat(220)}.jpg`;

  it.each([
    [
      'a folder name over 255 characters (upload)',
      () => post(withFile({ folder: `/ok/${longFolderName}/` }))(),
      /^folder: the folder name "a{40}…" is 256 characters long; a folder name may be at most 255$/,
    ],
    [
      'a fileName that is over 233 characters with its unique suffix (upload)',
      () => post(withFile({ fileName: longFileName }))(),
      /^fileName is 224 characters long, 234 with the unique suffix; a file name may be at most 233$/,
    ],
    [
      'a fileName over 233 characters without a unique suffix (upload)',
      () => post(withFile({ fileName: `a${longFileName}${'a'.repeat(9)}`, useUniqueFileName: 'false' }))(),
      /^fileName is 234 characters long; a file name may be at most 233$/,
    ],
    [
      'a folder name over 255 characters (upload-url)',
      postJson('/api/v1/files/upload-url', { fileName: 'x.jpg', size: 10, folder: `/${longFolderName}` }),
      /^folder: the folder name "a{40}…" is 256 characters long; a folder name may be at most 255$/,
    ],
    [
      'a fileName over 233 characters with its unique suffix (upload-url)',
      postJson('/api/v1/files/upload-url', { fileName: longFileName, size: 10 }),
      /^fileName is 224 characters long, 234 with the unique suffix; a file name may be at most 233$/,
    ],
    [
      'a searchQuery tag of 2,100 bytes in UTF-8 (list)',
      list(`tags = "${euros}"`),
      /^searchQuery: at column 8, the tag "€{40}…" is 2100 bytes in UTF-8; a tag may be at most 2019$/,
    ],
    [
      'a searchQuery tag in a list (list)',
      list(`AITags IN ["cat", "${euros}"]`),
      /^searchQuery: at column 19, the tag "€{40}…" is 2100 bytes in UTF-8/,
    ],
    [
      'a searchQuery tag of 2,100 bytes in UTF-8 (tagging job)',
      postJson('/v1/tagging-jobs', { searchQuery: `tags = "${euros}"`, extensions: [ok] }),
      /^searchQuery: at column 8, the tag "€{40}…" is 2100 bytes in UTF-8/,
    ],
    [
      'a path with a folder name over 255 characters (tagging job)',
      postJson('/v1/tagging-jobs', { path: `/${longFolderName}/`, extensions: [ok] }),
      /^path: the folder name "a{40}…" is 256 characters long; a folder name may be at most 255$/,
    ],
    [
      'a path parameter with a folder name over 255 characters (list)',
      () => fetch(`${stack.apiUrl}/v1/files?${new URLSearchParams({ path: `/${longFolderName}/` })}`, { headers: headers() }),
      /^path: the folder name "a{40}…" is 256 characters long; a folder name may be at most 255$/,
    ],
    [
      'a tag of 2,100 bytes in UTF-8 (upload)',
      () => post(withFile({ tags: `cat,${euros}` }))(),
      /^tags\[1\] is 2100 bytes in UTF-8; a tag may be at most 2019$/,
    ],
    [
      'a tag of 2,100 bytes in UTF-8 (PATCH)',
      () =>
        fetch(`${stack.apiUrl}/v1/files/${existingFileId}/details`, { method: 'PATCH', headers: headers(), body: JSON.stringify({ tags: [euros] }) }),
      /^tags\[0\] is 2100 bytes in UTF-8; a tag may be at most 2019$/,
    ],
    [
      'a tag of 2,100 bytes in UTF-8 (addTags)',
      () => postJson('/v1/files/addTags', { fileIds: [existingFileId], tags: ['cat', euros] })(),
      /^tags\[1\] is 2100 bytes in UTF-8; a tag may be at most 2019$/,
    ],
  ])('%s', async (_, send, message) => {
    await expectRefusedUnchanged(send, 400, message);
  });

  it('stores and serves a file at the limits: a 255-character folder name, a 233-character name', async () => {
    const folder = `/${'f'.repeat(255)}/`;
    const uploaded = await upload<{ filePath: string; url: string; name: string }>(stack, {
      file: blob(image),
      fileName: `${'n'.repeat(219)}.jpg`,
      folder,
    });
    expect(uploaded.status).toBe(200);
    expect(uploaded.body.name).toHaveLength(233);
    expect(uploaded.body.filePath).toBe(`${folder}${uploaded.body.name}`);
    expect((await fetch(uploaded.body.url)).status).toBe(200);
    const found = await fetch(`${stack.apiUrl}/v1/files?${new URLSearchParams({ path: folder })}`, { headers: headers() });
    expect(((await found.json()) as Array<{ name: string }>).map((file) => file.name)).toEqual([uploaded.body.name]);
  });

  it('stores a direct-to-S3 upload at the limits', async () => {
    const folder = `/${'g'.repeat(255)}/`;
    const ticket = await postJson('/api/v1/files/upload-url', { fileName: `${'n'.repeat(219)}.jpg`, size: image.length, folder })();
    expect(ticket.status).toBe(200);
    const {
      fileId,
      uploadUrl,
      headers: putHeaders,
    } = (await ticket.json()) as { fileId: string; uploadUrl: string; headers: Record<string, string> };
    expect((await fetch(uploadUrl, { method: 'PUT', headers: putHeaders, body: new Uint8Array(image) })).status).toBe(200);
    await stack.idle();
    const stored = await getDetails<{ filePath: string; name: string }>(stack, fileId);
    expect(stored.status).toBe(200);
    expect(stored.body.filePath).toBe(`${folder}${stored.body.name}`);
    expect(stored.body.name).toHaveLength(233);
  });
});
