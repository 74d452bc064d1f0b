import { type IncomingHttpHeaders, request } from 'node:http';
import fc from 'fast-check';
import { ROUTES } from '../../functions/http/routes.js';

/**
 * Random requests for every route (test/integration/fuzz.test.ts): fast-check arbitraries of request
 * drafts, turned into exact bytes when sent. Drafts name existing files and jobs by reference (`Ref`),
 * resolved against what exists at send time, so random requests still hit real ids.
 */

// ---- drafts ---------------------------------------------------------------------------------------------

/** The `index`-th file (its id or its path) or job that exists when the request is sent (modulo how many do). */
export class Ref {
  constructor(
    readonly kind: 'file' | 'filePath' | 'job',
    readonly index: number,
  ) {}
}

/** A JSON object as written: keys in order, repeats and `__proto__` kept (a JS object literal would lose them). */
export class JObj {
  constructor(readonly entries: ReadonlyArray<readonly [string, JValue]>) {}
}

/** JSON text sent as is: numbers JavaScript cannot hold, documents nested too deep to build as objects. */
export class JRaw {
  constructor(readonly text: string) {}
}

export type JValue = null | boolean | number | string | Ref | JRaw | JObj | readonly JValue[];

export type Auth = 'valid' | 'valid-with-password' | 'none' | 'wrong-key' | 'bearer' | 'empty-basic' | { raw: string };

export type Truncation =
  | { kind: 'none' }
  | { kind: 'no-final-boundary' }
  | { kind: 'anywhere'; at: number }
  | { kind: 'in-headers'; part: number; at: number }
  | { kind: 'in-content'; part: number; at: number };

export type PartContent =
  | { kind: 'image' }
  | { kind: 'image-base64'; dataUri: boolean }
  | { kind: 'oversize' }
  | { kind: 'bytes'; bytes: Uint8Array }
  | { kind: 'text'; text: string }
  | { kind: 'json'; value: JValue };

export interface Part {
  name: string;
  filename?: string;
  type?: string;
  /** Headers written as is, e.g. a part without Content-Disposition. */
  rawHeaders?: string;
  content: PartContent;
}

export interface Multipart {
  boundary: string;
  /** What the Content-Type header says about the boundary. */
  header: 'match' | 'quoted' | 'other-boundary' | 'no-boundary' | 'not-multipart' | 'absent';
  newline: '\r\n' | '\n';
  preamble: string;
  epilogue: string;
  parts: Part[];
  truncation: Truncation;
}

export type Body =
  | { kind: 'none' }
  | { kind: 'json'; value: JValue }
  | { kind: 'text'; text: string }
  | { kind: 'bytes'; bytes: Uint8Array }
  | { kind: 'multipart'; multipart: Multipart };

export interface Draft {
  /** Which route (or family of paths) the draft aims at, for the failure message. */
  route: string;
  method: string;
  path: ReadonlyArray<string | Ref>;
  /** Already percent-encoded, without the `?`. */
  query?: string;
  auth: Auth;
  /** `undefined` sends none; a multipart body brings its own. */
  contentType?: string;
  body: Body;
  /** A request that must succeed (a well-formed list with a query from the grammar, every term typed right). */
  expectOk?: boolean;
}

/** fast-check prints a counterexample whole; this keeps a 10,000-level document or a 6,000-character string to a line. */
export function printable(draft: Draft): Draft {
  const short = (text: string) => (text.length > 120 ? `${text.slice(0, 120)}…(${text.length} chars)` : text);
  const summary = JSON.stringify(draft, (_, value: unknown) => {
    if (value instanceof JRaw) return `JRaw(${short(value.text)})`;
    if (value instanceof Ref) return `Ref(${value.kind} ${value.index})`;
    if (value instanceof Uint8Array) return `bytes(${value.length})`;
    return typeof value === 'string' ? short(value) : value;
  });
  return Object.defineProperty(draft, fc.toStringMethod, { value: () => summary, configurable: true });
}

// ---- turning drafts into requests ---------------------------------------------------------------------

/** What exists when a request is sent, and what the stack needs to be called. */
export interface Live {
  fileIds: string[];
  jobIds: string[];
  /** Stored files' paths without the leading slash (`holidays/beach_x.jpg`), as delivery serves them under /files/. */
  filePaths: string[];
  auth: string;
  wrongAuth: string;
  image: Buffer;
  maxUploadBytes: number;
}

export interface FuzzRequest {
  route: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
  expectOk: boolean;
}

const MISSING_FILE_ID = 'ffffffffffffffffffffffff';
const MISSING: Record<Ref['kind'], string> = { file: MISSING_FILE_ID, filePath: 'missing.jpg', job: 'job_ffffffffffffffffffffffff' };

export function resolveRef(ref: Ref, live: Live): string {
  const pool = { file: live.fileIds, filePath: live.filePaths, job: live.jobIds }[ref.kind];
  return pool[ref.index % Math.max(pool.length, 1)] ?? MISSING[ref.kind];
}

const encodePath = (path: string) => path.split('/').map(encodeURIComponent).join('/');

export function renderJson(value: JValue, live: Live): string {
  if (value instanceof Ref) return JSON.stringify(resolveRef(value, live));
  if (value instanceof JRaw) return value.text;
  if (value instanceof JObj) return `{${value.entries.map(([key, item]) => `${JSON.stringify(key)}:${renderJson(item, live)}`).join(',')}}`;
  if (Array.isArray(value)) return `[${value.map((item: JValue) => renderJson(item, live)).join(',')}]`;
  return JSON.stringify(value);
}

function partBytes(content: PartContent, live: Live): Buffer {
  switch (content.kind) {
    case 'image':
      return live.image;
    case 'image-base64':
      return Buffer.from(`${content.dataUri ? 'data:image/jpeg;base64,' : ''}${live.image.toString('base64')}`);
    case 'oversize':
      return Buffer.alloc(live.maxUploadBytes + 1, 0xab);
    case 'bytes':
      return Buffer.from(content.bytes);
    case 'text':
      return Buffer.from(content.text);
    case 'json':
      return Buffer.from(renderJson(content.value, live));
  }
}

function renderMultipart(multipart: Multipart, live: Live): { body: Buffer; contentType: string | undefined } {
  const { boundary, newline: nl } = multipart;
  const chunks: Buffer[] = [Buffer.from(multipart.preamble)];
  const offsets: Array<{ headers: number; content: number; end: number }> = [];
  let length = chunks[0]?.length ?? 0;
  const push = (chunk: Buffer) => {
    chunks.push(chunk);
    length += chunk.length;
  };
  for (const part of multipart.parts) {
    const headersStart = length;
    const disposition = `Content-Disposition: form-data; name="${part.name}"${part.filename === undefined ? '' : `; filename="${part.filename}"`}`;
    const headers = part.rawHeaders ?? `${disposition}${nl}${part.type === undefined ? '' : `Content-Type: ${part.type}${nl}`}`;
    push(Buffer.from(`--${boundary}${nl}${headers}${nl}`));
    const contentStart = length;
    push(partBytes(part.content, live));
    offsets.push({ headers: headersStart, content: contentStart, end: length });
    push(Buffer.from(nl));
  }
  if (multipart.truncation.kind !== 'no-final-boundary') push(Buffer.from(`--${boundary}--${nl}${multipart.epilogue}`));
  let body = Buffer.concat(chunks);
  const { truncation } = multipart;
  const within = (from: number, to: number, at: number) => from + Math.floor(at * Math.max(to - from, 0));
  if (truncation.kind === 'anywhere') body = body.subarray(0, within(0, body.length, truncation.at));
  if (truncation.kind === 'in-headers' || truncation.kind === 'in-content') {
    const part = offsets[truncation.part % Math.max(offsets.length, 1)];
    if (part) {
      body = body.subarray(
        0,
        truncation.kind === 'in-headers' ? within(part.headers, part.content, truncation.at) : within(part.content, part.end, truncation.at),
      );
    }
  }
  const contentType = {
    match: `multipart/form-data; boundary=${boundary}`,
    quoted: `multipart/form-data; boundary="${boundary}"`,
    'other-boundary': `multipart/form-data; boundary=x${boundary}`,
    'no-boundary': 'multipart/form-data',
    'not-multipart': 'application/x-www-form-urlencoded',
    absent: undefined,
  }[multipart.header];
  return { body, contentType };
}

