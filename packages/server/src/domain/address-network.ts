// The network an address is counted as by the throttle (docs/operations.md "Throttling"): an IPv4
// address alone, an IPv6 address by its /64. One host is routinely given a whole /64 (RFC 4291 §2.5.1
// interface identifiers, SLAAC, RFC 8981 temporary addresses), so counting each of its 2^64 addresses
// on its own would hand it as many allowances.
import ipaddr from 'ipaddr.js';

/**
 * `address` as the throttle counts it: IPv4 (also IPv4-mapped IPv6) as is, IPv6 as its /64
 * (`2001:db8:1:2::/64`), anything else unchanged.
 */
export function addressNetwork(address: string): string {
  // An IPv4 address (most requests) has no colon: nothing to parse. (Fastify's `request.ip` of a
  // socket already gone is undefined, whatever its type says.)
  if (typeof address !== 'string' || !address.includes(':') || !ipaddr.IPv6.isValid(address)) return address;
  const parsed = ipaddr.IPv6.parse(address);
  if (parsed.isIPv4MappedAddress()) return parsed.toIPv4Address().toString();
  const prefix = ipaddr.IPv6.networkAddressFromCIDR(`${parsed.toNormalizedString()}/64`);
  return `${prefix.toString()}/64`;
}
