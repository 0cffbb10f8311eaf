// Where and how the service answers HTTP: issuer, listening address, the demo API port, body size, and
// the timeouts that bound slow clients and the drain on SIGTERM (docs/operations.md).
import { ConfigError, integer } from './env.js';
import { type TrustedNetwork, trustedProxies } from './proxies.js';

/**
 * How long a client may take, and how long a shutdown may take, in milliseconds. The same settings serve
 * the global service and the regional APIs of `cxauth serve`.
 */
export interface HttpTimeouts {
  /** CXAUTH_HEADERS_TIMEOUT_MS: from a request's first byte to the end of its headers; then 408. */
  readonly headersTimeoutMs: number;
  /** CXAUTH_REQUEST_TIMEOUT_MS: from a request's first byte to the end of its body; then 408. */
  readonly requestTimeoutMs: number;
  /** CXAUTH_KEEP_ALIVE_TIMEOUT_MS: how long an idle kept-alive connection stays open. */
  readonly keepAliveTimeoutMs: number;
  /** CXAUTH_SHUTDOWN_TIMEOUT_MS: how long a drain may wait for clients before it closes their sockets. */
  readonly shutdownTimeoutMs: number;
}

/** The defaults of {@link HttpTimeouts}. */
export const HTTP_TIMEOUT_DEFAULTS: HttpTimeouts = Object.freeze({
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 15_000,
  // Longer than the 60 s idle timeout of common load balancers, so they never reuse a socket we close.
  keepAliveTimeoutMs: 72_000,
  shutdownTimeoutMs: 10_000,
});

/**
 * Reads CXAUTH_HEADERS_TIMEOUT_MS, CXAUTH_REQUEST_TIMEOUT_MS, CXAUTH_KEEP_ALIVE_TIMEOUT_MS and
 * CXAUTH_SHUTDOWN_TIMEOUT_MS; the headers must be allowed no longer than the whole request.
 * @see RFC 9110 §15.5.9 (408 Request Timeout), RFC 9112 §9.3 (persistent connections)
 */
export function httpTimeouts(env: NodeJS.ProcessEnv): HttpTimeouts {
  const d = HTTP_TIMEOUT_DEFAULTS;
  const headersTimeoutMs = integer(env, 'CXAUTH_HEADERS_TIMEOUT_MS', d.headersTimeoutMs, 100, 600_000);
  const requestTimeoutMs = integer(env, 'CXAUTH_REQUEST_TIMEOUT_MS', d.requestTimeoutMs, 100, 600_000);
  if (headersTimeoutMs > requestTimeoutMs) {
    throw new ConfigError(
      `CXAUTH_HEADERS_TIMEOUT_MS (${headersTimeoutMs}) must not exceed CXAUTH_REQUEST_TIMEOUT_MS (${requestTimeoutMs}): the headers are part of the request.`,
    );
  }
  return Object.freeze({
    headersTimeoutMs,
    requestTimeoutMs,
    keepAliveTimeoutMs: integer(env, 'CXAUTH_KEEP_ALIVE_TIMEOUT_MS', d.keepAliveTimeoutMs, 1, 600_000),
    shutdownTimeoutMs: integer(env, 'CXAUTH_SHUTDOWN_TIMEOUT_MS', d.shutdownTimeoutMs, 0, 600_000),
  });
}

export interface HttpConfig {
  /** Issuer identifier: exact, no trailing slash; never derived from a request (OIDC Discovery §3). */
  readonly issuer: string;
  readonly host: string;
  readonly port: number;
  /** Port of the demo area's regional API (`api_endpoint` = http://127.0.0.1:$CXAUTH_API_PORT). */
  readonly apiPort: number;
  /** Largest accepted request body, bytes. */
  readonly bodyLimit: number;
  readonly timeouts: HttpTimeouts;
  /** CXAUTH_TRUSTED_PROXIES: whose forwarding headers name the client (default none). */
  readonly trustedProxies: readonly TrustedNetwork[];
}

/**
 * The issuer: an absolute https URL without query or fragment (plain http only on the loopback host).
 * @see OpenID Connect Discovery 1.0 §3, RFC 8414 §2
 */
export function issuerFrom(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`CXAUTH_ISSUER must be an absolute URL; it is "${raw}".`);
  }
  if (url.search || url.hash) throw new ConfigError('CXAUTH_ISSUER must not have a query or fragment.');
  // RFC 6761 §6.3: names under .localhost are loopback too (e.g. a second RP ID on one machine).
  const local =
    ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname) || url.hostname.endsWith('.localhost');
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local)) {
    throw new ConfigError(
      'CXAUTH_ISSUER must use https (plain http is allowed only for 127.0.0.1/localhost/*.localhost).',
    );
  }
  return url.href.replace(/\/+$/, '');
}

/**
 * Reads CXAUTH_PORT (default 8080), CXAUTH_API_PORT (8081), CXAUTH_ISSUER (default
 * http://127.0.0.1:$CXAUTH_PORT), CXAUTH_HOST (127.0.0.1), CXAUTH_BODY_LIMIT (16 KiB), the
 * timeouts of {@link httpTimeouts} and CXAUTH_TRUSTED_PROXIES.
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
    timeouts: httpTimeouts(env),
    trustedProxies: trustedProxies(env),
  });
}