function authHeader(auth: Auth, live: Live): string | undefined {
  if (typeof auth === 'object') return auth.raw;
  switch (auth) {
    case 'valid':
      return live.auth;
    case 'valid-with-password':
      return `Basic ${Buffer.from(`${Buffer.from(live.auth.slice('Basic '.length), 'base64').toString()}secret:with:colons`).toString('base64')}`;
    case 'none':
      return undefined;
    case 'wrong-key':
      return live.wrongAuth;
    case 'bearer':
      return `Bearer ${live.auth.slice('Basic '.length)}`;
    case 'empty-basic':
      return 'Basic ';
  }
}

/** The exact request a draft makes now. */
export function buildRequest(draft: Draft, live: Live): FuzzRequest {
  const path = draft.path.map((part) => (part instanceof Ref ? encodePath(resolveRef(part, live)) : part)).join('');
  const headers: Record<string, string> = {};
  const authorization = authHeader(draft.auth, live);
  if (authorization !== undefined) headers.authorization = authorization;
  let body: Buffer | undefined;
  let contentType = draft.contentType;
  switch (draft.body.kind) {
    case 'none':
      break;
    case 'json':
      body = Buffer.from(renderJson(draft.body.value, live));
      break;
    case 'text':
      body = Buffer.from(draft.body.text);
      break;
    case 'bytes':
      body = Buffer.from(draft.body.bytes);
      break;
    case 'multipart': {
      const rendered = renderMultipart(draft.body.multipart, live);
      body = rendered.body;
      contentType = rendered.contentType;
    }
  }
  if (contentType !== undefined) headers['content-type'] = contentType;
  return {
    route: draft.route,
    method: draft.method,
    path: draft.query === undefined ? path : `${path}?${draft.query}`,
    headers,
    body,
    expectOk: !!draft.expectOk,
  };
}

// ---- sending ------------------------------------------------------------------------------------------

export type Answer = { status: number; headers: IncomingHttpHeaders; body: Buffer } | { error: string };

/** One request over node:http, whose path goes out byte for byte (fetch would normalise `//` and `..`). */
export function send(port: number, fuzz: FuzzRequest, timeoutMs: number): Promise<Answer> {
  return new Promise((resolve) => {
    const headers = { ...fuzz.headers, ...(fuzz.body && { 'content-length': String(fuzz.body.length) }) };
    const outgoing = request({ host: '127.0.0.1', port, path: fuzz.path, method: fuzz.method, headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
      response.on('error', (error) => resolve({ error: `response stream failed: ${error.message}` }));
    });
    outgoing.setTimeout(timeoutMs, () => outgoing.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    outgoing.on('error', (error) => resolve({ error: error.message }));
    outgoing.end(fuzz.body);
  });
}

const shorten = (text: string, max = 600) => (text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text);

/** The request as it went out, shortened but exact enough to replay. */
export function describeRequest(fuzz: FuzzRequest): string {
  const body = fuzz.body === undefined ? '(no body)' : shorten(JSON.stringify(fuzz.body.toString('latin1')));
  return [
    `${fuzz.method} ${shorten(fuzz.path, 300)}   [${fuzz.route}]`,
    ...Object.entries(fuzz.headers).map(([name, value]) => `${name}: ${shorten(value, 200)}`),
    `body (${fuzz.body?.length ?? 0} bytes, latin1): ${body}`,
  ].join('\n  ');
}

export function describeAnswer(answer: Answer): string {
  if ('error' in answer) return `no answer: ${answer.error}`;
  return `${answer.status} ${answer.headers['content-type'] ?? '(no content-type)'} ${shorten(answer.body.toString('utf8'), 400)}`;
}

// ---- values -------------------------------------------------------------------------------------------

const HOSTILE_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  '__defineGetter__',
  'toJSON',
  'then',
  'length',
  '',
  ' ',
  '\u0000',
  'a.b',
  '$where',
] as const;
/** Keys that name Object.prototype's members come up most: they are what code that copies by assignment trips on. */
export const hostileKey = fc.oneof(
  { arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'), weight: 2 },
  { arbitrary: fc.constantFrom(...HOSTILE_KEYS), weight: 1 },
);

const HOSTILE_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\uFEFFbom',
  '\uD800',
  '\uDFFF\uD800',
  '😀',
  'e\u0301',
  '\u202Eevil',
  '__proto__',
  'constructor',
  '../../etc/passwd',
  '..',
  '.',
  '/',
  '//',
  '%00',
  '%2e%2e%2F',
  '\\',
  '"',
  "'",
  '\r\n',
  'null',
  'true',
  '{}',
  '[]',
  '1e999',
  'NaN',
  'x'.repeat(501),
  'x'.repeat(2049),
  'é'.repeat(6000),
] as const;

export const anyText: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.string({ maxLength: 30 }), weight: 4 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 20 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 10 }), weight: 1 },
  { arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 20 }), weight: 1 },
  { arbitrary: fc.constantFrom(...HOSTILE_STRINGS), weight: 3 },
);

const RAW_NUMBERS = [
  '1e400',
  '-1e400',
  '1e-400',
  '-0',
  '12345678901234567890',
  '9007199254740993',
  '-9007199254740993',
  '5e-324',
  '1e-131',
  '1.7976931348623157e308',
  `1${'0'.repeat(400)}`,
  '0.1e1',
  '1E+2',
] as const;
export const rawNumber = fc.constantFrom(...RAW_NUMBERS).map((text) => new JRaw(text));

/** `{"a":{"a":…1…}}`, `[[…]]` or `{"__proto__":…}` nested `levels` deep, as text. */
export const deepJson = fc
  .tuple(fc.constantFrom(11, 12, 100, 1000, 10_000), fc.constantFrom('{"a":', '[', '{"__proto__":', '{"constructor":'))
  .map(([levels, open]) => new JRaw(`${open.repeat(levels)}1${(open === '[' ? ']' : '}').repeat(levels)}`));

const jsonKey = fc.oneof({ arbitrary: hostileKey, weight: 1 }, { arbitrary: anyText, weight: 2 });

/** JSON of any type: random documents, hostile keys, numbers beyond double precision, deep nesting. */
export const anyJson: fc.Arbitrary<JValue> = fc.letrec<{ value: JValue; leaf: JValue; object: JValue; array: JValue }>((tie) => ({
  leaf: fc.oneof(fc.constant(null), fc.boolean(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), anyText, rawNumber),
  object: fc.array(fc.tuple(jsonKey, tie('value')), { maxLength: 4 }).map((entries) => new JObj(entries)),
  array: fc.array(tie('value'), { maxLength: 4 }),
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, tie('leaf'), tie('object'), tie('array'), deepJson),
})).value;

/** For one field: mostly what the route expects, else JSON of any type. */
const field = (valid: fc.Arbitrary<JValue>, validWeight = 3): fc.Arbitrary<JValue> =>
  fc.oneof({ arbitrary: valid, weight: validWeight }, { arbitrary: anyJson, weight: 1 });

