import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import httpMultipartBodyParser from '@middy/http-multipart-body-parser';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { ApiError } from '../core/errors.js';
import { base64FieldLimit } from '../core/upload-request.js';
import { logger } from '../logger.js';
import { checkBasicAuth } from './basic-auth.js';
import { errorBody, type HttpResponse } from './responses.js';

export type HttpEvent<Body> = Omit<APIGatewayProxyEventV2, 'body'> & { body: Body };

type BodyKind = { kind: 'none' } | { kind: 'json' } | { kind: 'multipart'; maxFileBytes: number };

export interface HttpOptions {
  body: BodyKind;
  /** Resolves the private API key; omitted for routes that need no auth. */
  privateKey?: () => Promise<string>;
}

interface MiddyHttpError {
  statusCode: number;
  message: string;
  cause?: { package?: string };
}
const isMiddyHttpError = (error: unknown): error is MiddyHttpError =>
  error instanceof Error && typeof (error as Partial<MiddyHttpError>).statusCode === 'number';

const HELP_BY_STATUS: Record<number, string> = {
  415: 'Send multipart/form-data for uploads and application/json for updates.',
  413: 'Send a smaller request.',
};

/** The one place errors become HTTP: ApiError as is, parser errors with help, anything else a bare 500. */
export function toErrorResponse(error: unknown): HttpResponse {
  if (error instanceof ApiError) return errorBody(error.status, error.message, error.help);
  if (isMiddyHttpError(error) && error.statusCode < 500) {
    if (error.cause?.package === '@middy/http-json-body-parser' && error.message.startsWith('Invalid or malformed')) {
      return errorBody(400, 'The body is not valid JSON', 'Send a JSON object with Content-Type: application/json.');
    }
    if (error.cause?.package === '@middy/http-multipart-body-parser' && error.message.startsWith('Invalid or malformed')) {
      return errorBody(
        400,
        'The body is not valid multipart/form-data',
        'Send the upload as multipart/form-data with a file part and a fileName field.',
      );
    }
    return errorBody(error.statusCode, error.message, HELP_BY_STATUS[error.statusCode] ?? 'Check the request.');
  }
  logger.error('Unhandled error', { error: error as Error });
  return errorBody(500, 'Internal server error', 'Retry later; if it persists, look up the request id in the logs.');
}

const errorResponses = (): MiddlewareObj<APIGatewayProxyEventV2, HttpResponse> => ({
  onError: async (request) => {
    request.response = toErrorResponse(request.error);
  },
});

const basicAuth = (privateKey: () => Promise<string>): MiddlewareObj<APIGatewayProxyEventV2, HttpResponse> => ({
  before: async (request) => {
    checkBasicAuth(request.event.headers?.authorization, await privateKey());
  },
});

const multipartLimits = (maxFileBytes: number) => ({
  busboy: { limits: { fileSize: maxFileBytes + 1, fieldSize: base64FieldLimit(maxFileBytes) } },
});

/** The middy stack every HTTP handler runs in: logging context, error mapping, auth, body parsing. */
export function http<Body>(handler: (event: HttpEvent<Body>, context: Context) => Promise<HttpResponse>, options: HttpOptions) {
  const stack = middy<APIGatewayProxyEventV2, HttpResponse>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(errorResponses());
  if (options.privateKey) stack.use(basicAuth(options.privateKey));
  if (options.body.kind === 'json') stack.use(httpJsonBodyParser());
  if (options.body.kind === 'multipart') stack.use(httpMultipartBodyParser(multipartLimits(options.body.maxFileBytes)));
  return stack.handler((event, context) => handler(event as unknown as HttpEvent<Body>, context));
}
