import { describe, expect, it } from 'vitest';
import type { Extension } from '../../../functions/core/extensions.js';
import {
  extensionFailureTaskSchema,
  extensionTaskSchema,
  failureFromStepError,
  runProgress,
  taggingRunInputSchema,
} from '../../../functions/core/tagging-run.js';
import { fileRecord } from '../../support/sample-files.js';

const aws: Extension = { name: 'aws-auto-tagging', minConfidence: 80, maxTags: 5 };
const google: Extension = { name: 'google-auto-tagging', minConfidence: 70, maxTags: 10 };

describe('runProgress', () => {
  it('reports an extension the record has no status for as pending, and the run as unsettled', () => {
    // Prepare
    const record = fileRecord({ extensionStatus: { 'aws-auto-tagging': 'success' } });

    // Act
    const progress = runProgress(record, [aws, google]);

    // Assess
    expect(progress).toEqual({
      extensionStatus: { 'aws-auto-tagging': 'success', 'google-auto-tagging': 'pending' },
      settled: false,
    });
  });

  it('is unsettled while any extension of the run is pending', () => {
    // Prepare
    const record = fileRecord({ extensionStatus: { 'aws-auto-tagging': 'failed', 'google-auto-tagging': 'pending' } });

    // Act
    const progress = runProgress(record, [aws, google]);

    // Assess
    expect(progress).toEqual({
      extensionStatus: { 'aws-auto-tagging': 'failed', 'google-auto-tagging': 'pending' },
      settled: false,
    });
  });

  it('is settled once every extension of the run is success or failed', () => {
    // Prepare
    const record = fileRecord({ extensionStatus: { 'aws-auto-tagging': 'failed', 'google-auto-tagging': 'success' } });

    // Act
    const progress = runProgress(record, [aws, google]);

    // Assess
    expect(progress).toEqual({
      extensionStatus: { 'aws-auto-tagging': 'failed', 'google-auto-tagging': 'success' },
      settled: true,
    });
  });

  it("reports only the run's own extensions, ignoring another extension's pending status on the record", () => {
    // Prepare
    const record = fileRecord({ extensionStatus: { 'aws-auto-tagging': 'success', 'google-auto-tagging': 'pending' } });

    // Act
    const progress = runProgress(record, [aws]);

    // Assess
    expect(progress).toEqual({ extensionStatus: { 'aws-auto-tagging': 'success' }, settled: true });
  });

  it('reports a pending run of one extension on a record with no statuses at all', () => {
    // Prepare
    const record = fileRecord({ extensionStatus: {} });

    // Act
    const progress = runProgress(record, [google]);

    // Assess
    expect(progress).toEqual({ extensionStatus: { 'google-auto-tagging': 'pending' }, settled: false });
  });

  it('treats a run without extensions as settled with nothing to report', () => {
    expect(runProgress(fileRecord(), [])).toEqual({ extensionStatus: {}, settled: true });
  });
});