/** An object body: each known field present or not, plus maybe unknown or hostile keys and repeated keys. */
const objectOf = (fields: Record<string, fc.Arbitrary<JValue>>, presence: number, alwaysSent: readonly string[]): fc.Arbitrary<JObj> =>
  fc
    .tuple(
      fc.tuple(
        ...Object.entries(fields).map(([name, value]) => {
          const entry = value.map((item) => [name, item] as const);
          if (alwaysSent.includes(name)) return entry;
          return fc.oneof(
            { arbitrary: fc.constant(undefined), weight: Math.round(100 * (1 - presence)) },
            { arbitrary: entry, weight: Math.round(100 * presence) },
          );
        }),
      ),
      fc.oneof(
        { arbitrary: fc.constant<Array<readonly [string, JValue]>>([]), weight: 6 },
        { arbitrary: fc.array(fc.tuple(jsonKey, anyJson), { minLength: 1, maxLength: 2 }), weight: 1 },
      ),
      fc.boolean(),
    )
    .map(([known, extra, repeatFirst]) => {
      const entries: Array<readonly [string, JValue]> = [...known.filter((entry) => entry !== undefined), ...extra];
      if (repeatFirst && entries[0] && entries.length === 1) entries.push(entries[0]);
      return new JObj(entries);
    });

/** A whole JSON body: usually an object of the route's fields, sometimes anything else. */
export const jsonBody = (
  fields: Record<string, fc.Arbitrary<JValue>>,
  presence = 0.7,
  alwaysSent: readonly string[] = [],
): fc.Arbitrary<{ body: Body; contentType?: string }> =>
  fc
    .oneof(
      { arbitrary: objectOf(fields, presence, alwaysSent).map((value) => ({ kind: 'json' as const, value })), weight: 14 },
      { arbitrary: anyJson.map((value) => ({ kind: 'json' as const, value })), weight: 2 },
      { arbitrary: notJson, weight: 2 },
    )
    .chain((body) => jsonContentType.map((contentType) => ({ body, ...(contentType !== undefined && { contentType }) })));

const notJson: fc.Arbitrary<Body> = fc.oneof(
  fc.constantFrom('', ' ', '{', '{"tags": [', '{"a":1}garbage', 'null', '\uFEFF{}', "{'a':1}", '{"a":NaN}', '[1,]', 'undefined').map((text) => ({
    kind: 'text' as const,
    text,
  })),
  anyText.map((text) => ({ kind: 'text' as const, text })),
  fc.uint8Array({ maxLength: 64 }).map((bytes) => ({ kind: 'bytes' as const, bytes })),
  fc.constant<Body>({ kind: 'none' }),
);

const jsonContentType: fc.Arbitrary<string | undefined> = fc.oneof(
  { arbitrary: fc.constant('application/json'), weight: 12 },
  {
    arbitrary: fc.constantFrom(
      'application/json; charset=utf-8',
      'APPLICATION/JSON',
      'application/merge-patch+json',
      'application/json; charset=latin1',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/octet-stream',
      '',
      ';',
      undefined,
    ),
    weight: 2,
  },
  { arbitrary: fc.string({ maxLength: 20 }), weight: 1 },
);

export const authArb: fc.Arbitrary<Auth> = fc.oneof(
  { arbitrary: fc.constant<Auth>('valid'), weight: 20 },
  { arbitrary: fc.constantFrom<Auth>('valid-with-password', 'none', 'wrong-key', 'bearer', 'empty-basic'), weight: 2 },
  // Node refuses header values with control characters or code points over 0xFF before sending.
  { arbitrary: fc.stringMatching(/^[\x20-\x7e]{0,40}$/).map((raw): Auth => ({ raw })), weight: 1 },
);

// ---- field values ---------------------------------------------------------------------------------------

const EXTENSION_NAMES = ['aws-auto-tagging', 'google-auto-tagging'] as const;

const extension = fc
  .record({
    name: fc.constantFrom<string>(...EXTENSION_NAMES),
    // Edges too: 5e-324 is a valid confidence that no DynamoDB number can hold.
    minConfidence: fc.oneof(
      fc.integer({ min: 0, max: 100 }),
      fc.double({ min: 0, max: 100, noNaN: true }),
      fc.constantFrom(5e-324, 1e-200, 99.999999999),
    ),
    maxTags: fc.integer({ min: 0, max: 30 }),
  })
  .map((entry) => new JObj(Object.entries(entry)));
const extensionEntry: fc.Arbitrary<JValue> = fc.oneof(
  { arbitrary: extension, weight: 4 },
  {
    arbitrary: fc
      .record({
        name: field(fc.constantFrom(...EXTENSION_NAMES)),
        minConfidence: field(fc.integer({ min: -5, max: 105 })),
        maxTags: field(fc.integer({ min: -1, max: 31 })),
      })
      .map((entry) => new JObj(Object.entries(entry))),
    weight: 1,
  },
);
/** `minLength` 1: a tagging job needs one; an upload or PATCH with none runs no tagging. */
const extensions = (minLength: number): fc.Arbitrary<JValue> => fc.array(extensionEntry, { minLength, maxLength: 3 });

const tagText = fc.oneof(
  { arbitrary: fc.constantFrom('summer', 'beach', 'Dog', 'red dress', 'favourite'), weight: 3 },
  { arbitrary: anyText, weight: 1 },
);
const tagList: fc.Arbitrary<JValue> = fc.array(tagText, { maxLength: 4 });

const fileId: fc.Arbitrary<JValue> = fc.oneof(
  { arbitrary: fc.nat(20).map((index) => new Ref('file', index)), weight: 6 },
  { arbitrary: fc.stringMatching(/^[0-9a-f]{24}$/), weight: 2 },
  { arbitrary: anyText, weight: 1 },
);
const fileIds = (max: number): fc.Arbitrary<JValue> =>
  fc.oneof(
    { arbitrary: fc.array(fileId, { minLength: 1, maxLength: 3 }), weight: 8 },
    { arbitrary: fc.constantFrom(0, max + 1).chain((count) => fc.array(fileId, { minLength: count, maxLength: count })), weight: 1 },
  );

const metadataValue: fc.Arbitrary<JValue> = fc.oneof(
  fc.string({ maxLength: 10 }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
);
/** customMetadata: small plain objects, objects with prototype-ish keys, deep ones, huge numbers. */
const customMetadata: fc.Arbitrary<JValue> = fc.oneof(
  {
    arbitrary: fc
      .array(fc.tuple(fc.constantFrom('brand', 'rating', 'shotAt', 'k'), metadataValue), { maxLength: 3 })
      .map((entries) => new JObj(entries)),
    weight: 3,
  },
  {
    arbitrary: fc.array(fc.tuple(hostileKey, fc.oneof(metadataValue, anyJson)), { minLength: 1, maxLength: 3 }).map((entries) => new JObj(entries)),
    weight: 3,
  },
  { arbitrary: fc.tuple(fc.constantFrom('deep', '__proto__', 'constructor'), deepJson).map((entry) => new JObj([entry])), weight: 2 },
  { arbitrary: deepJson, weight: 1 },
  { arbitrary: fc.tuple(fc.constantFrom('n', 'constructor'), rawNumber).map((entry) => new JObj([entry])), weight: 1 },
);

export interface Targets {
  /** Where a webhookUrl may point and get an answer: a local receiver that says 200. */
  webhookUrl: string;
}

const webhookUrl = (targets: Targets): fc.Arbitrary<string> =>
  fc.oneof(
    { arbitrary: fc.constant(targets.webhookUrl), weight: 3 },
    {
      arbitrary: fc.constantFrom(
        'ftp://example.com/hook',
        'http://',
        'http://[::1',
        'http://10.0.0.1/hook',
        'http://169.254.169.254/latest/meta-data',
        'http://0.0.0.0/',
        'http://[::ffff:10.0.0.1]/',
        'http://nowhere.invalid/hook',
        'javascript:alert(1)',
        '/relative',
        `https://example.com/${'h'.repeat(2040)}`,
      ),
      weight: 2,
    },
  );

const folder = fc.oneof(
  {
    arbitrary: fc.constantFrom(
      '/',
      '/holidays',
      'shoots/2024/',
      '//a/./b/',
      '/a/../b',
      '..',
      '/é/😀/',
      `/${'a'.repeat(701)}`,
      `/x/${'a'.repeat(256)}/`,
    ),
    weight: 2,
  },
  { arbitrary: anyText, weight: 1 },
);
const fileName = fc.oneof(
  {
    // 230 characters: 240 once the unique suffix is added, more than the local S3 server keeps as a file name.
    arbitrary: fc.constantFrom('photo.jpg', 'a b.png', 'ü.jpg', 'x', '.hidden', '...', 'a/b.jpg', `${'n'.repeat(256)}.jpg`, `${'n'.repeat(226)}.jpg`),
    weight: 3,
  },
  { arbitrary: anyText, weight: 1 },
);
const coordinates = fc.oneof(
  { arbitrary: fc.constantFrom('10,10,100,120', '', ' 1, 2, 3, 4 ', '1,2,3', '-1,2,3,4', '1e3,1,1,1'), weight: 2 },
  { arbitrary: anyText, weight: 1 },
);

// ---- searchQuery ----------------------------------------------------------------------------------------

const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'IN', 'HAS', 'EXISTS', 'TRUE', 'FALSE']);
const space = fc.constantFrom(' ', ' ', ' ', '  ', '\t', '\n', ' \r\n ');
/** Around symbols no space is needed: `tags IN["a"]AND(name:"x")` is fine. */
const optionalSpace = fc.constantFrom(' ', ' ', '', '\t');

