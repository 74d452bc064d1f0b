import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { parseSavedExtensionCreate, parseSavedExtensionUpdate } from './core/saved-extensions.js';
import { http } from './http/handler.js';
import { jsonBodyOf } from './http/json-body.js';
import { type HttpResponse, noContent, ok } from './http/responses.js';
import { ROUTES, routeKey } from './http/routes.js';
import { apiPrivateKey } from './wiring/private-key.js';
import { savedExtensions } from './wiring/saved-extensions.js';

const idOf = (event: Pick<APIGatewayProxyEventV2, 'pathParameters'>) => event.pathParameters?.id ?? '';

const ROUTE_ACTIONS: Record<string, (event: Pick<APIGatewayProxyEventV2, 'pathParameters'> & { body: unknown }) => Promise<HttpResponse>> = {
  [routeKey(ROUTES.listSavedExtensions)]: async () => ok(await savedExtensions().list()),
  [routeKey(ROUTES.createSavedExtension)]: async (event) => ok(await savedExtensions().create(parseSavedExtensionCreate(event.body))),
  [routeKey(ROUTES.getSavedExtension)]: async (event) => ok(await savedExtensions().get(idOf(event))),
  [routeKey(ROUTES.updateSavedExtension)]: async (event) => ok(await savedExtensions().update(idOf(event), parseSavedExtensionUpdate(event.body))),
  [routeKey(ROUTES.deleteSavedExtension)]: async (event) => {
    await savedExtensions().delete(idOf(event));
    return noContent();
  },
};

/** GET/POST /v1/saved-extensions, GET/PATCH/DELETE /v1/saved-extensions/:id — ImageKit's saved extensions. */
export const handler = http<unknown>(
  async (event) => {
    const action = ROUTE_ACTIONS[event.routeKey];
    if (!action) throw new Error(`saved-extensions serves no route ${event.routeKey}`);
    return action(event);
  },
  { privateKey: apiPrivateKey, body: jsonBodyOf('POST', 'PATCH') },
);
