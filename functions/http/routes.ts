import { matchRoutePath } from '../core/route-match.js';

/** One route of the HTTP API: a method and an API Gateway path (`{name}` for a path parameter). */
export interface ApiRoute {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
}

/**
 * The HTTP API's routes, by the name of the use case they serve. Which Lambda serves each one is the
 * stack's business (infra/api-routes.ts); at run time only the table matters (404 versus 405).
 */
export const ROUTES = {
  upload: { method: 'POST', path: '/api/v1/files/upload' },
  uploadUrl: { method: 'POST', path: '/api/v1/files/upload-url' },
  getDetails: { method: 'GET', path: '/v1/files/{fileId}/details' },
  updateDetails: { method: 'PATCH', path: '/v1/files/{fileId}/details' },
  deleteFile: { method: 'DELETE', path: '/v1/files/{fileId}' },
  listFiles: { method: 'GET', path: '/v1/files' },
  addTags: { method: 'POST', path: '/v1/files/addTags' },
  removeTags: { method: 'POST', path: '/v1/files/removeTags' },
  removeAITags: { method: 'POST', path: '/v1/files/removeAITags' },
  deleteFiles: { method: 'POST', path: '/v1/files/batch/deleteByFileIds' },
  createTaggingJob: { method: 'POST', path: '/v1/tagging-jobs' },
  listTaggingJobs: { method: 'GET', path: '/v1/tagging-jobs' },
  getTaggingJob: { method: 'GET', path: '/v1/tagging-jobs/{jobId}' },
  cancelTaggingJob: { method: 'DELETE', path: '/v1/tagging-jobs/{jobId}' },
  status: { method: 'GET', path: '/v1/status' },
  getTagPolicy: { method: 'GET', path: '/v1/tag-policy' },
  putTagPolicy: { method: 'PUT', path: '/v1/tag-policy' },
  listSavedExtensions: { method: 'GET', path: '/v1/saved-extensions' },
  createSavedExtension: { method: 'POST', path: '/v1/saved-extensions' },
  getSavedExtension: { method: 'GET', path: '/v1/saved-extensions/{id}' },
  updateSavedExtension: { method: 'PATCH', path: '/v1/saved-extensions/{id}' },
  deleteSavedExtension: { method: 'DELETE', path: '/v1/saved-extensions/{id}' },
  page: { method: 'GET', path: '/' },
  pageAsset: { method: 'GET', path: '/assets/{file}' },
} as const satisfies Record<string, ApiRoute>;

const API_ROUTES: readonly ApiRoute[] = Object.values(ROUTES);

/** The answer for a request no route matched: 405 with Allow for a known path and another method, else 404. */
export function unmatchedRequest(method: string, path: string): { status: 404 | 405; message: string; help: string; allow?: string } {
  const allowed = API_ROUTES.filter((route) => matchRoutePath(route.path, path)).map((route) => route.method);
  if (allowed.length) {
    return { status: 405, message: `${method} is not allowed on ${path}`, help: `Use ${allowed.join(' or ')}.`, allow: allowed.join(', ') };
  }
  return { status: 404, message: `No route for ${method} ${path}`, help: 'See the API reference in docs/api.md.' };
}

/** API Gateway's `routeKey` of a route: `POST /v1/files/addTags`. */
export const routeKey = (route: ApiRoute) => `${route.method} ${route.path}`;