/** A string literal holding `text`: either quote, with the escapes the language has (and needless ones). */
const quoted = (text: fc.Arbitrary<string>) =>
  fc.tuple(text, fc.constantFrom('"', "'"), fc.boolean()).map(([value, quote, escapeOther]) => {
    const other = quote === '"' ? "'" : '"';
    let body = value.replace(/\\/g, '\\\\').split(quote).join(`\\${quote}`);
    if (escapeOther) body = body.split(other).join(`\\${other}`);
    return `${quote}${body}${quote}`;
  });
const bareWord = fc.stringMatching(/^[a-z][a-z0-9_.+-]{0,9}$/).filter((word) => !KEYWORDS.has(word.toUpperCase()));
const textValue = fc.oneof({ arbitrary: quoted(anyText.filter((text) => text.length <= 200)), weight: 3 }, { arbitrary: bareWord, weight: 1 });
const listOf = (item: fc.Arbitrary<string>) =>
  fc.tuple(fc.array(item, { minLength: 1, maxLength: 4 }), optionalSpace).map(([items, gap]) => `[${gap}${items.join(`${gap},${gap}`)}${gap}]`);
const caseOf = (...names: string[]) => fc.constantFrom(...names.flatMap((name) => [name, name.toLowerCase(), name.toUpperCase()]));

const relativeDate = fc
  .tuple(fc.integer({ min: 0, max: 100_000 }), fc.constantFrom('m', 'h', 'd', 'w', 'y', 'D', 'W'))
  .map(([amount, unit]) => `${amount}${unit}`);
const isoDate = fc
  .tuple(
    fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }),
    fc.constantFrom('date', 'minutes', 'full', 'offset'),
  )
  .map(([date, form]) => {
    const iso = date.toISOString();
    if (form === 'date') return iso.slice(0, 10);
    if (form === 'minutes') return iso.slice(0, 16);
    return form === 'full' ? iso : `${iso.slice(0, 19)}+00:00`;
  });
const dateValue = fc.oneof(
  quoted(fc.oneof(relativeDate, isoDate)),
  relativeDate,
  isoDate.map((iso) => iso.slice(0, 10)),
);
const sizeValue = fc.oneof(
  fc.nat().map(String),
  fc
    .tuple(
      fc.integer({ min: 0, max: 1000 }),
      fc.option(fc.integer({ min: 0, max: 99 })),
      fc.constantFrom('b', 'kb', 'mb', 'gb', 'tb', 'KB', 'Mb'),
      fc.boolean(),
    )
    .map(([whole, decimals, unit, quote]) => {
      const text = `${whole}${decimals === null ? '' : `.${decimals}`}${unit}`;
      return quote ? `"${text}"` : text;
    }),
);
const pixelsValue = fc.oneof(
  fc.nat().map(String),
  fc.nat().map((pixels) => `"${pixels}"`),
);
const folderText = fc
  .tuple(
    fc.array(
      fc.stringMatching(/^[A-Za-z0-9 ._é-]{1,8}$/).filter((segment) => segment !== '..'),
      { maxLength: 3 },
    ),
    fc.constantFrom('/', '', '//'),
    fc.constantFrom('/', '', '/./'),
  )
  .map(([segments, lead, tail]) => `${lead}${segments.join('/')}${tail}`);
const formatValue = quoted(
  fc.oneof(fc.constantFrom('jpg', 'JPEG', 'png', 'tif', 'svg+xml', 'webp', 'pdf'), fc.stringMatching(/^[a-z0-9][a-z0-9.+-]{0,19}$/)),
);
const metadataScalar = fc.oneof(
  quoted(anyText.filter((text) => text.length <= 100)),
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
  fc.constantFrom('true', 'false', 'TRUE'),
);
const metadataField = quoted(
  fc
    .tuple(
      fc.constantFrom('customMetadata.', 'custommetadata.', 'CUSTOMMETADATA.'),
      anyText.filter((key) => key !== '' && key.length <= 100),
    )
    .map(([prefix, key]) => prefix + key),
);

const term = (field: fc.Arbitrary<string>, ...operations: Array<fc.Arbitrary<string>>) =>
  fc.tuple(field, space, fc.oneof(...operations)).map(([name, gap, operation]) => `${name}${gap}${operation}`);
const op = (operator: string, value: fc.Arbitrary<string>) => fc.tuple(space, value).map(([gap, text]) => `${operator}${gap}${text}`);

/** One term, every field with an operator it takes and a value of its type: a query of these must be answered 200. */
const typedTerm: fc.Arbitrary<string> = fc.oneof(
  term(
    fc.constantFrom('tags', 'TAGS', 'AITags', 'aitags', '"AITags.aws-auto-tagging"', "'AITags.google-auto-tagging'", '"aitags.AWS-AUTO-TAGGING"'),
    op('=', textValue),
    op('NOT =', textValue),
    op('IN', listOf(textValue)),
    op('not in', listOf(textValue)),
  ),
  term(
    caseOf('name'),
    op('=', textValue),
    op('NOT =', textValue),
    op(':', textValue),
    op('IN', listOf(textValue)),
    op('HAS', quoted(fc.stringMatching(/^[a-z]{1,6}([ _.-][a-z]{1,6}){0,2}$/))),
  ),
  term(caseOf('path'), op('=', quoted(folderText)), op(':', quoted(folderText))),
  term(caseOf('createdAt', 'updatedAt'), ...['=', '<', '<=', '>', '>='].map((operator) => op(operator, dateValue))),
  term(caseOf('size'), ...['=', '<', '<=', '>', '>='].map((operator) => op(operator, sizeValue))),
  term(caseOf('width', 'height'), ...['=', '<', '<=', '>', '>='].map((operator) => op(operator, pixelsValue))),
  term(caseOf('format'), op('=', formatValue), op('IN', listOf(formatValue)), op('NOT IN', listOf(formatValue))),
  term(caseOf('private'), op('=', fc.constantFrom('true', 'false', 'True', '"false"'))),
  term(caseOf('fileType'), op('=', fc.constantFrom('"image"', '"non-image"', 'image', "'NON-IMAGE'"))),
  term(
    metadataField,
    fc.constantFrom('EXISTS', 'NOT EXISTS', 'exists', 'not  exists'),
    op('=', metadataScalar),
    op('IN', listOf(metadataScalar)),
    ...['<', '<=', '>', '>='].map((operator) => op(operator, fc.oneof(fc.integer().map(String), dateValue))),
  ),
);

interface Typed {
  text: string;
  depth: number;
}
/** AND / OR chains and parentheses over typed terms, with their nesting depth. */
const typedQuery: fc.Arbitrary<Typed> = fc.letrec<{ query: Typed }>((tie) => ({
  query: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    typedTerm.map((text) => ({ text, depth: 0 })),
    fc.tuple(tie('query'), space, fc.constantFrom('AND', 'OR', 'and', 'Or'), space, tie('query')).map(([left, gap, joiner, gap2, right]) => ({
      text: `${left.text}${gap}${joiner}${gap2}${right.text}`,
      depth: Math.max(left.depth, right.depth),
    })),
    fc.tuple(tie('query'), optionalSpace).map(([inner, gap]) => ({ text: `(${gap}${inner.text}${gap})`, depth: inner.depth + 1 })),
  ),
})).query;

