/**
 * The error name under which taggers throw provider faults (throttling, 5xx, timeouts): the tagging
 * workflow's Retry matches it, and a Catch after the last retry reports it as PROVIDER_UNAVAILABLE.
 */
export const TRANSIENT_PROVIDER_ERROR = 'ProviderTransientError';

/** A fault worth retrying (throttling, 5xx, timeouts, connection errors); its name is what the Retry matches. */
export class ProviderTransientError extends Error {
  constructor(message: string) {
    super(message);
    this.name = TRANSIENT_PROVIDER_ERROR;
  }
}

/** A failure that retrying cannot fix (no credentials, image refused): the extension ends `failed`. */
export class ExtensionFailure extends Error {
  constructor(
    message: string,
    readonly reason: string,
  ) {
    super(message);
    this.name = 'ExtensionFailure';
  }
}
