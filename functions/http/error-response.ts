import { ApiError } from '../core/errors.js';
import { logger } from '../runtime/logger.js';
import { errorBody, type HttpResponse } from './responses.js';

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
  if (error instanceof ApiError) return errorBody(error.status, error.message, error.help, {}, error.details);
  if (isMiddyHttpError(error) && error.statusCode < 500) {
    if (error.cause?.package === '@middy/http-json-body-parser' && error.message.startsWith('Invalid or malformed')) {
      return errorBody(400, 'The body is not valid JSON', 'Send a JSON object with Content-Type: application/json.');
    }
    return errorBody(error.statusCode, error.message, HELP_BY_STATUS[error.statusCode] ?? 'Check the request.');
  }
  logger.error('Unhandled error', { error: error as Error });
  return errorBody(500, 'Internal server error', 'Retry later; if it persists, look up the request id in the logs.');
}