describe('failureFromStepError', () => {
  it('reads the Lambda error message out of a ProviderTransientError Cause and reports the provider unavailable', () => {
    // Prepare
    const error = {
      Error: 'ProviderTransientError',
      Cause: JSON.stringify({
        errorType: 'ProviderTransientError',
        errorMessage: 'Amazon Rekognition: ThrottlingException: Rate exceeded',
        trace: ['ProviderTransientError: Amazon Rekognition: ThrottlingException: Rate exceeded', '    at classifyRekognitionError'],
      }),
    };

    // Act
    const failure = failureFromStepError(error);

    // Assess
    expect(failure.reason).toBe('PROVIDER_UNAVAILABLE');
    expect(failure.message).toContain('Amazon Rekognition: ThrottlingException: Rate exceeded');
    expect(failure.message).not.toContain('errorType');
    expect(failure.message).not.toContain('trace');
  });

  it('reads the exact Cause Step Functions passes for a Lambda error', () => {
    // Prepare
    const error = {
      Error: 'ProviderTransientError',
      Cause: '{"errorType":"ProviderTransientError","errorMessage":"Amazon Rekognition: ThrottlingException: Rate exceeded"}',
    };

    // Act
    const failure = failureFromStepError(error);

    // Assess
    expect(failure).toEqual({
      message: 'The provider kept failing after retries: Amazon Rekognition: ThrottlingException: Rate exceeded',
      reason: 'PROVIDER_UNAVAILABLE',
    });
  });

  it('reports a provider still throttling after its retries as unavailable, with its message', () => {
    // Prepare
    const error = {
      Error: 'ProviderThrottledError',
      Cause: '{"errorType":"ProviderThrottledError","errorMessage":"Google Cloud Vision: 429 RESOURCE_EXHAUSTED"}',
    };

    // Act
    const failure = failureFromStepError(error);

    // Assess
    expect(failure).toEqual({
      message: 'The provider kept failing after retries: Google Cloud Vision: 429 RESOURCE_EXHAUSTED',
      reason: 'PROVIDER_UNAVAILABLE',
    });
  });

  it('reports States.Timeout as TIMEOUT', () => {
    // Prepare
    const error = { Error: 'States.Timeout', Cause: 'Task timed out after 55.00 seconds' };

    // Act
    const failure = failureFromStepError(error);

    // Assess
    expect(failure.reason).toBe('TIMEOUT');
    expect(failure.message).toMatch(/timed out/i);
  });

  it('reports States.Timeout without a Cause as TIMEOUT', () => {
    expect(failureFromStepError({ Error: 'States.Timeout' }).reason).toBe('TIMEOUT');
  });

  it('reports any other Lambda error as INTERNAL_ERROR without its internal detail', () => {
    // Prepare
    const error = {
      Error: 'TypeError',
      Cause: JSON.stringify({ errorType: 'TypeError', errorMessage: "Cannot read properties of undefined (reading 'Labels')", trace: [] }),
    };

    // Act
    const failure = failureFromStepError(error);

    // Assess
    expect(failure).toEqual({ message: 'The tagger failed unexpectedly; see the service logs', reason: 'INTERNAL_ERROR' });
    expect(failure.message).not.toContain('Labels');
  });

  it('keeps a plain-text Cause of an unexpected error out of the message', () => {
    // Prepare
    const error = { Error: 'Lambda.ServiceException', Cause: 'Lambda was unable to start the function: out of capacity' };

    // Act
    const failure = failureFromStepError(error);

    // Assess
    expect(failure).toEqual({ message: 'The tagger failed unexpectedly; see the service logs', reason: 'INTERNAL_ERROR' });
  });

  it('reports a transient error whose Cause is plain text with that text', () => {
    // Prepare
    const error = { Error: 'ProviderTransientError', Cause: 'Google Cloud Vision: no answer within 20000 ms' };

    // Act
    const failure = failureFromStepError(error);

    // Assess
    expect(failure.reason).toBe('PROVIDER_UNAVAILABLE');
    expect(failure.message).toContain('Google Cloud Vision: no answer within 20000 ms');
  });

  it.each([
    { case: 'no Cause', Cause: undefined },
    { case: 'an empty Cause', Cause: '' },
    { case: 'a JSON null Cause', Cause: 'null' },
    { case: 'a JSON number Cause', Cause: '42' },
    { case: 'a JSON Cause without errorMessage', Cause: '{"errorType":"Sandbox.Timedout"}' },
  ])('reports an unknown error with $case as INTERNAL_ERROR', ({ Cause }) => {
    // Act
    const failure = failureFromStepError({ Error: 'Sandbox.Timedout', Cause });

    // Assess
    expect(failure).toEqual({ message: 'The tagger failed unexpectedly; see the service logs', reason: 'INTERNAL_ERROR' });
  });
});

