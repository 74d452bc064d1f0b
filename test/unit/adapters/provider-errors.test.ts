import {
  AccessDeniedException,
  ImageTooLargeException,
  InternalServerError,
  InvalidImageFormatException,
  InvalidParameterException,
  ProvisionedThroughputExceededException,
  RekognitionServiceException,
  ThrottlingException,
} from '@aws-sdk/client-rekognition';
import { describe, expect, it } from 'vitest';
import { ExtensionFailure, ProviderTransientError } from '../../../functions/core/provider-errors.js';
import { classifyRekognitionError } from '../../../functions/adapters/rekognition.js';
import { classifyVisionError } from '../../../functions/adapters/vision.js';
import { parseVisionSecret } from '../../../functions/adapters/vision-credentials.js';

/** What the classifier returned, in a form one `toEqual` can check. */
function outcome(error: Error): { kind: 'transient' } | { kind: 'failure'; reason: string } | { kind: 'other'; name: string } {
  if (error instanceof ProviderTransientError) return { kind: 'transient' };
  if (error instanceof ExtensionFailure) return { kind: 'failure', reason: error.reason };
  return { kind: 'other', name: error.name };
}
const transient = { kind: 'transient' };
const failure = (reason: string) => ({ kind: 'failure', reason });

const metadata = (httpStatusCode: number) => ({ httpStatusCode, requestId: 'b7e6a1c2-0000-4000-8000-000000000000', attempts: 1, totalRetryDelay: 0 });

/** An error as the AWS SDK raises it for an exception Rekognition does not model (e.g. from the auth layer). */
const unmodelled = (name: string, message: string, httpStatusCode: number) =>
  new RekognitionServiceException({ name, $fault: httpStatusCode >= 500 ? 'server' : 'client', message, $metadata: metadata(httpStatusCode) });

/** As smithy's node-http-handler and credential providers throw them: plain errors with a name. */
const namedError = (name: string, message: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(message), { name, ...extra });

