import type { LookupAddress } from 'node:dns';
import { lookup } from 'node:dns/promises';
import { badRequest } from '../core/errors.js';
import { isAllowedTarget, literalAddress, refusedTargetHelp, type WebhookTargetPolicy } from '../core/webhook-target.js';

/** Thrown when a webhook target resolves to an address this deployment will not call. */
export class RefusedWebhookTarget extends Error {
  readonly code = 'EWEBHOOKTARGET';
  constructor(host: string, address: string) {
    super(`${host} resolves to ${address}, which is not an allowed webhook address`);
    this.name = 'RefusedWebhookTarget';
  }
}

/** Every address `host` resolves to, refused if any is one the policy does not allow. */
export async function resolveTarget(host: string, policy: WebhookTargetPolicy): Promise<LookupAddress[]> {
  const addresses = await lookup(host, { all: true, verbatim: true });
  const refused = addresses.find((entry) => !isAllowedTarget(entry.address, policy));
  if (refused) throw new RefusedWebhookTarget(host, refused.address);
  return addresses;
}

/** Request-time check of a webhookUrl (delivery checks again: DNS can change in between). */
export async function checkWebhookUrl(webhookUrl: string | undefined, policy: WebhookTargetPolicy): Promise<void> {
  if (!webhookUrl) return;
  const url = new URL(webhookUrl);
  const literal = literalAddress(url);
  if (literal) {
    if (!isAllowedTarget(literal, policy))
      throw badRequest(`webhookUrl points at ${literal}, which is not an allowed webhook address`, refusedTargetHelp(policy));
    return;
  }
  try {
    await resolveTarget(url.hostname, policy);
  } catch (error) {
    if (error instanceof RefusedWebhookTarget) throw badRequest(`webhookUrl host ${error.message}`, refusedTargetHelp(policy));
    throw badRequest(`webhookUrl host ${url.hostname} does not resolve`, 'Send a webhookUrl whose host name resolves in public DNS.');
  }
}