describe('tagging run schemas', () => {
  const input = { fileId: '65f1c0ffee0000000000abcd', runId: 'run-1', extensions: [aws, google], syncDeadline: 1_717_243_200_000, policyVersion: '' };
  const task = { fileId: '65f1c0ffee0000000000abcd', runId: 'run-1', extension: aws, policyVersion: 'b1946ac9-2f5e-4c7d-9a3b-6f0e2d1c4b5a' };

  it('reads a run input, with or without a webhookUrl', () => {
    expect(taggingRunInputSchema.parse(input)).toEqual(input);
    const withWebhook = { ...input, webhookUrl: 'https://hooks.example.com/aitags' };
    expect(taggingRunInputSchema.parse(withWebhook)).toEqual(withWebhook);
  });

  it('reads a run input that resumes a webhook (the reconciler’s): the deliver task it carries', () => {
    const webhook = { url: 'https://hooks.example.com/aitags', eventId: 'msg_1', attempt: 3, delivered: false, gaveUp: false, waitSeconds: 0 };
    const resume = { fileId: input.fileId, runId: 'run-1', name: 'aws-auto-tagging', status: 'success', webhook };
    const resuming = { ...input, extensions: [{ ...aws, resume }] };
    expect(taggingRunInputSchema.parse(resuming)).toEqual(resuming);
    expect(
      taggingRunInputSchema.safeParse({ ...input, extensions: [{ ...aws, resume: { ...resume, webhook: { ...webhook, attempt: 0 } } }] }).success,
    ).toBe(false);
  });

  it('reads a tagger task and a failure task with or without a Cause', () => {
    expect(extensionTaskSchema.parse(task)).toEqual(task);
    const failed = { ...task, error: { Error: 'States.Timeout', Cause: 'Task timed out' } };
    expect(extensionFailureTaskSchema.parse(failed)).toEqual(failed);
    const withoutCause = { ...task, error: { Error: 'States.Timeout' } };
    expect(extensionFailureTaskSchema.parse(withoutCause)).toEqual(withoutCause);
  });

  it.each([
    { case: 'no fileId', value: { runId: 'run-1', extension: aws, policyVersion: '' } },
    { case: 'no policyVersion', value: { fileId: task.fileId, runId: 'run-1', extension: aws } },
    { case: 'no runId', value: { fileId: task.fileId, extension: aws } },
    { case: 'no extension', value: { fileId: task.fileId, runId: 'run-1' } },
    { case: 'a numeric fileId', value: { ...task, fileId: 42 } },
    { case: 'an unknown extension name', value: { ...task, extension: { ...aws, name: 'azure-auto-tagging' } } },
    { case: 'an extension with maxTags 31', value: { ...task, extension: { ...aws, maxTags: 31 } } },
    { case: 'an extension with minConfidence 101', value: { ...task, extension: { ...aws, minConfidence: 101 } } },
    { case: 'an extension with an extra field', value: { ...task, extension: { ...aws, language: 'en' } } },
    { case: 'an extension without maxTags', value: { ...task, extension: { name: 'aws-auto-tagging', minConfidence: 80 } } },
    { case: 'null', value: null },
  ])('rejects a tagger task with $case', ({ value }) => {
    expect(extensionTaskSchema.safeParse(value).success).toBe(false);
  });

  it.each([
    { case: 'no error', value: task },
    { case: 'an error without Error', value: { ...task, error: { Cause: 'boom' } } },
    { case: 'a numeric Cause', value: { ...task, error: { Error: 'States.Timeout', Cause: 500 } } },
    { case: 'a string error', value: { ...task, error: 'States.Timeout' } },
  ])('rejects a failure task with $case', ({ value }) => {
    expect(extensionFailureTaskSchema.safeParse(value).success).toBe(false);
  });

  it.each([
    { case: 'no syncDeadline', value: { fileId: input.fileId, runId: 'run-1', extensions: [aws] } },
    { case: 'a string syncDeadline', value: { ...input, syncDeadline: '1717243200000' } },
    { case: 'extensions that are not an array', value: { ...input, extensions: aws } },
    { case: 'an invalid extension', value: { ...input, extensions: [{ ...aws, maxTags: -1 }] } },
    { case: 'a numeric webhookUrl', value: { ...input, webhookUrl: 1 } },
    { case: 'no policyVersion', value: { fileId: input.fileId, runId: 'run-1', extensions: [aws], syncDeadline: 0 } },
  ])('rejects a run input with $case', ({ value }) => {
    expect(taggingRunInputSchema.safeParse(value).success).toBe(false);
  });
});
