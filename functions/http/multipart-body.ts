import httpMultipartBodyParser from '@middy/http-multipart-body-parser';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { base64FieldLimit } from '../core/upload-request.js';

/** A multipart/form-data body: a file part over `maxFileBytes` is cut short and refused with 413 by the upload rules. */
export const multipartBody = (maxFileBytes: number) =>
  // Typed for REST API (v1) events; it reads only headers, body and isBase64Encoded, which HTTP API events carry alike.
  httpMultipartBodyParser({
    busboy: { limits: { fileSize: maxFileBytes + 1, fieldSize: base64FieldLimit(maxFileBytes) } },
  }) as unknown as MiddlewareObj<APIGatewayProxyEventV2>;
