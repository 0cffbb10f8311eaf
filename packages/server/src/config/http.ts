// Where and how the service answers HTTP: issuer, listening address, the demo API port, body size.
import { ConfigError, integer } from './env.js';

export interface HttpConfig {
  /** Issuer identifier: exact, no trailing slash; never derived from a request (OIDC Discovery §3). */
  readonly issuer: string;
  readonly host: string;
  readonly port: number;
  /** Port of the demo area's regional API (`api_endpoint` = http://127.0.0.1:$CXAUTH_API_PORT). */
  readonly apiPort: number;
  /** Largest accepted request body, bytes. */
  readonly bodyLimit: number;
}

/**
 * The issuer: an absolute https URL without query or fragment (plain http only on the loopback host).
 * @see OpenID Connect Discovery 1.0 §3, RFC 8414 §2
 */
function issuerFrom(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`CXAUTH_ISSUER must be an absolute URL; it is "${raw}".`);
  }
  if (url.search || url.hash) throw new ConfigError('CXAUTH_ISSUER must not have a query or fragment.');
  const local = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local)) {
    throw new ConfigError(
      'CXAUTH_ISSUER must use https (plain http is allowed only for 127.0.0.1/localhost).',
    );
  }
  return url.href.replace(/\/+$/, '');
}

/**
 * Reads CXAUTH_PORT (default 8080), CXAUTH_API_PORT (8081), CXAUTH_ISSUER (default
 * http://127.0.0.1:$CXAUTH_PORT), CXAUTH_HOST (127.0.0.1) and CXAUTH_BODY_LIMIT (16 KiB).
 */
export function httpConfig(env: NodeJS.ProcessEnv): HttpConfig {
  const port = integer(env, 'CXAUTH_PORT', 8080, 0, 65535);
  const apiPort = integer(env, 'CXAUTH_API_PORT', 8081, 0, 65535);
  return Object.freeze({
    issuer: issuerFrom(env['CXAUTH_ISSUER'] || `http://127.0.0.1:${port}`),
    host: env['CXAUTH_HOST'] || '127.0.0.1',
    port,
    apiPort,
    bodyLimit: integer(env, 'CXAUTH_BODY_LIMIT', 16 * 1024, 1024, 1024 * 1024),
  });
}
