// Issuer names people already use with the hosted service, and issuer URL normalization.
import { ClientError } from './errors.js';

/** The hosted service's issuers by the short names people script with. */
export const HOSTED_ISSUERS: Readonly<Record<string, string>> = Object.freeze({
  cxone: 'https://cxone.niceincontact.com',
  'cxone-gov': 'https://cxone-gov.niceincontact.com',
  'sov1-au': 'https://nicecxone-sov1.au',
  'sov1-eu': 'https://nicecxone-sov1.eu',
  'sov1-uk': 'https://nicecxone-sov1.uk',
});

/**
 * Turns a hosted issuer's name (`cxone`, `cxone-gov`, `sov1-au`, `sov1-eu`, `sov1-uk`) or an issuer
 * URL into the issuer identifier: an absolute http(s) URL without query, fragment or trailing slash.
 * Plain http is accepted only for loopback hosts, as for the server (OIDC Discovery §3 wants https).
 *
 * @throws {ClientError} `invalid_config`
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#IssuerDiscovery
 */
export function resolveIssuer(nameOrUrl: string): string {
  const raw = HOSTED_ISSUERS[nameOrUrl.trim().toLowerCase()] ?? nameOrUrl.trim();
  let url: URL;
  try {
    url = new URL(raw);
  } catch (cause) {
    const names = Object.keys(HOSTED_ISSUERS).join(', ');
    throw new ClientError('invalid_config', `issuer "${raw}" is neither a URL nor one of ${names}`, {
      cause,
    });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ClientError('invalid_config', `issuer must be an http(s) URL, not ${url.protocol}`);
  }
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    throw new ClientError(
      'invalid_config',
      'issuer must use https (plain http only for 127.0.0.1/localhost)',
    );
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new ClientError('invalid_config', 'issuer must not have credentials, a query or a fragment');
  }
  return url.href.replace(/\/+$/, '');
}

/**
 * Whether a bearer token may be sent to `url`: https, or plain http to this machine only (the local
 * demo's `http://127.0.0.1:8081`). Anything else would carry the token in clear over a network.
 * @see RFC 6750 §5.3 (always use TLS)
 */
export function isSafeApiBase(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return parsed.protocol === 'https:' || (parsed.protocol === 'http:' && isLoopback(parsed.hostname));
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}
