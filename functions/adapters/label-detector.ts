import type { Label } from '../core/tag-policy.js';

/** An image as a provider is sent it: bytes already prepared, or an S3 object it reads itself. */
export type ImageInput = { kind: 'bytes'; bytes: Uint8Array } | { kind: 's3'; bucket: string; key: string };

/** One label-detection provider behind the auto-tagging extensions. */
export interface LabelDetector {
  detect(image: ImageInput, minConfidence: number): Promise<Label[]>;
  /** What can be made ready before the first call without calling the provider (a Lambda's init). */
  warmUp?(): Promise<void>;
}

const NETWORK_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'UND_ERR_SOCKET']);

/** Connection-level failures look alike across SDKs: a code on the error or on its cause. */
export function isNetworkError(error: unknown): boolean {
  const codes = [error, (error as { cause?: unknown })?.cause].map((item) => (item as { code?: unknown } | undefined)?.code);
  return codes.some((code) => typeof code === 'string' && NETWORK_ERRORS.has(code));
}
