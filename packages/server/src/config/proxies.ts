// CXAUTH_TRUSTED_PROXIES: the reverse proxies whose X-Forwarded-For / Forwarded headers name the client
// (docs/operations.md "Behind a reverse proxy"). Validated at start: a typo must not silently trust
// no one, or everyone.
import net from 'node:net';
import { ConfigError } from './env.js';

/** One trusted address or network: `address/prefix` (a single address has the full prefix). */
export interface TrustedNetwork {
  readonly address: string;
  readonly prefix: number;
  readonly family: 'ipv4' | 'ipv6';
}

/**
 * Reads CXAUTH_TRUSTED_PROXIES: comma-separated IPv4 or IPv6 addresses or CIDRs (`10.0.0.0/8`,
 * `fd00::/8`, `127.0.0.1`); default none, so both forwarding headers are ignored from everyone.
 * @see RFC 4632 §3.1 (CIDR prefix notation), RFC 4291 §2.3 (IPv6 prefixes)
 */
export function trustedProxies(env: NodeJS.ProcessEnv): readonly TrustedNetwork[] {
  const raw = env['CXAUTH_TRUSTED_PROXIES'] ?? '';
  const out: TrustedNetwork[] = [];
  for (const entry of raw.split(',').map((e) => e.trim())) {
    if (entry === '') continue;
    const slash = entry.indexOf('/');
    const address = (slash === -1 ? entry : entry.slice(0, slash)).replace(/^\[(.*)\]$/, '$1');
    const version = net.isIP(address);
    const bits = version === 4 ? 32 : 128;
    const prefixText = slash === -1 ? String(bits) : entry.slice(slash + 1);
    const prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : Number.NaN;
    if (version === 0 || !(prefix >= 0 && prefix <= bits)) {
      throw new ConfigError(
        `CXAUTH_TRUSTED_PROXIES: "${entry}" is not an IPv4 or IPv6 address or CIDR (e.g. 10.0.0.5, 10.0.0.0/8, fd00::/8); separate entries with commas.`,
      );
    }
    out.push(Object.freeze({ address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' }));
  }
  return Object.freeze(out);
}