const nested = fc
  .tuple(typedTerm, fc.integer({ min: 0, max: 25 }))
  .map(([text, depth]) => ({ text: `${'('.repeat(depth)}${text}${')'.repeat(depth)}`, depth }));

/** The query text, and whether it is one the language accepts (2,000 characters, 20 levels of parentheses). */
export const wellTypedQuery: fc.Arbitrary<{ text: string; valid: boolean }> = fc
  .oneof({ arbitrary: typedQuery, weight: 4 }, { arbitrary: nested, weight: 1 })
  .map(({ text, depth }) => ({ text, valid: text.length <= 2000 && depth <= 20 }));

const ANY_FIELDS = [
  'tags',
  'AITags',
  '"AITags.aws-auto-tagging"',
  '"AITags.remove-bg"',
  'name',
  'path',
  'createdAt',
  'updatedAt',
  'size',
  'width',
  'height',
  'format',
  'private',
  'fileType',
  '"customMetadata.k"',
  '"customMetadata."',
  'colour',
  '"x"',
  'embeddedMetadata.x',
  'type',
];
const ANY_OPERATORS = [
  '=',
  'NOT =',
  ':',
  'IN',
  'NOT IN',
  'HAS',
  '<',
  '<=',
  '>',
  '>=',
  'EXISTS',
  'NOT EXISTS',
  '!=',
  'NOT',
  '==',
  '=>',
  'NOT HAS',
  '',
];
const ANY_VALUES = [
  '"x"',
  "'x'",
  '1d',
  '"7d"',
  '"1mb"',
  '1e999',
  '-1',
  '0.5',
  '.5',
  '1e-400',
  'true',
  'FALSE',
  'AND',
  '[',
  '[]',
  '["a",]',
  '["a" "b"]',
  '("a")',
  '"unterminated',
  '"bad \\n escape"',
  '2024-02-30',
  '"2024-05-01T10:00"',
  '"100001d"',
  '9007199254740993',
  '"a\\"b"',
  '',
];
/** Any field with any operator and any value: grammar-shaped, mostly ill-typed. */
const anyTerm = fc
  .tuple(
    fc.oneof(fc.constantFrom(...ANY_FIELDS), textValue),
    fc.constantFrom(...ANY_OPERATORS),
    fc.oneof(
      { arbitrary: fc.constantFrom(...ANY_VALUES), weight: 2 },
      { arbitrary: textValue, weight: 1 },
      { arbitrary: listOf(textValue), weight: 1 },
    ),
  )
  .map(([name, operator, value]) => `${name} ${operator} ${value}`);

/** The tokenizer's alphabet (symbols, quotes, escapes, word characters, keywords) and characters outside it. */
const ALPHABET = [...'()[],=<>:!"\'\\ \t\n_.+-e0123456789aZéß٣²', '\u0000', '😀', '\uD800', '%', '&', '#', '?', '/', '*', '\u3000'];
const TOKENS = [
  'AND',
  'OR',
  'NOT',
  'IN',
  'HAS',
  'EXISTS',
  'true',
  'false',
  'tags',
  'AITags',
  'name',
  'path',
  'createdAt',
  'size',
  'width',
  'format',
  'private',
  'fileType',
  '"customMetadata.',
  '"AITags.',
  '1d',
  '1mb',
  '2024-01-01',
  '1e999',
  '-0',
  '.5',
  ' = ',
  ' IN [',
  '"',
  '\\"',
];
const alphabetText = fc.string({
  unit: fc.oneof(
    { arbitrary: fc.constantFrom(...ALPHABET), weight: 3 },
    { arbitrary: fc.constantFrom(...TOKENS), weight: 2 },
    { arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), weight: 1 },
  ),
  maxLength: 40,
});

/** searchQuery text: from the grammar (typed or not), from the alphabet, and pieces of each glued together. */
export const anyQuery: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: wellTypedQuery.map(({ text }) => text), weight: 2 },
  { arbitrary: anyTerm, weight: 2 },
  { arbitrary: alphabetText, weight: 2 },
  {
    arbitrary: fc
      .array(fc.tuple(fc.oneof(typedTerm, anyTerm, alphabetText), fc.constantFrom(' AND ', ' OR ', ' ', '', '(', ')', ' AND (', ') OR ')), {
        minLength: 1,
        maxLength: 4,
      })
      .map((pieces) => pieces.map(([piece, joiner]) => piece + joiner).join('')),
    weight: 1,
  },
  {
    arbitrary: fc.constantFrom(
      'x'.repeat(2001),
      `${'('.repeat(1000)}tags = "a"${')'.repeat(1000)}`,
      Array(400).fill('tags = "a"').join(' OR '),
      // 2,100 bytes in UTF-8: more than a tag's index key holds.
      `tags = "${'€'.repeat(700)}"`,
    ),
    weight: 1,
  },
);

// ---- query strings and paths ----------------------------------------------------------------------------