describe('classifyRekognitionError', () => {
  it.each([
    { case: 'ThrottlingException', error: new ThrottlingException({ message: 'Rate exceeded', $metadata: metadata(400) }) },
    {
      case: 'ProvisionedThroughputExceededException',
      error: new ProvisionedThroughputExceededException({ message: 'Provisioned rate exceeded', $metadata: metadata(400) }),
    },
    { case: 'LimitExceededException', error: unmodelled('LimitExceededException', 'An Amazon Rekognition service limit was exceeded.', 400) },
  ])('treats $case as throttling, a transient fault retried on the throttling schedule', ({ error }) => {
    // Act
    const classified = classifyRekognitionError(error);

    // Assess
    expect(outcome(classified)).toEqual(transient);
    expect(classified.name).toBe('ProviderThrottledError');
  });

  it.each([
    { case: 'InternalServerError', error: new InternalServerError({ message: 'Internal server error', $metadata: metadata(500) }) },
    { case: 'TimeoutError from the request handler', error: namedError('TimeoutError', 'Request timed out after 20000 ms') },
    { case: 'an unknown error with HTTP 503', error: unmodelled('ServiceUnavailable', 'Service Unavailable', 503) },
    { case: 'an unknown error with HTTP 500', error: unmodelled('UnknownError', 'Internal Failure', 500) },
    {
      case: 'ECONNREFUSED on the error',
      error: namedError('Error', 'connect ECONNREFUSED 127.0.0.1:4566', { code: 'ECONNREFUSED', errno: -111, syscall: 'connect' }),
    },
    {
      case: 'ECONNREFUSED on its cause',
      error: new Error('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4566'), { code: 'ECONNREFUSED' }) }),
    },
    { case: 'ECONNRESET on the error', error: namedError('Error', 'socket hang up', { code: 'ECONNRESET' }) },
  ])('treats $case as transient', ({ error }) => {
    // Act
    const classified = classifyRekognitionError(error);

    // Assess
    expect(outcome(classified)).toEqual(transient);
    expect(classified.name).toBe('ProviderTransientError');
  });

  it("keeps the provider's error name and message in a transient error's message", () => {
    // Prepare
    const error = new ThrottlingException({ message: 'Rate exceeded', $metadata: metadata(400) });

    // Act
    const classified = classifyRekognitionError(error);

    // Assess
    expect(classified.message).toBe('Amazon Rekognition: ThrottlingException: Rate exceeded');
  });

  it.each([
    {
      case: 'CredentialsProviderError',
      error: namedError('CredentialsProviderError', 'Could not load credentials from any providers', { tryNextLink: false }),
    },
    {
      case: 'UnrecognizedClientException',
      error: unmodelled('UnrecognizedClientException', 'The security token included in the request is invalid.', 400),
    },
    { case: 'InvalidSignatureException', error: unmodelled('InvalidSignatureException', 'The request signature we calculated does not match', 403) },
    { case: 'ExpiredTokenException', error: unmodelled('ExpiredTokenException', 'The security token included in the request is expired', 400) },
  ])('reports $case as MISSING_CREDENTIALS, naming AWS credentials', ({ error }) => {
    // Act
    const classified = classifyRekognitionError(error);

    // Assess
    expect(outcome(classified)).toEqual(failure('MISSING_CREDENTIALS'));
    expect(classified.message).toContain('AWS credentials');
  });

  it('reports AccessDeniedException as ACCESS_DENIED with a generic message, the account and role for the logs only', () => {
    // Prepare
    const error = new AccessDeniedException({
      message: 'User: arn:aws:sts::123456789012:assumed-role/tagger is not authorized to perform: rekognition:DetectLabels',
      $metadata: metadata(400),
    });

    // Act
    const classified = classifyRekognitionError(error);

    // Assess
    expect(outcome(classified)).toEqual(failure('ACCESS_DENIED'));
    expect(classified.message).not.toMatch(/123456789012|arn:aws/);
    expect(classified.message).toContain("check the tagger role's permissions");
    expect((classified as ExtensionFailure).detail).toContain('arn:aws:sts::123456789012:assumed-role/tagger');
  });

  it.each([
    {
      case: 'InvalidImageFormatException',
      error: new InvalidImageFormatException({ message: 'Request has unsupported image format', $metadata: metadata(400) }),
    },
    { case: 'ImageTooLargeException', error: new ImageTooLargeException({ message: 'Image size is too large', $metadata: metadata(400) }) },
  ])('reports $case as UNSUPPORTED_IMAGE', ({ error }) => {
    expect(outcome(classifyRekognitionError(error))).toEqual(failure('UNSUPPORTED_IMAGE'));
  });

  it.each([
    {
      case: 'InvalidParameterException',
      error: new InvalidParameterException({ message: 'Request has invalid parameters', $metadata: metadata(400) }),
    },
    { case: 'an unknown 4xx error', error: unmodelled('ValidationException', '1 validation error detected', 400) },
    { case: 'a plain Error', error: new Error('something odd') },
    { case: 'a thrown string', error: 'something odd' },
  ])('reports $case as PROVIDER_ERROR', ({ error }) => {
    expect(outcome(classifyRekognitionError(error))).toEqual(failure('PROVIDER_ERROR'));
  });

  it("names the error and keeps its message in a PROVIDER_ERROR's message", () => {
    // Prepare
    const error = new InvalidParameterException({ message: 'Request has invalid parameters', $metadata: metadata(400) });

    // Act
    const classified = classifyRekognitionError(error);

    // Assess
    expect(classified.message).toContain('InvalidParameterException');
    expect(classified.message).toContain('Request has invalid parameters');
  });
});

/** As gaxios raises an HTTP error through the Vision REST transport: the HTTP status as `code`, the body as `message`. */
const restError = (code: number, status: string, message: string) =>
  Object.assign(new Error(JSON.stringify({ error: { code, message, status } }, null, 2)), { name: 'GaxiosError', code, status: code });

