import { API_ROUTES } from '../infra/api-routes.js';
import { matchRoutePath } from './core/route-match.js';
import { http } from './http/middleware.js';
import { errorBody } from './http/responses.js';

/** API Gateway's `$default` route: 405 (with Allow) for a known path and another method, else 404. */
export const handler = http<unknown>(
  async (event) => {
    const path = event.rawPath;
    const allowed = API_ROUTES.filter((route) => matchRoutePath(route.path, path)).map((route) => route.method);
    if (allowed.length) {
      return errorBody(405, `${event.requestContext.http.method} is not allowed on ${path}`, `Use ${allowed.join(' or ')}.`, {
        allow: allowed.join(', '),
      });
    }
    return errorBody(404, `No route for ${event.requestContext.http.method} ${path}`, 'See the API reference in the README.');
  },
  { body: { kind: 'none' } },
);
