import type { Label } from '../core/select-tags.js';

/** An image as a provider is sent it: bytes already prepared, or an S3 object it reads itself. */
export type ImageInput = { kind: 'bytes'; bytes: Uint8Array } | { kind: 's3'; bucket: string; key: string };

/** One label-detection provider behind the auto-tagging extensions. */
export interface LabelDetector {
  detect(image: ImageInput, minConfidence: number): Promise<Label[]>;
}

/**
 * A fault worth retrying (throttling, 5xx, timeouts, connection errors). Its `name` is what the state
 * machine's Retry matches, so it must not change.
 */
export class ProviderTransientError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProviderTransientError';
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

const NETWORK_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'UND_ERR_SOCKET']);

/** Connection-level failures look alike across SDKs: a code on the error or on its cause. */
export function isNetworkError(error: unknown): boolean {
  const codes = [error, (error as { cause?: unknown })?.cause].map((item) => (item as { code?: unknown } | undefined)?.code);
  return codes.some((code) => typeof code === 'string' && NETWORK_ERRORS.has(code));
}
