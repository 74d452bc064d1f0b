import type { LookupAddress } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { WEBHOOK_TIMEOUT_MS } from '../core/webhook-events.js';
import { isAllowedTarget, literalAddress, type WebhookTargetPolicy } from '../core/webhook-target.js';
import { RefusedWebhookTarget, resolveTarget } from './webhook-target.js';

export interface WebhookAttemptResult {
  delivered: boolean;
  /** The target is not one this deployment calls: retrying cannot help. */
  refused: boolean;
  status?: number;
  error?: string;
  durationMs: number;
}

/** Resolves like dns.lookup, but refuses disallowed addresses at connect time (no DNS-rebinding window). */
function guardedLookup(policy: WebhookTargetPolicy): LookupFunction {
  return (hostname, options, callback) => {
    resolveTarget(hostname, policy).then(
      (addresses: LookupAddress[]) => {
        const family = typeof options === 'object' ? options.family : undefined;
        const usable = addresses.filter((entry) => !family || entry.family === family);
        if (typeof options === 'object' && options.all) return (callback as (e: null, a: LookupAddress[]) => void)(null, usable);
        const [first] = usable;
        if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 4);
        callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 4),
    );
  };
}

/**
 * Signs and POSTs one webhook event per Standard Webhooks: `webhook-id` (stable across retries),
 * `webhook-timestamp` and `webhook-signature` (fresh per attempt). The HMAC is keyed with the secret
 * string's own bytes, which is what ImageKit's SDK verifies (`webhooks.unwrap`).
 */
export class WebhookSender {
  constructor(
    private readonly secret: () => Promise<string>,
    private readonly policy: WebhookTargetPolicy,
    private readonly timeoutMs = WEBHOOK_TIMEOUT_MS,
  ) {}

  async send(target: string, eventId: string, body: unknown): Promise<WebhookAttemptResult> {
    const started = Date.now();
    const url = new URL(target);
    const literal = literalAddress(url);
    if (literal && !isAllowedTarget(literal, this.policy)) {
      return { delivered: false, refused: true, error: `${literal} is not an allowed webhook address`, durationMs: 0 };
    }
    const payload = JSON.stringify(body);
    const signer = new Webhook(Buffer.from(await this.secret()).toString('base64'));
    const timestamp = new Date();
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'aitags-webhooks/1',
      'webhook-id': eventId,
      'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
      'webhook-signature': signer.sign(eventId, timestamp, payload),
    };
    try {
      const status = await this.post(url, headers, payload);
      return { delivered: status >= 200 && status < 300, refused: false, status, durationMs: Date.now() - started };
    } catch (error) {
      const refused = error instanceof RefusedWebhookTarget || (error as { code?: string }).code === 'EWEBHOOKTARGET';
      const message =
        (error as Error).name === 'AbortError' || (error as Error).name === 'TimeoutError'
          ? `no answer within ${this.timeoutMs} ms`
          : (error as Error).message;
      return { delivered: false, refused, error: message, durationMs: Date.now() - started };
    }
  }

  private post(url: URL, headers: Record<string, string>, payload: string): Promise<number> {
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const outgoing = request(
        url,
        {
          method: 'POST',
          headers: { ...headers, 'content-length': String(Buffer.byteLength(payload)) },
          lookup: guardedLookup(this.policy),
          signal: AbortSignal.timeout(this.timeoutMs),
        },
        (response) => {
          response.resume(); // the body does not matter, only that it arrives in time
          response.on('end', () => resolve(response.statusCode ?? 0));
          response.on('error', reject);
        },
      );
      outgoing.on('error', reject);
      outgoing.end(payload);
    });
  }
}
