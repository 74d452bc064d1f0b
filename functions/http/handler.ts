import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { logger } from '../runtime/logger.js';
import { checkBasicAuth } from './basic-auth.js';
import { toErrorResponse } from './error-response.js';
import type { HttpResponse } from './responses.js';

export type HttpEvent<Body> = Omit<APIGatewayProxyEventV2, 'body'> & { body: Body };
type HttpMiddleware = MiddlewareObj<APIGatewayProxyEventV2, HttpResponse>;

export interface HttpOptions {
  /** Resolves the private API key that every request must carry (HTTP Basic username). */
  privateKey: () => Promise<string>;
  /** The body parser (json-body.ts or multipart-body.ts): a route imports only the one it takes. */
  body?: HttpMiddleware;
}

const errorResponses = (): HttpMiddleware => ({
  onError: async (request) => {
    request.response = toErrorResponse(request.error);
  },
});

const basicAuth = (privateKey: () => Promise<string>): HttpMiddleware => ({
  before: async (request) => {
    checkBasicAuth(request.event.headers?.authorization, await privateKey());
  },
});

/** The middy stack every API route runs in: logging context, error mapping, auth, then body parsing. */
export function http<Body>(handler: (event: HttpEvent<Body>, context: Context) => Promise<HttpResponse>, options: HttpOptions) {
  const stack = middy<APIGatewayProxyEventV2, HttpResponse>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(errorResponses())
    .use(basicAuth(options.privateKey));
  if (options.body) stack.use(options.body);
  return stack.handler((event, context) => handler(event as unknown as HttpEvent<Body>, context));
}
