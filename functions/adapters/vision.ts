import { ImageAnnotatorClient } from '@google-cloud/vision';
import type { Label } from '../core/select-tags.js';
import { ExtensionFailure, type ImageInput, isNetworkError, type LabelDetector, ProviderTransientError } from './label-detector.js';

const MAX_LABELS = 100;
/** gRPC status codes (Google APIs use them over REST too) that a retry can fix. */
const TRANSIENT_CODES = new Set([4 /* DEADLINE_EXCEEDED */, 8 /* RESOURCE_EXHAUSTED */, 10 /* ABORTED */, 13 /* INTERNAL */, 14 /* UNAVAILABLE */]);
const CREDENTIAL_CODES = new Set([7 /* PERMISSION_DENIED */, 16 /* UNAUTHENTICATED */]);

/** How the tagger authenticates to Vision: an API key, a service-account key, or nothing configured. */
export type VisionCredentials =
  | { kind: 'api-key'; apiKey: string }
  | { kind: 'service-account'; clientEmail: string; privateKey: string; projectId?: string }
  | { kind: 'application-default' }
  | { kind: 'none' };

export interface VisionSettings {
  /** Base URL of the Vision API, e.g. a loopback fake `http://127.0.0.1:9000`; unset for Google's. */
  endpoint: string | undefined;
  credentials: VisionCredentials;
  timeoutMs: number;
}

/** Secret text → credentials: a service-account JSON key, or an API key. */
export function parseVisionSecret(text: string): VisionCredentials {
  const trimmed = text.trim();
  if (!trimmed) return { kind: 'none' };
  if (!trimmed.startsWith('{')) return { kind: 'api-key', apiKey: trimmed };
  const key = JSON.parse(trimmed) as { client_email?: string; private_key?: string; project_id?: string };
  if (!key.client_email || !key.private_key) return { kind: 'none' };
  return { kind: 'service-account', clientEmail: key.client_email, privateKey: key.private_key, projectId: key.project_id };
}

/**
 * Google Cloud Vision label detection over REST (`fallback`: no gRPC, a much smaller cold start), with
 * credentials handed over explicitly so the client never probes for a GCE metadata server.
 */
export class VisionLabels implements LabelDetector {
  private client: ImageAnnotatorClient | undefined;

  constructor(private readonly settings: () => Promise<VisionSettings>) {}

  private async connect(): Promise<{ client: ImageAnnotatorClient; timeoutMs: number }> {
    const settings = await this.settings();
    const { credentials } = settings;
    if (credentials.kind === 'none') {
      throw new ExtensionFailure(
        'No Google Cloud credentials for Vision: set AITAGS_VISION_API_KEY (or GOOGLE_APPLICATION_CREDENTIALS), or store an API key or service-account key in the Vision credentials secret',
        'MISSING_CREDENTIALS',
      );
    }
    if (!this.client) {
      const endpoint = settings.endpoint ? new URL(settings.endpoint) : undefined;
      this.client = new ImageAnnotatorClient({
        fallback: true,
        ...(endpoint && {
          apiEndpoint: endpoint.hostname,
          port: Number(endpoint.port || (endpoint.protocol === 'https:' ? 443 : 80)),
          protocol: endpoint.protocol.replace(':', ''),
        }),
        ...(credentials.kind === 'api-key' && { apiKey: credentials.apiKey }),
        ...(credentials.kind === 'service-account' && {
          credentials: { client_email: credentials.clientEmail, private_key: credentials.privateKey },
          projectId: credentials.projectId,
        }),
      });
    }
    return { client: this.client, timeoutMs: settings.timeoutMs };
  }

  async detect(image: ImageInput, _minConfidence: number): Promise<Label[]> {
    if (image.kind !== 'bytes') throw new Error('Vision is sent image bytes only');
    const { client, timeoutMs } = await this.connect();
    try {
      const [result] = await client.batchAnnotateImages(
        { requests: [{ image: { content: Buffer.from(image.bytes).toString('base64') }, features: [{ type: 'LABEL_DETECTION', maxResults: MAX_LABELS }] }] },
        { timeout: timeoutMs, maxRetries: 0 },
      );
      const response = result.responses?.[0];
      if (response?.error?.code) throw Object.assign(new Error(response.error.message ?? 'Vision error'), { code: response.error.code });
      return (response?.labelAnnotations ?? []).map((label) => ({ name: label.description ?? '', confidence: (label.score ?? 0) * 100 }));
    } catch (error) {
      throw classifyVisionError(error);
    }
  }
}

export function classifyVisionError(error: unknown): Error {
  if (error instanceof ExtensionFailure || error instanceof ProviderTransientError) return error;
  const code = Number((error as { code?: unknown }).code);
  const message = (error as { message?: string }).message ?? String(error);
  if (CREDENTIAL_CODES.has(code)) {
    return new ExtensionFailure(`Google Cloud Vision refused the credentials: ${message}`, 'MISSING_CREDENTIALS');
  }
  if (TRANSIENT_CODES.has(code) || isNetworkError(error) || /timeout|timed out|ECONNRESET|socket hang up/i.test(message)) {
    return new ProviderTransientError(`Google Cloud Vision: ${message}`);
  }
  if (code === 3 /* INVALID_ARGUMENT */) return new ExtensionFailure(`Google Cloud Vision could not read the image: ${message}`, 'UNSUPPORTED_IMAGE');
  return new ExtensionFailure(`Google Cloud Vision failed: ${message}`, 'PROVIDER_ERROR');
}
