import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../../functions/core/errors.js';
import { logger } from '../../../functions/runtime/logger.js';
import { toErrorResponse } from '../../../functions/http/error-response.js';
import type { HttpResponse } from '../../../functions/http/responses.js';

const body = (response: HttpResponse): unknown => JSON.parse(String(response.body));
const middyError = (statusCode: number, message: string, cause: { package: string }) => Object.assign(new Error(message), { statusCode, cause });

describe('toErrorResponse', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('answers an ApiError with its own status, message and help as JSON', () => {
    // Prepare
    const error = new ApiError(404, 'No file with fileId "abc"', 'Check the fileId.');

    // Act
    const response = toErrorResponse(error);

    // Assess
    expect(response.statusCode).toBe(404);
    expect(response.headers).toEqual({ 'content-type': 'application/json; charset=utf-8' });
    expect(body(response)).toStrictEqual({ message: 'No file with fileId "abc"', help: 'Check the fileId.' });
  });

  it.each([400, 401, 413, 429])('keeps status %i of an ApiError', (status) => {
    expect(toErrorResponse(new ApiError(status, 'message', 'help')).statusCode).toBe(status);
  });

  it("answers middy's 415 for malformed JSON as a 400", () => {
    // Prepare
    const error = middyError(415, 'Invalid or malformed JSON was provided', { package: '@middy/http-json-body-parser' });

    // Act
    const response = toErrorResponse(error);

    // Assess
    expect(response.statusCode).toBe(400);
    expect(body(response)).toStrictEqual({
      message: 'The body is not valid JSON',
      help: 'Send a JSON object with Content-Type: application/json.',
    });
  });

  it.each(['@middy/http-json-body-parser'])('keeps a 415 Unsupported Media Type from %s as a 415 with help', (parser) => {
    // Act
    const response = toErrorResponse(middyError(415, 'Unsupported Media Type', { package: parser }));

    // Assess
    expect(response.statusCode).toBe(415);
    expect(body(response)).toStrictEqual({
      message: 'Unsupported Media Type',
      help: 'Send multipart/form-data for uploads and application/json for updates.',
    });
  });

  it('answers any other error with a bare 500, without its message, stack or details, and logs it', () => {
    // Prepare
    const logged = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const error = Object.assign(new Error('connect ECONNREFUSED 10.0.0.7:8000 secret=hunter2'), { details: { table: 'files' } });

    // Act
    const response = toErrorResponse(error);

    // Assess
    expect(response.statusCode).toBe(500);
    expect(body(response)).toStrictEqual({
      message: 'Internal server error',
      help: 'Retry later; if it persists, look up the request id in the logs.',
    });
    expect(String(response.body)).not.toMatch(/ECONNREFUSED|hunter2|stack|details/);
    expect(logged).toHaveBeenCalledTimes(1);
  });

  it.each([
    { case: 'a middy error of status 502', error: middyError(502, 'Bad gateway from upstream', { package: '@middy/core' }) },
    { case: 'a thrown string', error: 'boom' },
    { case: 'undefined', error: undefined },
  ])('answers $case with a bare 500', ({ error }) => {
    // Prepare
    vi.spyOn(logger, 'error').mockImplementation(() => undefined);

    // Act
    const response = toErrorResponse(error);

    // Assess
    expect(response.statusCode).toBe(500);
    expect(body(response)).toStrictEqual({
      message: 'Internal server error',
      help: 'Retry later; if it persists, look up the request id in the logs.',
    });
  });
});
