// The client address of a request (http/client-address.ts) and CXAUTH_TRUSTED_PROXIES: forwarding
// headers are read only from trusted proxies, right to left, in every form RFC 7239 allows; an untrusted
// peer's headers never change the address, and a malformed setting stops the start.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config.js';
import { trustedProxies } from '../src/config/proxies.js';
import { clientAddress, forwardedFor, proxyTrust } from '../src/http/client-address.js';

const trust = proxyTrust(trustedProxies({ CXAUTH_TRUSTED_PROXIES: '10.0.0.0/8, 192.0.2.7,2001:db8::/32' }));

describe('CXAUTH_TRUSTED_PROXIES', () => {
  it('takes addresses and CIDRs of both families, and trusts no one by default', () => {
    expect(trustedProxies({})).toEqual([]);
    expect(trustedProxies({ CXAUTH_TRUSTED_PROXIES: ' 127.0.0.1 , fd00::/8,[::1]' })).toEqual([
      { address: '127.0.0.1', prefix: 32, family: 'ipv4' },
      { address: 'fd00::', prefix: 8, family: 'ipv6' },
      { address: '::1', prefix: 128, family: 'ipv6' },
    ]);
    expect(trust('10.200.3.4')).toBe(true);
    expect(trust('::ffff:10.1.1.1')).toBe(true);
    expect(trust('192.0.2.8')).toBe(false);
    expect(trust('2001:db8:1::9')).toBe(true);
    expect(trust('2001:db9::1')).toBe(false);
    expect(trust('not an address')).toBe(false);
  });

  it('refuses at start anything that is not an address or CIDR, naming the entry', () => {
    for (const bad of ['10.0.0.0/33', 'fd00::/129', 'proxy.internal', '10.0.0.1/', '10.0.0/8', '*']) {
      expect(() => loadConfig({ CXAUTH_TRUSTED_PROXIES: `127.0.0.1,${bad}` }), bad).toThrow(
        `CXAUTH_TRUSTED_PROXIES: "${bad}" is not an IPv4 or IPv6 address or CIDR`,
      );
    }
  });
});

describe('the client address', () => {
  it('ignores both headers from a peer that is not a trusted proxy', () => {
    const headers = { 'x-forwarded-for': '203.0.113.9', forwarded: 'for=203.0.113.9' };
    expect(clientAddress('198.51.100.1', headers, trust)).toBe('198.51.100.1');
    expect(clientAddress('::ffff:198.51.100.1', headers, trust)).toBe('198.51.100.1');
    // Nothing trusted at all: the peer, whatever it sends.
    expect(clientAddress('10.0.0.1', headers, proxyTrust([]))).toBe('10.0.0.1');
  });

  it('takes the right-most X-Forwarded-For address that is not a trusted proxy', () => {
    const from = (xff: string | string[]) => clientAddress('10.0.0.1', { 'x-forwarded-for': xff }, trust);
    // The client's own (spoofed) entries to the left of the real one are never reached.
    expect(from('6.6.6.6, 203.0.113.9, 10.1.2.3')).toBe('203.0.113.9');
    expect(from(['6.6.6.6', '203.0.113.9'])).toBe('203.0.113.9');
    expect(from('203.0.113.9:4711')).toBe('203.0.113.9');
    expect(from('[2001:db9::5]:443')).toBe('2001:db9::5');
    expect(from('2001:db9::5')).toBe('2001:db9::5');
    // Every hop a trusted proxy: the left-most of them.
    expect(from('10.9.9.9, 10.1.2.3')).toBe('10.9.9.9');
    // A hop that names no address stops at the proxy that wrote it.
    expect(from('6.6.6.6, garbage')).toBe('10.0.0.1');
    expect(from('6.6.6.6, unknown, 10.1.2.3')).toBe('10.1.2.3');
  });

  it('reads Forwarded (RFC 7239) when there is no X-Forwarded-For: quoted, IPv6, ports, several elements', () => {
    const from = (forwarded: string) => clientAddress('10.0.0.1', { forwarded }, trust);
    expect(from('for=203.0.113.9')).toBe('203.0.113.9');
    expect(from('For="203.0.113.9:4711";proto=https;by=10.0.0.1')).toBe('203.0.113.9');
    expect(from('for="[2001:db9:cafe::17]:4711"')).toBe('2001:db9:cafe::17');
    expect(from('for=6.6.6.6, for=203.0.113.9;proto=http, for=10.3.3.3')).toBe('203.0.113.9');
    expect(from('proto=https;for="203.0.113.9", by=x;for=10.3.3.3')).toBe('203.0.113.9');
    // Obfuscated and unknown identifiers are no address: the proxy that reported them is the client.
    expect(from('for=6.6.6.6, for=_hidden')).toBe('10.0.0.1');
    expect(from('for=6.6.6.6, for=unknown, for=10.3.3.3')).toBe('10.3.3.3');
    expect(from('proto=https')).toBe('10.0.0.1');
    // X-Forwarded-For wins when a proxy sent both (the other must be removed by the proxy).
    expect(
      clientAddress('10.0.0.1', { forwarded: 'for=6.6.6.6', 'x-forwarded-for': '203.0.113.9' }, trust),
    ).toBe('203.0.113.9');
  });

  it('parses quoted strings with separators and escapes inside them', () => {
    expect(forwardedFor('for="[::1]";x="a,b;c", for="\\"odd"')).toEqual(['::1', undefined]);
    expect(forwardedFor('')).toEqual([undefined]);
  });
});
