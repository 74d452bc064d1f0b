import { RekognitionClient } from '@aws-sdk/client-rekognition';

/** Endpoint: the SDK's own AWS_ENDPOINT_URL_REKOGNITION; credentials: the default chain. */
export function rekognitionClient(timeoutMs: number): RekognitionClient {
  return new RekognitionClient({
    maxAttempts: 2,
    requestHandler: { requestTimeout: timeoutMs, connectionTimeout: timeoutMs, throwOnRequestTimeout: true },
  });
}