/** An error inside a 200 batch response, as the adapter rethrows it: a gRPC code. */
const perImageError = (code: number, message: string) => Object.assign(new Error(message), { code });

describe('classifyVisionError', () => {
  it.each([
    { case: 'HTTP 429 RESOURCE_EXHAUSTED', error: restError(429, 'RESOURCE_EXHAUSTED', "Quota exceeded for quota metric 'Requests'") },
    { case: 'a bare HTTP 429', error: Object.assign(new Error('Request failed with status code 429'), { code: 429 }) },
    { case: 'gRPC code 8 RESOURCE_EXHAUSTED', error: perImageError(8, 'Quota exceeded') },
  ])('treats $case as throttling, a transient fault retried on the throttling schedule', ({ error }) => {
    // Act
    const classified = classifyVisionError(error);

    // Assess
    expect(outcome(classified)).toEqual(transient);
    expect(classified.name).toBe('ProviderThrottledError');
  });

  it.each([
    { case: 'HTTP 503 UNAVAILABLE', error: restError(503, 'UNAVAILABLE', 'The service is currently unavailable.') },
    { case: 'HTTP 503 with a non-JSON body', error: Object.assign(new Error('<html>Service Unavailable</html>'), { code: 503 }) },
    { case: 'a bare HTTP 503', error: Object.assign(new Error('Request failed with status code 503'), { code: 503 }) },
    { case: 'HTTP 500 INTERNAL', error: restError(500, 'INTERNAL', 'Internal error encountered.') },
    { case: 'HTTP 504', error: Object.assign(new Error('Gateway Timeout'), { code: 504 }) },
    { case: 'gRPC code 14 UNAVAILABLE', error: perImageError(14, 'Connection dropped') },
    { case: 'gRPC code 4 DEADLINE_EXCEEDED', error: perImageError(4, 'Deadline exceeded') },
    {
      case: 'an AbortError cause',
      error: Object.assign(new Error('The operation was aborted.'), {
        name: 'GaxiosError',
        cause: Object.assign(new Error('This operation was aborted'), { name: 'AbortError' }),
      }),
    },
    {
      case: 'a TimeoutError cause',
      error: Object.assign(new Error('The operation timed out'), {
        name: 'GaxiosError',
        code: 'TimeoutError',
        cause: Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' }),
      }),
    },
    {
      case: 'ECONNREFUSED on the error',
      error: Object.assign(new Error('request to http://127.0.0.1:9000/v1/images:annotate failed'), { name: 'GaxiosError', code: 'ECONNREFUSED' }),
    },
    {
      case: 'ECONNREFUSED on its cause',
      error: new Error('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9000'), { code: 'ECONNREFUSED' }) }),
    },
  ])('treats $case as transient', ({ error }) => {
    // Act
    const classified = classifyVisionError(error);

    // Assess
    expect(outcome(classified)).toEqual(transient);
    expect(classified.name).toBe('ProviderTransientError');
  });

  it.each([
    {
      case: 'HTTP 400 "API key not valid"',
      error: restError(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.'),
    },
    { case: 'HTTP 401', error: Object.assign(new Error('Request failed with status code 401'), { code: 401 }) },
    { case: 'HTTP 401 UNAUTHENTICATED', error: restError(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.') },
    { case: 'HTTP 403 PERMISSION_DENIED', error: restError(403, 'PERMISSION_DENIED', 'The caller does not have permission') },
    { case: 'gRPC code 16 UNAUTHENTICATED', error: perImageError(16, 'Unauthenticated') },
  ])('reports $case as MISSING_CREDENTIALS', ({ error }) => {
    // Act
    const classified = classifyVisionError(error);

    // Assess
    expect(outcome(classified)).toEqual(failure('MISSING_CREDENTIALS'));
    expect(classified.message).toContain('Google Cloud Vision');
  });

  it.each([
    { case: 'HTTP 400 INVALID_ARGUMENT', error: restError(400, 'INVALID_ARGUMENT', 'Request contains an invalid argument.') },
    { case: 'a bare HTTP 400', error: Object.assign(new Error('Request failed with status code 400'), { code: 400 }) },
    { case: 'per-image gRPC code 3 (bad image data)', error: perImageError(3, 'Bad image data.') },
  ])('reports $case as UNSUPPORTED_IMAGE', ({ error }) => {
    expect(outcome(classifyVisionError(error))).toEqual(failure('UNSUPPORTED_IMAGE'));
  });

  it('keeps the per-image error message in an UNSUPPORTED_IMAGE message', () => {
    expect(classifyVisionError(perImageError(3, 'Bad image data.')).message).toContain('Bad image data.');
  });

  it.each([
    { case: 'HTTP 404', error: Object.assign(new Error('Not Found'), { code: 404 }) },
    { case: 'per-image gRPC code 5 NOT_FOUND', error: perImageError(5, 'Not found') },
    { case: 'a plain Error', error: new Error('something odd') },
    { case: 'a thrown string', error: 'something odd' },
  ])('reports $case as PROVIDER_ERROR', ({ error }) => {
    expect(outcome(classifyVisionError(error))).toEqual(failure('PROVIDER_ERROR'));
  });

  it('returns an error that is already classified as it is', () => {
    // Prepare
    const timeout = new ProviderTransientError('Google Cloud Vision: no answer within 20000 ms');
    const missing = new ExtensionFailure('No Google Cloud credentials for Vision', 'MISSING_CREDENTIALS');

    // Act / Assess
    expect(classifyVisionError(timeout)).toBe(timeout);
    expect(classifyVisionError(missing)).toBe(missing);
  });
});

describe('parseVisionSecret', () => {
  it.each([
    { case: 'an empty secret', text: '' },
    { case: 'whitespace only', text: ' \n\t' },
    { case: 'the deployed placeholder {}', text: '{}' },
    {
      case: 'a JSON key without private_key',
      text: JSON.stringify({ type: 'service_account', client_email: 'tagger@demo.iam.gserviceaccount.com' }),
    },
    {
      case: 'a JSON key without client_email',
      text: JSON.stringify({ type: 'service_account', private_key: '-----BEGIN PRIVATE KEY-----\nMII\n-----END PRIVATE KEY-----\n' }),
    },
  ])('reads $case as no credentials', ({ text }) => {
    expect(parseVisionSecret(text)).toEqual({ kind: 'none' });
  });

  it('reads other text as an API key, trimmed', () => {
    expect(parseVisionSecret('  AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW\n')).toEqual({
      kind: 'api-key',
      apiKey: 'AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW',
    });
  });

  it('reads a service-account JSON key with its project', () => {
    // Prepare
    const privateKey = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n';
    const text = JSON.stringify({
      type: 'service_account',
      project_id: 'aitags-demo',
      private_key_id: '0123456789abcdef',
      private_key: privateKey,
      client_email: 'tagger@aitags-demo.iam.gserviceaccount.com',
      client_id: '100000000000000000000',
      token_uri: 'https://oauth2.googleapis.com/token',
    });

    // Act
    const credentials = parseVisionSecret(text);

    // Assess
    expect(credentials).toEqual({
      kind: 'service-account',
      clientEmail: 'tagger@aitags-demo.iam.gserviceaccount.com',
      privateKey,
      projectId: 'aitags-demo',
    });
  });

  it('reads a service-account JSON key without a project', () => {
    // Prepare
    const text = JSON.stringify({ client_email: 'tagger@demo.iam.gserviceaccount.com', private_key: 'key' });

    // Act
    const credentials = parseVisionSecret(text);

    // Assess
    expect(credentials).toEqual({
      kind: 'service-account',
      clientEmail: 'tagger@demo.iam.gserviceaccount.com',
      privateKey: 'key',
      projectId: undefined,
    });
  });
});
