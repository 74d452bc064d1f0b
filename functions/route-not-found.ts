import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { errorBody, type HttpResponse } from './http/responses.js';
import { unmatchedRequest } from './http/routes.js';

/**
 * API Gateway's `$default` route: 405 (with Allow) for a known path and another method, else 404. It
 * reads nothing and cannot fail, so it runs without the middy stack: a cold start stays at a few ms.
 */
export const handler = async (event: APIGatewayProxyEventV2): Promise<HttpResponse> => {
  const answer = unmatchedRequest(event.requestContext.http.method, event.rawPath);
  return errorBody(answer.status, answer.message, answer.help, answer.allow ? { allow: answer.allow } : {});
};
