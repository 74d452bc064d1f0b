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

/** A URL's host as an IP literal, or undefined when it is a name to resolve. */
export function literalAddress(url: URL): string | undefined {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return ipaddr.isValid(host) ? host : undefined;
}
