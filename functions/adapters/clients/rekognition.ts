import { RekognitionClient, type RekognitionClientConfig } from '@aws-sdk/client-rekognition';

type RetryStrategy = Extract<NonNullable<RekognitionClientConfig['retryStrategy']>, { acquireInitialRetryToken: unknown }>;
type RetryToken = Awaited<ReturnType<RetryStrategy['acquireInitialRetryToken']>>;

const MAX_ATTEMPTS = 2;
const RETRY_BASE_DELAY_MS = 100;

/**
 * The SDK retries a 5xx or a dropped connection once, inside the invocation: it is cheap and usually
 * enough. Throttling it never retries: the tagger throws at once and the state machine's Retry waits
 * out the quota with backoff, with no Lambda running (an SDK retry a few hundred ms later would only
 * add a throttled call and bill the wait).
 */
const retryFaultsNotThrottling: RetryStrategy = {
  acquireInitialRetryToken: async () => retryToken(0, 0),
  async refreshRetryTokenForRetry(previous, { errorType }) {
    const retries = previous.getRetryCount() + 1;
    if (retries >= MAX_ATTEMPTS || (errorType !== 'TRANSIENT' && errorType !== 'SERVER_ERROR')) throw new Error(`No SDK retry (${errorType})`);
    return retryToken(retries, Math.floor(Math.random() * RETRY_BASE_DELAY_MS * 2 ** retries));
  },
  recordSuccess: () => {},
};

function retryToken(retries: number, delayMs: number): RetryToken {
  return { getRetryCount: () => retries, getRetryDelay: () => delayMs };
}

/** Endpoint: the SDK's own AWS_ENDPOINT_URL_REKOGNITION; credentials: the default chain. */
export function rekognitionClient(timeoutMs: number): RekognitionClient {
  return new RekognitionClient({
    maxAttempts: MAX_ATTEMPTS,
    retryStrategy: retryFaultsNotThrottling,
    requestHandler: { requestTimeout: timeoutMs, connectionTimeout: timeoutMs, throwOnRequestTimeout: true },
  });
}
