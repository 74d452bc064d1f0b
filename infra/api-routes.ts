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
