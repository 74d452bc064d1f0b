// The v1 client alone: the package's main entry also loads every beta client and roughly doubles the cold import.
import { ImageAnnotatorClient } from '@google-cloud/vision/build/src/v1/image_annotator_client.js';
import type { Label } from '../core/tag-policy.js';
import { ExtensionFailure, ProviderThrottledError, ProviderTransientError } from '../core/provider-errors.js';
import { type ImageInput, isNetworkError, type LabelDetector } from './label-detector.js';
import type { VisionCredentials } from './vision-credentials.js';

const MAX_LABELS = 100;
/** gRPC status codes (Google APIs use them over REST too) that a retry can fix. */
const RESOURCE_EXHAUSTED = 8; // quota exceeded: HTTP 429 over REST
const TRANSIENT_CODES = new Set([4 /* DEADLINE_EXCEEDED */, 10 /* ABORTED */, 13 /* INTERNAL */, 14 /* UNAVAILABLE */]);
const CREDENTIAL_CODES = new Set([7 /* PERMISSION_DENIED */, 16 /* UNAUTHENTICATED */]);

export interface VisionSettings {
  /** Base URL of the Vision API, e.g. a loopback fake `http://127.0.0.1:9000`; unset for Google's. */
  endpoint: string | undefined;
  credentials: VisionCredentials;
  timeoutMs: number;
}

/**
 * Google Cloud Vision label detection over REST (`fallback`: no gRPC, a much smaller cold start), with
 * credentials handed over explicitly so the client never probes for a GCE metadata server.
 */
export class VisionLabels implements LabelDetector {
  /** The client, and the settings it was built for: new credentials (a rotated secret) get a new client. */
  private client: { instance: ImageAnnotatorClient; builtFor: string } | undefined;

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
    const builtFor = JSON.stringify([settings.endpoint, credentials]);
    if (this.client?.builtFor !== builtFor) {
      const endpoint = settings.endpoint ? new URL(settings.endpoint) : undefined;
      const instance = new ImageAnnotatorClient({
        fallback: true,
        // The REST transport ignores gax's call timeout: give its HTTP client one.
        clientOptions: { transporterOptions: { timeout: settings.timeoutMs } },
        ...(endpoint && {
          apiEndpoint: endpoint.hostname,
          port: Number(endpoint.port || (endpoint.protocol === 'https:' ? 443 : 80)),
          protocol: endpoint.protocol.replace(':', ''),
        }),
        // Google's auth library looks up a project id before the first call whatever the credentials — down to
        // gcloud and the GCE metadata server (a non-loopback probe, about a second, from every new tagger). An
        // API key carries its own project and the id is never sent: any id ends the lookup.
        ...(credentials.kind === 'api-key' && { apiKey: credentials.apiKey, projectId: API_KEY_PROJECT }),
        ...(credentials.kind === 'service-account' && {
          credentials: { client_email: credentials.clientEmail, private_key: credentials.privateKey },
          projectId: credentials.projectId,
        }),
      });
      this.client = { instance, builtFor };
    }
    return { client: this.client.instance, timeoutMs: settings.timeoutMs };
  }

  /**
   * Builds the client (reading the credentials) and loads its API description, so that a new container's
   * first upload does not pay for them: about 100 ms of CPU, and the secret's round trip. No provider call.
   * Also loads Node's fetch implementation, which the client sends through: Node loads it on first use
   * (≈ 30–45 ms of CPU on this project's 2-core VM, measured inside the first upload's Vision call).
   */
  async warmUp(): Promise<void> {
    new Headers();
    try {
      const { client } = await this.connect();
      await client.initialize();
    } catch (error) {
      // No credentials yet: nothing to build; the first call reports them missing.
      if (error instanceof ExtensionFailure && error.reason === 'MISSING_CREDENTIALS') return;
      throw error;
    }
  }

  async detect(image: ImageInput, _minConfidence: number): Promise<Label[]> {
    if (image.kind !== 'bytes') throw new Error('Vision is sent image bytes only');
    const { client, timeoutMs } = await this.connect();
    try {
      const call = client.batchAnnotateImages(
        {
          requests: [
            { image: { content: Buffer.from(image.bytes).toString('base64') }, features: [{ type: 'LABEL_DETECTION', maxResults: MAX_LABELS }] },
          ],
        },
        { maxRetries: 0 },
      );
      const [result] = await withTimeout(call, timeoutMs);
      const response = result.responses?.[0];
      if (response?.error?.code) throw Object.assign(new Error(response.error.message ?? 'Vision error'), { code: response.error.code });
      return (response?.labelAnnotations ?? []).map((label) => ({ name: label.description ?? '', confidence: (label.score ?? 0) * 100 }));
    } catch (error) {
      throw classifyVisionError(error);
    }
  }
}

