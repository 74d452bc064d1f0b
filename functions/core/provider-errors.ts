/**
 * The error names under which taggers throw provider faults: the tagging workflow's Retry matches them
 * (throttling on a longer schedule than the others: only waiting ends it), and a Catch after the last
 * retry reports either as PROVIDER_UNAVAILABLE.
 */
export const TRANSIENT_PROVIDER_ERROR = 'ProviderTransientError';
export const THROTTLED_PROVIDER_ERROR = 'ProviderThrottledError';

/**
 * A fault worth retrying (5xx, timeouts, connection errors); its name is what the Retry matches.
 * `answered`: the provider answered with the error (it bills no such call); false when no answer came (a
 * timeout, a lost connection), so the call may have been billed.
 */
export class ProviderTransientError extends Error {
  constructor(
    message: string,
    readonly answered = true,
  ) {
    super(message);
    this.name = TRANSIENT_PROVIDER_ERROR;
  }
}

/** The provider refused the call over its quota (it throttled): retried until the quota lets it through. */
export class ProviderThrottledError extends ProviderTransientError {
  constructor(message: string) {
    super(message);
    this.name = THROTTLED_PROVIDER_ERROR;
  }
}

/**
 * A failure that retrying cannot fix (no credentials, image refused): the extension ends `failed`. The
 * message goes to callers and webhook receivers; `detail` (account ids, role ARNs…) to the logs only.
 */
export class ExtensionFailure extends Error {
  constructor(
    message: string,
    readonly reason: string,
    readonly detail?: string,
  ) {
    super(message);
    this.name = 'ExtensionFailure';
  }
}