/** Percent-encodes the UTF-8 of `text` (a lone surrogate becomes U+FFFD, as in any HTTP client). */
export function percentEncode(text: string): string {
  return [...Buffer.from(text, 'utf8')]
    .map((byte) =>
      /[A-Za-z0-9\-_.~]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');
}

/**
 * Text for a URL, short enough that the request line stays under Node's 16 KB header limit: beyond it
 * Node's own parser answers 431 before any aitags code runs.
 */
const fitsUrl = (text: string) => Buffer.byteLength(text) <= 2500;
const urlText = anyText.filter(fitsUrl);

/** A query string value: properly encoded, or raw characters an encoder would not leave alone. */
const queryValue = (value: fc.Arbitrary<string>) =>
  fc.oneof(
    { arbitrary: value.filter(fitsUrl).map(percentEncode), weight: 6 },
    { arbitrary: value.filter(fitsUrl).map((text) => percentEncode(text).replace(/%20/g, '+')), weight: 1 },
    { arbitrary: fc.constantFrom('%', '%zz', '%E0%A4%A', '%00', '&', '=', '==', '+', '%C0%AF', ''), weight: 1 },
  );

const LIST_PARAMS: Record<string, fc.Arbitrary<string>> = {
  searchQuery: anyQuery,
  path: folder,
  sort: fc.oneof(
    fc.constantFrom(
      'ASC_NAME',
      'DESC_CREATED',
      'ASC_SIZE',
      'DESC_WIDTH',
      'ASC_HEIGHT',
      'DESC_UPDATED',
      'DESC_RELEVANCE',
      'asc_name',
      'ASC_',
      'ASC_NAME_X',
    ),
    anyText,
  ),
  limit: fc.oneof(fc.integer({ min: -2, max: 1002 }).map(String), fc.constantFrom('1e3', '0x10', '1.5', ' 5', '99999999999999999999'), anyText),
  skip: fc.oneof(fc.integer({ min: -2, max: 10 }).map(String), fc.constantFrom('9007199254740993', '1e2', '-0'), anyText),
  fileType: fc.oneof(fc.constantFrom('all', 'image', 'non-image', 'IMAGE', ''), anyText),
  type: fc.oneof(fc.constantFrom('file', 'all', 'folder', 'file-version', ''), anyText),
};

/** The list's parameters: known ones with good or random values, unknown ones, repeats. */
export const listQuery: fc.Arbitrary<{ query: string; expectOk: boolean }> = fc.oneof(
  {
    // A well-typed query with nothing else that could be refused: the answer must be 200.
    arbitrary: fc
      .tuple(
        wellTypedQuery,
        fc.option(fc.constantFrom('sort=ASC_NAME', 'sort=DESC_CREATED', 'limit=5', 'skip=1', 'fileType=image', 'type=all', 'path=%2F')),
      )
      .map(([{ text, valid }, other]) => ({
        query: [`searchQuery=${percentEncode(text)}`, ...(other === null ? [] : [other])].join('&'),
        expectOk: valid,
      })),
    weight: 2,
  },
  {
    arbitrary: fc
      .tuple(
        fc.array(
          fc.oneof(
            {
              arbitrary: fc
                .constantFrom(...Object.keys(LIST_PARAMS))
                .chain((name) => queryValue(LIST_PARAMS[name] ?? anyText).map((value) => `${name}=${value}`)),
              weight: 6,
            },
            {
              arbitrary: fc.tuple(queryValue(fc.oneof(hostileKey, anyText)), queryValue(anyText)).map(([name, value]) => `${name}=${value}`),
              weight: 1,
            },
            { arbitrary: fc.constantFrom('searchQuery', 'limit', '=', '&', 'searchQuery=&searchQuery=tags%20%3D%20%22a%22'), weight: 1 },
          ),
          { maxLength: 4 },
        ),
        fc.constantFrom('&', '&&', ';'),
      )
      .map(([params, separator]) => ({ query: params.join(separator), expectOk: false })),
    weight: 3,
  },
);

const HOSTILE_SEGMENTS = [
  '',
  '.',
  '..',
  '%00',
  '%2F',
  '%2f',
  '%2e%2e',
  '%2E',
  '%5C',
  '\\',
  '%zz',
  '%',
  '%C0%AF',
  '__proto__',
  'constructor',
  '~',
  ';',
  '#x',
  '?',
  'x'.repeat(3000),
];
/** A path segment standing for an id: an existing one, a well-formed missing one, anything. */
export const idSegment = (kind: 'file' | 'job'): fc.Arbitrary<string | Ref> =>
  fc.oneof(
    { arbitrary: fc.nat(20).map((index) => new Ref(kind, index)), weight: 6 },
    { arbitrary: fc.stringMatching(kind === 'file' ? /^[0-9a-f]{24}$/ : /^job_[0-9a-f]{24}$/), weight: 2 },
    { arbitrary: urlText.map(percentEncode), weight: 2 },
    { arbitrary: fc.constantFrom(...HOSTILE_SEGMENTS), weight: 2 },
  );

const ROUTE_WORDS = [
  'v1',
  'api',
  'files',
  'details',
  'upload',
  'upload-url',
  'addTags',
  'removeTags',
  'removeAITags',
  'batch',
  'deleteByFileIds',
  'tagging-jobs',
  'assets',
  'index.html',
  'favicon.svg',
  'app.js',
  'tr:n-ik_ml_thumbnail',
  'etc',
  'passwd',
  'public',
  'uploads',
  'ingest',
];
const rawSegment = fc.oneof(
  { arbitrary: fc.constantFrom(...ROUTE_WORDS), weight: 4 },
  { arbitrary: fc.constantFrom(...HOSTILE_SEGMENTS), weight: 3 },
  { arbitrary: urlText.map(percentEncode), weight: 1 },
);

const RAW_PATHS = [
  '//',
  '///',
  '///x',
  '//host/v1/files',
  '//127.0.0.1/files/x',
  '/files/%00',
  '/files//etc/passwd',
  '/files/..%2F..%2Fetc%2Fpasswd',
  '/files/%2e%2e/%2e%2e/etc/passwd',
  '/files/%zz',
  '/files/',
  '/files',
  '/%2e%2e/%2e%2e/etc/passwd',
  '/v1/files/%2F/details',
  '/v1//files',
  '/v1/files/',
  '/v1/files/%00',
  '/assets/%00',
  '/assets/..%2F..%2Fpackage.json',
  '/assets/__proto__',
  '/assets/constructor',
  '/api/v1/files/upload/',
  '*',
  'http://127.0.0.1/v1/files',
  'http://evil.example/files/x',
  `/${'a'.repeat(8000)}`,
  `/files/${'a'.repeat(8000)}`,
  `/v1/files/${'%00'.repeat(2000)}/details`,
] as const;

export const rawPath: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...RAW_PATHS), weight: 2 },
  {
    arbitrary: fc
      .tuple(
        fc.constantFrom('/', '//', '///', '/v1/', '/v1/files/', '/api/v1/files/', '/files/', '/assets/', '/v1/tagging-jobs/'),
        fc.array(rawSegment, { maxLength: 5 }),
        fc.constantFrom('', '/', '?', '?x=1', '?%zz', '??', '#frag', '?searchQuery=(((((('),
      )
      .map(([prefix, segments, suffix]) => `${prefix}${segments.join('/')}${suffix}`),
    weight: 3,
  },
);

export const anyMethod = fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE', 'PROPFIND', 'MKCOL', 'PURGE');

// ---- multipart ------------------------------------------------------------------------------------------

const UPLOAD_FLAGS = ['useUniqueFileName', 'isPrivateFile', 'overwriteFile', 'overwriteAITags', 'overwriteTags', 'overwriteCustomMetadata'] as const;
const flagText = fc.oneof(
  { arbitrary: fc.constantFrom('true', 'false'), weight: 4 },
  { arbitrary: fc.constantFrom('TRUE', '1', 'yes', ''), weight: 1 },
  { arbitrary: anyText, weight: 1 },
);

const textPart = (name: string, text: fc.Arbitrary<string>) => text.map((value): Part => ({ name, content: { kind: 'text', text: value } }));
const jsonPart = (name: string, value: fc.Arbitrary<JValue>) => value.map((json): Part => ({ name, content: { kind: 'json', value: json } }));

const filePart: fc.Arbitrary<Part> = fc.oneof(
  { arbitrary: fc.constant<Part>({ name: 'file', filename: 'photo.jpg', type: 'image/jpeg', content: { kind: 'image' } }), weight: 8 },
  { arbitrary: fc.boolean().map((dataUri): Part => ({ name: 'file', content: { kind: 'image-base64', dataUri } })), weight: 2 },
  {
    arbitrary: fc
      .tuple(
        fc.oneof(
          fc.constant<PartContent>({ kind: 'oversize' }),
          fc.uint8Array({ maxLength: 200 }).map((bytes): PartContent => ({ kind: 'bytes', bytes })),
          anyText.map((text): PartContent => ({ kind: 'text', text })),
        ),
        fc.option(fc.oneof(fc.constantFrom('x.jpg', '', '../x', 'a"b', 'ü.png'), urlText.map(percentEncode)), { nil: undefined }),
        fc.option(fc.constantFrom('image/jpeg', 'text/plain', 'application/json', '', 'x'), { nil: undefined }),
      )
      .map(
        ([content, filename, type]): Part => ({
          name: 'file',
          content,
          ...(filename !== undefined && { filename }),
          ...(type !== undefined && { type }),
        }),
      ),
    weight: 2,
  },
);

const uploadFieldParts = (targets: Targets): Array<fc.Arbitrary<Part>> => [
  textPart('fileName', fileName),
  textPart('folder', folder),
  textPart('tags', fc.oneof(fc.constantFrom('summer,beach', 'Dog', ' , ,', `${'t'.repeat(300)},${'u'.repeat(300)}`), anyText)),
  textPart('customCoordinates', coordinates),
  fc.oneof(jsonPart('customMetadata', customMetadata), jsonPart('customMetadata', anyJson), textPart('customMetadata', anyText)),
  fc.oneof(
    { arbitrary: jsonPart('extensions', extensions(0)), weight: 3 },
    { arbitrary: jsonPart('extensions', anyJson), weight: 1 },
    { arbitrary: textPart('extensions', anyText), weight: 1 },
  ),
  fc.oneof({ arbitrary: textPart('webhookUrl', webhookUrl(targets)), weight: 3 }, { arbitrary: textPart('webhookUrl', anyText), weight: 1 }),
  textPart(
    'responseFields',
    fc.oneof(fc.constantFrom('tags,customMetadata', 'isPrivateFile', 'customCoordinates,tags', 'embeddedMetadata'), anyText),
  ),
  ...UPLOAD_FLAGS.map((name) => textPart(name, flagText)),
];

