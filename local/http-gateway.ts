import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { invoke } from './lambda-context.js';
import type { RouteHandler } from '../infra/api-routes.js';
import { matchRoutePath } from '../functions/core/route-match.js';
import { PUBLIC_FILE_HEADERS } from '../infra/public-file-headers.js';

export type HttpHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

export interface PublicObject {
  body: Readable;
  contentType: string | undefined;
  contentLength: number | undefined;
}

export interface GatewayOptions {
  routes: ReadonlyArray<RouteHandler & { handler: HttpHandler }>;
  fallback: HttpHandler;
  /** Serves the bucket's public/ prefix under /files/, standing in for the CDN. */
  publicObject: (key: string) => Promise<PublicObject | undefined>;
}

/** API Gateway HTTP APIs refuse bodies over 10 MB before any Lambda runs. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;
const DELIVERY_PREFIX = '/files/';
/** The gateway's own answers are JSON `{message, help}`, as the API's are. */
const JSON_HEADERS = { 'content-type': 'application/json' };
/** API Gateway's integration timeout. */
const API_TIMEOUT_MS = 30_000;
const TEXT_BODY = /^(text\/|application\/(json|xml|javascript)|[^;]*\+(json|xml))/i;

/**
 * A local stand-in for API Gateway (HTTP API, payload format 2.0): each request becomes the event that
 * API Gateway would send, and goes to the very handler the stack deploys for that route.
 */