/** Google's REST error statuses and HTTP codes → gRPC codes (gax's REST transport reports HTTP codes). */
const GRPC_BY_STATUS: Record<string, number> = {
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  ABORTED: 10,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
};
const GRPC_BY_HTTP: Record<number, number> = { 400: 3, 401: 16, 403: 7, 408: 4, 429: 8, 500: 13, 502: 14, 503: 14, 504: 4 };

function grpcCode(error: unknown): number {
  const { code, message } = error as { code?: unknown; message?: unknown };
  const status = /"status":\s*"([A-Z_]+)"/.exec(typeof message === 'string' ? message : '')?.[1];
  if (status && GRPC_BY_STATUS[status] !== undefined) return GRPC_BY_STATUS[status];
  const numeric = Number(code);
  // Errors inside a 200 response carry gRPC codes (< 100); transport errors carry HTTP statuses.
  if (numeric >= 100) return GRPC_BY_HTTP[numeric] ?? (numeric >= 500 ? 13 : -1);
  return Number.isFinite(numeric) ? numeric : -1;
}

const isAbort = (error: unknown) =>
  [error, (error as { cause?: unknown })?.cause].some((item) =>
    ['AbortError', 'TimeoutError'].includes((item as { name?: string } | undefined)?.name ?? ''),
  );

export function classifyVisionError(error: unknown): Error {
  if (error instanceof ExtensionFailure || error instanceof ProviderTransientError) return error;
  const code = grpcCode(error);
  const message = (error as { message?: string }).message ?? String(error);
  if (CREDENTIAL_CODES.has(code) || /API key not valid|API_KEY_INVALID/.test(message)) {
    return new ExtensionFailure(`Google Cloud Vision refused the credentials: ${message}`, 'MISSING_CREDENTIALS');
  }
  if (code === RESOURCE_EXHAUSTED) return new ProviderThrottledError(`Google Cloud Vision: ${message}`);
  const unanswered = isAbort(error) || isNetworkError(error) || /timeout|timed out|ECONNRESET|socket hang up/i.test(message);
  if (TRANSIENT_CODES.has(code) || unanswered) return new ProviderTransientError(`Google Cloud Vision: ${message}`, !unanswered);
  if (code === 3 /* INVALID_ARGUMENT */) return new ExtensionFailure(`Google Cloud Vision could not read the image: ${message}`, 'UNSUPPORTED_IMAGE');
  return new ExtensionFailure(`Google Cloud Vision failed: ${message}`, 'PROVIDER_ERROR');
}

/** Stands for the API key's own project, which the library never needs to know (see connect). */
const API_KEY_PROJECT = 'api-key-project';

/** The REST transport ignores gax's `timeout` (a gRPC deadline), so the adapter keeps time itself. */
async function withTimeout<T>(call: Promise<T> & { cancel?: () => void }, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      call.cancel?.();
      reject(new ProviderTransientError(`Google Cloud Vision: no answer within ${timeoutMs} ms`, false));
    }, timeoutMs);
  });
  try {
    return await Promise.race([call, expired]);
  } finally {
    clearTimeout(timer);
  }
}
