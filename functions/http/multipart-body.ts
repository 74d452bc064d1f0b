import { Busboy, type BusboyFileStream } from '@fastify/busboy';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { ApiError, badRequest } from '../core/errors.js';
import { base64FieldLimit, type FilePart, type MultipartFields, type MultipartValue } from '../core/upload-request.js';

/** `tags[]` (how ImageKit's SDK sends an array) adds to `tags`. */
const LIST_FIELD = /^(.+)\[\]$/;

export const MULTIPART_HELP = 'Send the upload as multipart/form-data with a file part and a fileName field, every part closed by the boundary.';

const malformed = (reason: string) => badRequest(`The body is not valid multipart/form-data: ${reason}`, MULTIPART_HELP);

/** busboy's words for what is wrong, in the API's. */
function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : '';
  if (/boundary not found/i.test(message)) return 'the Content-Type names no boundary';
  if (/unexpected end/i.test(message)) return 'it ends before its closing boundary';
  return message.replace(/\.$/, '') || 'it cannot be read';
}

/**
 * A multipart/form-data body → its fields (a file part over `maxFileBytes` is cut short and refused with 413
 * by the upload rules). Any body busboy cannot read, cut short anywhere, is a 400; fields are kept in a
 * null-prototype object, so a part named `__proto__` or `constructor` is just an unknown field.
 */
export function multipartBody(maxFileBytes: number): MiddlewareObj<APIGatewayProxyEventV2> {
  return {
    before: async (request) => {
      const { headers, body, isBase64Encoded } = request.event;
      const contentType = headers?.['content-type'] ?? '';
      if (!/^multipart\/form-data\s*(;|$)/i.test(contentType)) {
        throw new ApiError(415, 'Unsupported Media Type', 'Send multipart/form-data for uploads and application/json for updates.');
      }
      if (body === undefined) throw malformed('the body is empty');
      const bytes = Buffer.from(body, isBase64Encoded ? 'base64' : 'utf8');
      (request.event as { body: unknown }).body = await parseMultipart(contentType, bytes, maxFileBytes);
    },
  };
}

function parseMultipart(contentType: string, bytes: Buffer, maxFileBytes: number): Promise<MultipartFields> {
  let parser: ReturnType<typeof Busboy>;
  try {
    parser = Busboy({
      headers: { 'content-type': contentType },
      limits: { fileSize: maxFileBytes + 1, fieldSize: base64FieldLimit(maxFileBytes) },
    });
  } catch (error) {
    // busboy refuses a missing or unusable boundary in its constructor.
    return Promise.reject(malformed(reasonOf(error)));
  }
  const fields: Record<string, MultipartValue> = Object.create(null);
  const add = (fieldName: string, value: string | FilePart) => {
    const list = LIST_FIELD.exec(fieldName);
    const name = list?.[1] ?? fieldName;
    const current = fields[name];
    if (current === undefined) fields[name] = list ? [value] : value;
    else fields[name] = [...(Array.isArray(current) ? current : [current]), value];
  };
  return new Promise((resolve, reject) => {
    const files: Promise<void>[] = [];
    const fail = (error: unknown) => reject(malformed(reasonOf(error)));
    parser.on('file', (fieldName: string, stream: BusboyFileStream, filename: string, _encoding: string, mimetype: string) => {
      files.push(
        new Promise((done) => {
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          // A part cut short errors on its own stream: unhandled, it would end the process.
          stream.on('error', (error: unknown) => {
            fail(error);
            done();
          });
          stream.on('end', () => {
            add(fieldName, { filename, mimetype, content: Buffer.concat(chunks), truncated: stream.truncated });
            done();
          });
        }),
      );
    });
    parser.on('field', (fieldName: string, value: string) => add(fieldName, value));
    parser.on('error', fail);
    parser.on('finish', () => {
      Promise.all(files).then(() => resolve(fields), fail);
    });
    try {
      parser.end(bytes);
    } catch (error) {
      fail(error);
    }
  });
}