export function createHttpGateway(options: GatewayOptions): Server {
  const server = createServer((request, response) => {
    serve(options, request, response).catch((error: unknown) => {
      console.error('local gateway error', error);
      if (!response.headersSent)
        send(response, {
          statusCode: 500,
          headers: JSON_HEADERS,
          body: JSON.stringify({ message: 'Internal server error', help: 'See the local server log.' }),
        });
      else response.destroy();
    });
  });
  // A request Node's HTTP parser refuses (a target that is no URL, a malformed header) never reaches serve():
  // answered as the gateway answers any bad request, JSON {message, help}, instead of Node's bare 400.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return;
    const body = JSON.stringify({
      message: 'The request is not valid HTTP',
      help: `Send a well-formed HTTP/1.1 request (${error.code ?? 'parse error'}).`,
    });
    socket.end(
      `HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });
  return server;
}

const badRequestTarget = (target: string) =>
  JSON.stringify({ message: `The request target ${JSON.stringify(target.slice(0, 200))} is not a path`, help: 'Send a path that starts with /.' });

/**
 * The URL of a request's target. A target is a path: `//host/x` is the path `//host/x`, never a host (as
 * `new URL(target, base)` would read it). An absolute-form target (`http://host/x`) keeps only its path and query.
 */
export function requestUrl(target: string): URL | undefined {
  try {
    if (target.startsWith('/')) return new URL(`http://127.0.0.1${target}`);
    const absolute = new URL(target);
    if (absolute.protocol === 'http:' || absolute.protocol === 'https:') return new URL(`http://127.0.0.1${absolute.pathname}${absolute.search}`);
  } catch {
    // not a URL at all: answered 400 below
  }
  return undefined;
}

async function serve(options: GatewayOptions, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = requestUrl(request.url ?? '/');
  if (!url) return send(response, { statusCode: 400, headers: JSON_HEADERS, body: badRequestTarget(request.url ?? '') });
  const method = request.method ?? 'GET';
  if ((method === 'GET' || method === 'HEAD') && url.pathname.startsWith(DELIVERY_PREFIX)) {
    return deliver(options, url.pathname.slice(DELIVERY_PREFIX.length - 1), method, response);
  }
  const body = await readBody(request);
  if (body === undefined) {
    return send(response, {
      statusCode: 413,
      headers: JSON_HEADERS,
      body: JSON.stringify({ message: 'Request Entity Too Large', help: 'API Gateway accepts request bodies up to 10 MB.' }),
    });
  }
  for (const route of options.routes) {
    const pathParameters = route.method === method ? matchRoutePath(route.path, url.pathname) : undefined;
    if (pathParameters) {
      return send(
        response,
        await invoke(route.handler, toEvent(request, url, body, `${route.method} ${route.path}`, pathParameters), route.entry, API_TIMEOUT_MS),
      );
    }
  }
  return send(response, await invoke(options.fallback, toEvent(request, url, body, '$default', undefined), 'route-not-found', API_TIMEOUT_MS));
}

async function deliver(options: GatewayOptions, path: string, method: string, response: ServerResponse): Promise<void> {
  const key = publicKey(path);
  let object: PublicObject | undefined;
  try {
    object = key === undefined ? undefined : await options.publicObject(key);
  } catch (error) {
    // The CDN answers 502 when its origin fails; a 500 would say the gateway itself broke.
    console.error(`local delivery of ${JSON.stringify(key)} failed`, error);
    response.writeHead(502, { 'content-type': 'text/plain', ...PUBLIC_FILE_HEADERS }).end('Bad Gateway');
    return;
  }
  if (!object) {
    response.writeHead(404, { 'content-type': 'text/plain', ...PUBLIC_FILE_HEADERS }).end('Not Found');
    return;
  }
  // The CDN's response headers policy (infra/delivery.ts).
  response.writeHead(200, {
    ...PUBLIC_FILE_HEADERS,
    ...(object.contentType && { 'content-type': object.contentType }),
    ...(object.contentLength !== undefined && { 'content-length': String(object.contentLength) }),
  });
  if (method === 'HEAD') {
    object.body.destroy();
    response.end();
    return;
  }
  object.body.pipe(response);
}

/** S3's key limit; s3rver also keeps each segment as a file name, which the file system caps at 255 bytes. */
const MAX_KEY_BYTES = 1024;
const MAX_SEGMENT_BYTES = 255;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

/**
 * The public/ key a delivery path names, or undefined for a path that names no file aitags can store: a
 * `..`, `.` or empty segment (which s3rver would resolve on disk), a control character (NUL included), a
 * backslash, or a key or segment longer than the store holds. Those answer 404, as a missing file does.
 */
export function publicKey(path: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return undefined;
  }
  const segments = decoded.slice(1).split('/');
  const unstorable = (segment: string) =>
    segment === '' ||
    segment === '..' ||
    segment === '.' ||
    segment.includes('\\') ||
    CONTROL_CHARACTER.test(segment) ||
    Buffer.byteLength(segment) > MAX_SEGMENT_BYTES;
  const key = `public${decoded}`;
  return !decoded.startsWith('/') || segments.some(unstorable) || Buffer.byteLength(key) > MAX_KEY_BYTES ? undefined : key;
}

function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    request.on('data', (chunk: Buffer) => {
      length += chunk.length;
      if (length <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () => resolve(length > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function toEvent(
  request: IncomingMessage,
  url: URL,
  body: Buffer,
  routeKey: string,
  pathParameters: Record<string, string> | undefined,
): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined && name !== 'cookie') headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const isText = TEXT_BODY.test(headers['content-type'] ?? '');
  const query = [...url.searchParams.keys()];
  const now = new Date();
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(request.headers.cookie && { cookies: request.headers.cookie.split(/;\s*/) }),
    headers,
    ...(query.length && { queryStringParameters: Object.fromEntries(query.map((key) => [key, url.searchParams.getAll(key).join(',')])) }),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? '127.0.0.1',
      domainPrefix: 'local',
      http: {
        method: request.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(pathParameters && { pathParameters }),
    ...(body.length && { body: isText ? body.toString('utf8') : body.toString('base64') }),
    isBase64Encoded: body.length > 0 && !isText,
  };
}

function send(response: ServerResponse, result: APIGatewayProxyStructuredResultV2): void {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  if (result.cookies?.length) headers['set-cookie'] = result.cookies;
  const body = result.body === undefined ? Buffer.alloc(0) : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
  response.writeHead(result.statusCode ?? 200, headers).end(body);
}
