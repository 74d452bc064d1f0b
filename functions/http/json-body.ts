import type { MiddlewareObj } from '@middy/core';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/** A JSON request body, parsed (malformed JSON becomes a 400 in error-response.ts). */
export const jsonBody = () => httpJsonBodyParser();

/** The JSON body of some methods' requests (a Lambda that also serves GET and DELETE, which carry none). */
export function jsonBodyOf(...methods: ('POST' | 'PUT' | 'PATCH')[]): MiddlewareObj<APIGatewayProxyEventV2> {
  const parser = httpJsonBodyParser();
  return {
    before: async (request) => {
      if ((methods as string[]).includes(request.event.requestContext.http.method))
        await parser.before?.(request as Parameters<NonNullable<typeof parser.before>>[0]);
    },
  };
}
