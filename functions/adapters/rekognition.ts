import { DetectLabelsCommand, type RekognitionClient } from '@aws-sdk/client-rekognition';
import type { Label } from '../core/tag-policy.js';
import { ExtensionFailure, ProviderThrottledError, ProviderTransientError } from '../core/provider-errors.js';
import { type ImageInput, isNetworkError, type LabelDetector } from './label-detector.js';

/** DetectLabels' own maximum: aitags filters by its tag policy, so it asks for every label the provider has. */
const MAX_LABELS = 1000;
const THROTTLING = new Set(['ThrottlingException', 'ProvisionedThroughputExceededException', 'LimitExceededException']);
const TRANSIENT = new Set(['InternalServerError', 'ServiceUnavailableException', 'TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);
/** Raised by the SDK when no answer came in time: the call may have reached Rekognition and been billed. */
const UNANSWERED = new Set(['TimeoutError', 'RequestTimeout']);
const CREDENTIALS = new Set(['CredentialsProviderError', 'UnrecognizedClientException', 'InvalidSignatureException', 'ExpiredTokenException']);

/** Amazon Rekognition DetectLabels, errors classified once: retryable faults vs final failures. */
export class RekognitionLabels implements LabelDetector {
  constructor(private readonly client: RekognitionClient) {}

  async detect(image: ImageInput, minConfidence: number): Promise<Label[]> {
    try {
      const result = await this.client.send(
        new DetectLabelsCommand({
          Image: image.kind === 'bytes' ? { Bytes: image.bytes } : { S3Object: { Bucket: image.bucket, Name: image.key } },
          MaxLabels: MAX_LABELS,
          // A little under the threshold: labels that round up to it are kept by the selection rules.
          MinConfidence: Math.max(0, minConfidence - 0.01),
        }),
      );
      return (result.Labels ?? []).map((label) => ({
        name: label.Name ?? '',
        confidence: label.Confidence ?? 0,
        aliases: (label.Aliases ?? []).flatMap((alias) => (alias.Name ? [alias.Name] : [])),
        categories: (label.Categories ?? []).flatMap((category) => (category.Name ? [category.Name] : [])),
      }));
    } catch (error) {
      throw classifyRekognitionError(error);
    }
  }
}

export function classifyRekognitionError(error: unknown): Error {
  if (error instanceof ExtensionFailure || error instanceof ProviderTransientError) return error;
  const name = (error as { name?: string }).name ?? 'Error';
  const message = (error as { message?: string }).message ?? String(error);
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 0;
  if (CREDENTIALS.has(name)) {
    return new ExtensionFailure(
      `No usable AWS credentials for Amazon Rekognition (${name}): set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE, or give the tagger's role rekognition:DetectLabels`,
      'MISSING_CREDENTIALS',
    );
  }
  if (name === 'AccessDeniedException') {
    // The provider's text names the account and the role: kept for the logs, not for callers.
    return new ExtensionFailure(
      "Amazon Rekognition refused access to DetectLabels: check the tagger role's permissions (details in the service logs)",
      'ACCESS_DENIED',
      message,
    );
  }
  if (THROTTLING.has(name)) return new ProviderThrottledError(`Amazon Rekognition: ${name}: ${message}`);
  if (TRANSIENT.has(name) || status >= 500 || isNetworkError(error)) {
    return new ProviderTransientError(`Amazon Rekognition: ${name}: ${message}`, !(UNANSWERED.has(name) || isNetworkError(error)));
  }
  if (name === 'InvalidImageFormatException' || name === 'ImageTooLargeException') {
    return new ExtensionFailure(`Amazon Rekognition could not read the image: ${message}`, 'UNSUPPORTED_IMAGE');
  }
  return new ExtensionFailure(`Amazon Rekognition failed: ${name}: ${message}`, 'PROVIDER_ERROR');
}
