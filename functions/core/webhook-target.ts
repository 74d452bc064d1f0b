import ipaddr from 'ipaddr.js';

/**
 * True only for ordinary public unicast addresses: loopback, private, link-local (cloud metadata's
 * 169.254.169.254 and fd00:ec2::254 included), CGNAT, unique-local, multicast and reserved ranges are not.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  return parsed.range() === 'unicast';
}

/**
 * Which non-public addresses a webhook may go to (AITAGS_ALLOW_PRIVATE_WEBHOOKS): `public-only` (`false`,
 * always on AWS), `loopback` (unset, the local default: this machine and public hosts), `private` (`true`:
 * loopback, private, link-local, unique-local and CGNAT too).
 */
export type WebhookTargetPolicy = 'public-only' | 'loopback' | 'private';

const PRIVATE_RANGES = new Set(['loopback', 'private', 'linkLocal', 'uniqueLocal', 'carrierGradeNat']);

/** Whether `address` may receive webhooks under `policy`; multicast, reserved and unspecified never may. */
export function isAllowedTarget(address: string, policy: WebhookTargetPolicy): boolean {
  if (isPublicAddress(address)) return true;
  if (!ipaddr.isValid(address) || policy === 'public-only') return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  const range = parsed.range();
  return policy === 'loopback' ? range === 'loopback' : PRIVATE_RANGES.has(range);
}

/** What a refused address is, for messages. */
export const refusedTargetHelp = (policy: WebhookTargetPolicy) =>
  policy === 'public-only'
    ? 'webhookUrl must reach a public address: hosts that resolve to loopback, private, link-local, CGNAT or cloud-metadata addresses are refused.'
    : policy === 'loopback'
      ? 'webhookUrl must reach a public address or this machine (loopback); set AITAGS_ALLOW_PRIVATE_WEBHOOKS=true to allow private and link-local addresses too.'
      : 'webhookUrl must reach a public, loopback, private or link-local unicast address.';

/** A URL's host as an IP literal, or undefined when it is a name to resolve. */
export function literalAddress(url: URL): string | undefined {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return ipaddr.isValid(host) ? host : undefined;
}