const oddParts: fc.Arbitrary<Part> = fc.oneof(
  textPart('__proto__', fc.constantFrom('x', '{"polluted":1}')),
  textPart('constructor', fc.constantFrom('x', 'prototype')),
  textPart('tags[]', fc.constant('a')),
  textPart('toString', fc.constant('x')),
  textPart('hasOwnProperty', fc.constant('x')),
  textPart('', fc.constant('x')),
  fc.constantFrom('fileName', 'tags', 'folder', 'responseFields').map((name): Part => ({ name, content: { kind: 'text', text: 'dup.jpg' } })),
  fc
    .constantFrom('fileName', 'tags', 'customMetadata')
    .map((name): Part => ({ name, filename: 'f.txt', content: { kind: 'text', text: 'a file where text belongs' } })),
  fc.constant<Part>({ name: 'file', filename: 'second.jpg', type: 'image/jpeg', content: { kind: 'image' } }),
  fc.constant<Part>({ name: 'x', rawHeaders: 'Content-Type: text/plain\r\n', content: { kind: 'text', text: 'no disposition' } }),
  fc.constant<Part>({ name: 'x', rawHeaders: 'Content-Disposition: form-data\r\n', content: { kind: 'text', text: 'no name' } }),
  fc.constant<Part>({ name: 'x', rawHeaders: 'garbage without a colon\r\n', content: { kind: 'text', text: 'x' } }),
  fc.constant<Part>({
    name: 'x',
    rawHeaders: `Content-Disposition: form-data; name="${'n'.repeat(5000)}"\r\n`,
    content: { kind: 'text', text: 'x' },
  }),
  fc.tuple(urlText.map(percentEncode), anyText).map(([name, text]): Part => ({ name, content: { kind: 'text', text } })),
);

const boundary = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9]{1,16}$/),
  fc.stringMatching(/^-{0,4}[A-Za-z0-9'()+_,./:=?-]{1,68}$/),
  fc.constantFrom('----WebKitFormBoundary7MA4YWxkTrZu0gW', 'a', '-', 'x'.repeat(70)),
);

const truncation: fc.Arbitrary<Truncation> = fc.oneof(
  { arbitrary: fc.constant<Truncation>({ kind: 'none' }), weight: 12 },
  { arbitrary: fc.constant<Truncation>({ kind: 'no-final-boundary' }), weight: 1 },
  { arbitrary: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }).map((at): Truncation => ({ kind: 'anywhere', at })), weight: 1 },
  {
    arbitrary: fc
      .tuple(fc.nat(20), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }))
      .map(([part, at]): Truncation => ({ kind: 'in-headers', part, at })),
    weight: 1,
  },
  {
    arbitrary: fc
      .tuple(fc.nat(20), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }))
      .map(([part, at]): Truncation => ({ kind: 'in-content', part, at })),
    weight: 1,
  },
);

/** A multipart upload: the fields in random order, well-formed or broken in the ways parsers trip on. */
export const multipart = (targets: Targets): fc.Arbitrary<Multipart> =>
  fc.record({
    boundary,
    header: fc.oneof(
      { arbitrary: fc.constant<Multipart['header']>('match'), weight: 14 },
      { arbitrary: fc.constantFrom<Multipart['header']>('quoted', 'other-boundary', 'no-boundary', 'not-multipart', 'absent'), weight: 2 },
    ),
    newline: fc.oneof(
      { arbitrary: fc.constant<Multipart['newline']>('\r\n'), weight: 12 },
      { arbitrary: fc.constant<Multipart['newline']>('\n'), weight: 1 },
    ),
    preamble: fc.oneof({ arbitrary: fc.constant(''), weight: 8 }, { arbitrary: fc.constantFrom('preamble\r\n', '\r\n', '--'), weight: 1 }),
    epilogue: fc.oneof({ arbitrary: fc.constant(''), weight: 8 }, { arbitrary: fc.constantFrom('epilogue', '\r\n--x--\r\n'), weight: 1 }),
    parts: fc
      .tuple(
        fc.option(filePart, { nil: undefined, freq: 8 }),
        fc.option(textPart('fileName', fileName), { nil: undefined, freq: 10 }),
        fc
          .subarray(uploadFieldParts(targets), { maxLength: 5 })
          .chain((arbitraries): fc.Arbitrary<Part[]> => (arbitraries.length ? fc.tuple(...arbitraries) : fc.constant([]))),
        fc.oneof({ arbitrary: fc.constant<Part[]>([]), weight: 5 }, { arbitrary: fc.array(oddParts, { minLength: 1, maxLength: 2 }), weight: 1 }),
        fc.boolean(),
      )
      .map(([file, name, fields, odd, fileLast]) => {
        const rest = [...(name ? [name] : []), ...fields, ...odd];
        return file ? (fileLast ? [...rest, file] : [file, ...rest]) : rest;
      }),
    truncation,
  });

// ---- routes ---------------------------------------------------------------------------------------------

const draft = (route: string, method: string, path: ReadonlyArray<string | Ref>, rest: Partial<Draft> = {}): fc.Arbitrary<Draft> =>
  authArb.map((auth) => ({ route, method, path, auth, body: { kind: 'none' }, ...rest }));

const withJsonBody = (route: string, method: string, path: ReadonlyArray<string | Ref>, body: fc.Arbitrary<{ body: Body; contentType?: string }>) =>
  fc.tuple(authArb, body).map(
    ([auth, { body: content, contentType }]): Draft => ({
      route,
      method,
      path,
      auth,
      body: content,
      ...(contentType !== undefined && { contentType }),
    }),
  );

export function uploadDrafts(targets: Targets): fc.Arbitrary<Draft> {
  return fc.oneof(
    {
      arbitrary: fc.tuple(authArb, multipart(targets)).map(
        ([auth, body]): Draft => ({
          route: 'upload',
          method: 'POST',
          path: ['/api/v1/files/upload'],
          auth,
          body: { kind: 'multipart', multipart: body },
        }),
      ),
      weight: 12,
    },
    { arbitrary: withJsonBody('upload', 'POST', ['/api/v1/files/upload'], jsonBody({ fileName: fileName, file: anyText })), weight: 1 },
  );
}

export function uploadUrlDrafts(targets: Targets): fc.Arbitrary<Draft> {
  const fields: Record<string, fc.Arbitrary<JValue>> = {
    fileName: field(fileName, 6),
    size: field(fc.oneof(fc.integer({ min: 1, max: 10_000_000 }), fc.constantFrom(0, -1, 1.5, 1e20, 60 * 1024 * 1024)), 6),
    contentType: field(fc.constantFrom('image/jpeg', 'image/png', 'application/octet-stream', 'jpeg', 'image/ jpeg', 'a/b;c')),
    folder: field(folder),
    tags: field(fc.oneof(tagList, tagText)),
    isPrivateFile: field(fc.boolean()),
    customCoordinates: field(coordinates),
    customMetadata: field(customMetadata),
    extensions: field(extensions(0)),
    webhookUrl: field(webhookUrl(targets)),
    ...Object.fromEntries(
      ['useUniqueFileName', 'overwriteFile', 'overwriteAITags', 'overwriteTags', 'overwriteCustomMetadata'].map((name) => [
        name,
        field(fc.boolean()),
      ]),
    ),
  };
  return withJsonBody('upload-url', 'POST', ['/api/v1/files/upload-url'], jsonBody(fields, 0.3, ['fileName', 'size']));
}

