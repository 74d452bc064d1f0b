import { matchRoutePath } from '../core/route-match.js';

/**
 * The HTTP API's routes: which handler file serves which method and path. Plain data, read by the CDK
 * stack (one Lambda per route) and by the local gateway (the same handlers in-process).
 */
export interface ApiRoute {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** API Gateway route path, `{name}` for a path parameter. */
  path: string;
  /** Handler module under functions/, without extension; it exports `handler`. */
  entry: string;
}

export const API_ROUTES: readonly ApiRoute[] = [
  { method: 'POST', path: '/api/v1/files/upload', entry: 'upload' },
  { method: 'POST', path: '/api/v1/files/upload-url', entry: 'upload-url' },
  { method: 'GET', path: '/v1/files/{fileId}/details', entry: 'get-details' },
  { method: 'PATCH', path: '/v1/files/{fileId}/details', entry: 'update-details' },
  { method: 'DELETE', path: '/v1/files/{fileId}', entry: 'delete-file' },
];

/** Serves every request no route matches: 405 for a known path with another method, else 404. */
export const FALLBACK_ENTRY = 'route-not-found';

/** The answer for a request no route matched: 405 with Allow for a known path and another method, else 404. */
export function unmatchedRequest(method: string, path: string): { status: 404 | 405; message: string; help: string; allow?: string } {
  const allowed = API_ROUTES.filter((route) => matchRoutePath(route.path, path)).map((route) => route.method);
  if (allowed.length) {
    return { status: 405, message: `${method} is not allowed on ${path}`, help: `Use ${allowed.join(' or ')}.`, allow: allowed.join(', ') };
  }
  return { status: 404, message: `No route for ${method} ${path}`, help: 'See the API reference in the README.' };
}
