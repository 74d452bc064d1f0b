import { lookup } from 'node:dns/promises';
import type { LookupAddress } from 'node:dns';
import { badRequest } from '../core/errors.js';
import { isPublicAddress, literalAddress } from '../core/webhook-target.js';

const HELP =
  'webhookUrl must reach a public address: hosts that resolve to loopback, private, link-local, CGNAT or cloud-metadata addresses are refused.';

/** Thrown when a webhook target resolves to an address this deployment will not call. */
export class RefusedWebhookTarget extends Error {
  readonly code = 'EWEBHOOKTARGET';
  constructor(host: string, address: string) {
    super(`${host} resolves to ${address}, which is not a public address`);
    this.name = 'RefusedWebhookTarget';
  }
}

/** Every address `host` resolves to, refused if any is not public (unless private targets are allowed). */
export async function resolveTarget(host: string, allowPrivate: boolean): Promise<LookupAddress[]> {
  const addresses = await lookup(host, { all: true, verbatim: true });
  const refused = allowPrivate ? undefined : addresses.find((entry) => !isPublicAddress(entry.address));
  if (refused) throw new RefusedWebhookTarget(host, refused.address);
  return addresses;
}

/** Request-time check of a webhookUrl (delivery checks again: DNS can change in between). */
export async function checkWebhookUrl(webhookUrl: string | undefined, allowPrivate: boolean): Promise<void> {
  if (!webhookUrl || allowPrivate) return;
  const url = new URL(webhookUrl);
  const literal = literalAddress(url);
  if (literal) {
    if (!isPublicAddress(literal)) throw badRequest(`webhookUrl points at ${literal}, which is not a public address`, HELP);
    return;
  }
  try {
    await resolveTarget(url.hostname, false);
  } catch (error) {
    if (error instanceof RefusedWebhookTarget) throw badRequest(`webhookUrl host ${error.message}`, HELP);
    throw badRequest(`webhookUrl host ${url.hostname} does not resolve`, 'Send a webhookUrl whose host name resolves in public DNS.');
  }
}