export function detailsDrafts(targets: Targets): fc.Arbitrary<Draft> {
  const patch = jsonBody(
    {
      tags: field(fc.oneof(tagList, fc.constant(null))),
      customCoordinates: field(fc.oneof(coordinates, fc.constant(null))),
      customMetadata: field(customMetadata, 4),
      removeAITags: field(fc.oneof(fc.constant('all'), tagList)),
      extensions: field(extensions(0)),
      webhookUrl: field(webhookUrl(targets)),
    },
    0.5,
  );
  const file = idSegment('file');
  return fc.oneof(
    { arbitrary: file.chain((id) => draft('getDetails', 'GET', ['/v1/files/', id, '/details'])), weight: 2 },
    {
      arbitrary: fc
        .tuple(file, patch)
        .chain(([id, body]) => withJsonBody('updateDetails', 'PATCH', ['/v1/files/', id, '/details'], fc.constant(body))),
      weight: 6,
    },
    { arbitrary: file.chain((id) => draft('deleteFile', 'DELETE', ['/v1/files/', id])), weight: 1 },
    {
      arbitrary: fc
        .tuple(file, anyMethod, fc.constantFrom('/details', '', '/details/', '/x'))
        .chain(([id, method, tail]) => draft('details (any method)', method, ['/v1/files/', id, tail])),
      weight: 1,
    },
  );
}

export function listDrafts(): fc.Arbitrary<Draft> {
  return fc.tuple(listQuery, authArb).map(
    ([{ query, expectOk }, auth]): Draft => ({
      route: 'listFiles',
      method: 'GET',
      path: ['/v1/files'],
      query,
      auth,
      body: { kind: 'none' },
      expectOk: expectOk && auth === 'valid',
    }),
  );
}

export function bulkDrafts(): fc.Arbitrary<Draft> {
  const tags = field(fc.array(tagText, { minLength: 1, maxLength: 3 }), 5);
  return fc.oneof(
    withJsonBody('addTags', 'POST', ['/v1/files/addTags'], jsonBody({ fileIds: field(fileIds(50), 6), tags }, 0.9)),
    withJsonBody('removeTags', 'POST', ['/v1/files/removeTags'], jsonBody({ fileIds: field(fileIds(50), 6), tags }, 0.9)),
    withJsonBody('removeAITags', 'POST', ['/v1/files/removeAITags'], jsonBody({ fileIds: field(fileIds(50), 6), AITags: tags }, 0.9)),
    withJsonBody('deleteFiles', 'POST', ['/v1/files/batch/deleteByFileIds'], jsonBody({ fileIds: field(fileIds(100), 6) }, 0.9)),
  );
}

export function jobDrafts(targets: Targets): fc.Arbitrary<Draft> {
  const create = jsonBody(
    {
      extensions: field(extensions(1), 8),
      searchQuery: field(anyQuery, 4),
      path: field(folder),
      removeAITags: field(fc.boolean()),
      webhookUrl: field(webhookUrl(targets)),
      // Mostly a dry run: a real job is welcome now and then, but each one keeps the stack busy.
      dryRun: fc.oneof({ arbitrary: fc.constant(true), weight: 12 }, { arbitrary: fc.constant(false), weight: 1 }, { arbitrary: anyJson, weight: 1 }),
      maxFiles: field(fc.oneof(fc.integer({ min: 1, max: 1_000_000 }), fc.constantFrom(0, 1_000_001, 2.5, -1))),
    },
    0.5,
    ['extensions', 'dryRun'],
  );
  const job = idSegment('job');
  return fc.oneof(
    { arbitrary: withJsonBody('createTaggingJob', 'POST', ['/v1/tagging-jobs'], create), weight: 6 },
    { arbitrary: draft('listTaggingJobs', 'GET', ['/v1/tagging-jobs']), weight: 1 },
    { arbitrary: job.chain((id) => draft('getTaggingJob', 'GET', ['/v1/tagging-jobs/', id])), weight: 2 },
    { arbitrary: job.chain((id) => draft('cancelTaggingJob', 'DELETE', ['/v1/tagging-jobs/', id])), weight: 2 },
    { arbitrary: fc.tuple(job, anyMethod).chain(([id, method]) => draft('tagging-jobs (any method)', method, ['/v1/tagging-jobs/', id])), weight: 1 },
  );
}

/** The page, its assets and `/files/…` delivery: existing files (by reference) and anything else. */
export function pageDrafts(): fc.Arbitrary<Draft> {
  const asset = fc.oneof(
    { arbitrary: fc.constantFrom('index.html', 'app.js', 'app.css', 'favicon.svg', 'favicon.svg?v=1'), weight: 3 },
    { arbitrary: fc.constantFrom(...HOSTILE_SEGMENTS), weight: 2 },
    { arbitrary: urlText.map(percentEncode), weight: 1 },
  );
  const delivered = fc.oneof(
    {
      arbitrary: fc.tuple(
        fc.constantFrom('', 'tr:n-ik_ml_thumbnail/'),
        fc.nat(20).map((index) => new Ref('filePath', index)),
      ),
      weight: 3,
    },
    { arbitrary: fc.array(rawSegment, { maxLength: 3 }).map((segments) => [segments.join('/')] as const), weight: 2 },
  );
  const method = fc.oneof({ arbitrary: fc.constantFrom('GET', 'HEAD'), weight: 6 }, { arbitrary: anyMethod, weight: 1 });
  return fc.oneof(
    { arbitrary: method.chain((verb) => draft('page', verb, ['/'])), weight: 1 },
    { arbitrary: fc.tuple(method, asset).chain(([verb, name]) => draft('pageAsset', verb, ['/assets/', name])), weight: 2 },
    { arbitrary: fc.tuple(method, delivered).chain(([verb, path]) => draft('delivery', verb, ['/files/', ...path])), weight: 3 },
  );
}

/** Raw paths and methods no route expects, some with bodies. */
export function rawDrafts(targets: Targets): fc.Arbitrary<Draft> {
  const body: fc.Arbitrary<{ body: Body; contentType?: string }> = fc.oneof(
    { arbitrary: fc.constant({ body: { kind: 'none' as const } }), weight: 4 },
    { arbitrary: jsonBody({ fileIds: fileIds(3), tags: tagList }), weight: 1 },
    { arbitrary: multipart(targets).map((value) => ({ body: { kind: 'multipart' as const, multipart: value } })), weight: 1 },
  );
  return fc.tuple(anyMethod, rawPath, authArb, body).map(
    ([method, path, auth, { body: content, contentType }]): Draft => ({
      route: 'raw',
      method,
      path: [path],
      auth,
      body: content,
      ...(contentType !== undefined && { contentType }),
    }),
  );
}

/**
 * Every route in ROUTES, read from the table itself (so a route added later is fuzzed too): its method or
 * another, its path parameters filled with existing ids or anything, and any body.
 */
export function everyRouteDrafts(targets: Targets): fc.Arbitrary<Draft> {
  const body: fc.Arbitrary<{ body: Body; contentType?: string }> = fc.oneof(
    { arbitrary: fc.constant({ body: { kind: 'none' as const } }), weight: 2 },
    { arbitrary: jsonBody({ fileIds: fileIds(3), tags: tagList, extensions: extensions(1), dryRun: fc.constant(true) }, 0.7, ['dryRun']), weight: 2 },
    { arbitrary: multipart(targets).map((value) => ({ body: { kind: 'multipart' as const, multipart: value } })), weight: 1 },
  );
  return fc.constantFrom(...Object.entries(ROUTES)).chain(([name, route]) => {
    const pieces = route.path.split(/(\{[^}]+\})/).filter((piece) => piece !== '');
    const path = fc.tuple(
      ...pieces.map(
        (piece): fc.Arbitrary<string | Ref> =>
          piece === '{jobId}'
            ? idSegment('job')
            : piece === '{fileId}'
              ? idSegment('file')
              : piece.startsWith('{')
                ? idSegment('file')
                : fc.constant(piece),
      ),
    );
    const method = fc.oneof({ arbitrary: fc.constant<string>(route.method), weight: 4 }, { arbitrary: anyMethod, weight: 1 });
    return fc.tuple(method, path, authArb, body).map(
      ([verb, parts, auth, { body: content, contentType }]): Draft => ({
        route: name,
        method: verb,
        path: parts,
        auth,
        body: content,
        ...(contentType !== undefined && { contentType }),
      }),
    );
  });
}
