// Where a webhook may be sent (SSRF protection): a target whose host resolves to a private, loopback,
// link-local, shared, multicast, reserved or cloud-metadata address is refused unless
// CXAUTH_WEBHOOK_ALLOW_PRIVATE=on. The check returns the address it checked, and the sender connects to
// that address, so a second DNS answer (rebinding) cannot swap it for another.
import { lookup } from 'node:dns/promises';
import net from 'node:net';

/** A target that may not be used, or cannot be resolved; the message is safe to show. */
export class WebhookTargetError extends Error {
  override readonly name = 'WebhookTargetError';
}

const BLOCKED = new net.BlockList();
for (const [prefix, bits] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // shared address space (carrier NAT; some clouds' metadata)
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, with the 169.254.169.254 metadata service
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24], // the former 6to4 relay anycast (RFC 7526)
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, and the broadcast address
] as const) {
  BLOCKED.addSubnet(prefix, bits, 'ipv4');
}
for (const [prefix, bits] of [
  ['::', 96], // unspecified, loopback and the deprecated IPv4-compatible ::a.b.c.d (RFC 4291 §2.5.5.1)
  ['::ffff:0:0:0', 96], // IPv4-translated (RFC 2765 §2.1)
  ['64:ff9b::', 96], // NAT64 (RFC 6052)
  ['64:ff9b:1::', 48], // local-use NAT64 (RFC 8215)
  ['100::', 64], // discard
  // Tunnels that carry an IPv4 address inside the IPv6 one, which a relay then reaches: Teredo
  // (RFC 4380, 2001::/32) and 6to4 (RFC 3056, 2002::/16; deprecated by RFC 7526). A webhook receiver has
  // no business behind either, and 2002:7f00:1:: would otherwise reach 127.0.0.1 through a relay.
  ['2001::', 32],
  ['2001:db8::', 32], // documentation
  ['2002::', 16],
  ['fc00::', 7], // unique local (with fd00:ec2::254, a metadata service)
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated by RFC 3879, still routed by some stacks)
  ['ff00::', 8], // multicast
] as const) {
  BLOCKED.addSubnet(prefix, bits, 'ipv6');
}

/** Whether `address` (an IP literal) is one a webhook may not reach without CXAUTH_WEBHOOK_ALLOW_PRIVATE. */
export function isPrivateAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 4) return BLOCKED.check(address, 'ipv4');
  if (family !== 6) return true;
  // An IPv4-mapped address (::ffff:a.b.c.d, RFC 4291 §2.5.5.2) reaches the IPv4 address it embeds:
  // BlockList checks it against the IPv4 rules.
  return BLOCKED.check(address, 'ipv6');
}

export interface ResolvedTarget {
  readonly url: URL;
  /** The address to connect to: the one that was checked. */
  readonly address: string;
  readonly family: 4 | 6;
}

/** Resolves `raw`'s host (every address it has) and refuses it when any address is not allowed. */
export async function resolveTarget(raw: string, allowPrivate: boolean): Promise<ResolvedTarget> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WebhookTargetError('the URL is not an absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new WebhookTargetError('the URL must be http or https');
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let found: { address: string; family: number }[];
  try {
    found = net.isIP(host) ? [{ address: host, family: net.isIP(host) }] : await lookup(host, { all: true });
  } catch {
    throw new WebhookTargetError(`the host ${host} does not resolve`);
  }
  const first = found[0];
  if (!first) throw new WebhookTargetError(`the host ${host} does not resolve`);
  // Every address, not only the one used: an answer mixing a public and a private address is refused.
  if (!allowPrivate && found.some((a) => isPrivateAddress(a.address))) {
    throw new WebhookTargetError(
      `the host ${host} resolves to a private, loopback, link-local or metadata address (CXAUTH_WEBHOOK_ALLOW_PRIVATE=on allows it)`,
    );
  }
  return { url, address: first.address, family: first.family === 6 ? 6 : 4 };
}
