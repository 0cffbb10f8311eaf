// The one place that decides a request's client address (request.ip, used by throttling, audit events
// and request logs): the socket's peer, or — when that peer is a trusted proxy (CXAUTH_TRUSTED_PROXIES)
// — the right-most address in X-Forwarded-For, or else in Forwarded, that is not a trusted proxy.
// From anyone else both headers are ignored, so no client can pick its own throttle key.
import net from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { TrustedNetwork } from '../config/proxies.js';

/** Whether an address is one of the trusted proxies. */
export type ProxyTrust = (address: string) => boolean;

/** An address in canonical form: IPv4-mapped IPv6 (`::ffff:10.0.0.1`) as IPv4, no zone. */
export function canonicalAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? (mapped[1] as string) : address;
}

/** The trust of a list of networks (IPv4 entries also match their IPv4-mapped IPv6 forms). */
export function proxyTrust(networks: readonly TrustedNetwork[]): ProxyTrust {
  const list = new net.BlockList();
  for (const n of networks) list.addSubnet(n.address, n.prefix, n.family);
  return (address) => {
    const canonical = canonicalAddress(address);
    const version = net.isIP(canonical);
    return version !== 0 && list.check(canonical, version === 4 ? 'ipv4' : 'ipv6');
  };
}

/**
 * A node as a forwarding header gives it: `192.0.2.1`, `192.0.2.1:4711`, `2001:db8::1`,
 * `[2001:db8::1]` or `[2001:db8::1]:4711` become the address; anything else (`unknown`, an obfuscated
 * `_hidden`, garbage) is undefined.
 * @see RFC 7239 §6 (node name and port)
 */
export function nodeAddress(node: string): string | undefined {
  let value = node.trim();
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(value);
  if (bracketed) value = bracketed[1] as string;
  else if (/^\d+\.\d+\.\d+\.\d+:\d{1,5}$/.test(value)) value = value.slice(0, value.lastIndexOf(':'));
  return net.isIP(value) === 0 ? undefined : canonicalAddress(value);
}

/** The hops of an X-Forwarded-For header, left (client) to right (nearest proxy). */
export function xForwardedFor(header: string): (string | undefined)[] {
  return header.split(',').map(nodeAddress);
}

/**
 * The `for=` nodes of a Forwarded header, one per element, left to right; an element without `for`
 * is an unknown hop. Values are tokens or quoted strings (which may hold `,` `;` and `\`-escapes).
 * @see RFC 7239 §4 (the header), §5.2 (`for`), §6.3 (obfuscated identifiers)
 */
export function forwardedFor(header: string): (string | undefined)[] {
  const hops: (string | undefined)[] = [];
  let node: string | undefined;
  let name = '';
  let value = '';
  let inValue = false;
  let quoted = false;
  const endPair = () => {
    if (name.trim().toLowerCase() === 'for' && node === undefined) node = value;
    name = '';
    value = '';
    inValue = false;
  };
  for (let i = 0; i < header.length; i++) {
    const c = header[i] as string;
    if (quoted) {
      if (c === '\\' && i + 1 < header.length) value += header[++i];
      else if (c === '"') quoted = false;
      else value += c;
    } else if (c === '"' && inValue) quoted = true;
    else if (c === '=' && !inValue) inValue = true;
    else if (c === ';') endPair();
    else if (c === ',') {
      endPair();
      hops.push(node === undefined ? undefined : nodeAddress(node));
      node = undefined;
    } else if (inValue) {
      if (c !== ' ' && c !== '\t') value += c;
    } else name += c;
  }
  endPair();
  hops.push(node === undefined ? undefined : nodeAddress(node));
  return hops;
}

const header = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value.join(',') : value;

/**
 * The client address of a request from `peer`. Walking the hops from the right, each trusted proxy
 * passes on to the address it names; the first address that is not a trusted proxy is the client. A
 * hop that names no address (`unknown`, obfuscated, garbled) stops the walk at the proxy that reported
 * it, since nothing to its left can be vouched for. X-Forwarded-For is read when present, Forwarded
 * otherwise (a proxy that writes one must remove the other: docs/operations.md).
 */
export function clientAddress(
  peer: string,
  headers: Readonly<Record<string, string | string[] | undefined>>,
  trust: ProxyTrust,
): string {
  const direct = canonicalAddress(peer);
  if (!trust(direct)) return direct;
  const xff = header(headers['x-forwarded-for']);
  const forwarded = xff === undefined ? header(headers['forwarded']) : undefined;
  const hops =
    xff !== undefined ? xForwardedFor(xff) : forwarded !== undefined ? forwardedFor(forwarded) : [];
  let address = direct;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i];
    if (hop === undefined) return address;
    address = hop;
    if (!trust(hop)) return hop;
  }
  return address;
}

/**
 * Makes `request.ip` the client address for every request (an onRequest hook registered before any
 * other, so every later hook, handler and log line sees it). Without trusted proxies nothing is added:
 * `request.ip` is the socket's peer and both headers are ignored.
 */
export function registerClientAddress(app: FastifyInstance, networks: readonly TrustedNetwork[]): void {
  if (networks.length === 0) return;
  const trust = proxyTrust(networks);
  app.addHook('onRequest', (request, _reply, done) => {
    const peer = request.raw.socket?.remoteAddress;
    if (peer !== undefined && trust(peer)) {
      Object.defineProperty(request, 'ip', {
        value: clientAddress(peer, request.headers, trust),
        enumerable: true,
      });
    }
    done();
  });
}
