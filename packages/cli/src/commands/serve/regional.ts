// The regional APIs `cxauth serve` starts: one area's API on its port, and which api_endpoints are local.
import { createRegionalServer, type RegionalMetrics, type RegionalServerOptions } from '@cxauth/regional';
import type { HttpTimeouts } from '@cxauth/server';
import type { FastifyInstance } from 'fastify';
import type { ServeLog } from '../../logging.js';

/** A regional API this process started, listening on `url`. */
export interface Listening {
  area: string;
  url: string;
  app: FastifyInstance;
}

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Starts one area's regional API on the given host and port, logging to the command's log. */
export async function startRegional(
  log: ServeLog,
  options: {
    area: string;
    issuer: string;
    audience: string;
    host: string;
    port: number;
    timeouts: HttpTimeouts;
    dataDir: string;
    revocation?: boolean;
    /** The public origin a DPoP proof's `htu` names (`--origin`); default the request's Host. */
    origin?: string;
    dpop?: RegionalServerOptions['dpop'];
  },
  metrics: RegionalMetrics | undefined,
): Promise<Listening> {
  // The revocation feed is followed (the issuer's discovery names it), and the last good JWKS and feed
  // state are kept in the data folder, so a restart during an issuer outage still verifies.
  const app = await createRegionalServer({
    area: options.area,
    issuer: options.issuer,
    audience: options.audience,
    logger: log.logger,
    timeouts: options.timeouts,
    dataDir: options.dataDir,
    revocation: options.revocation ?? true,
    ...(options.origin === undefined ? {} : { origin: options.origin }),
    ...(options.dpop === undefined ? {} : { dpop: options.dpop }),
    ...(metrics ? { metrics } : {}),
  });
  const url = await app.listen({ host: options.host, port: options.port });
  return { area: options.area, url, app };
}

/** The host and port to serve an area's api_endpoint on, when it is a plain-http URL of this host. */
export function localEndpoint(apiEndpoint: string): { host: string; port: number } | undefined {
  let url: URL;
  try {
    url = new URL(apiEndpoint);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' || !LOCAL_HOSTS.has(url.hostname)) return undefined;
  const host = url.hostname === 'localhost' ? '127.0.0.1' : url.hostname.replace(/^\[|\]$/g, '');
  return { host, port: url.port === '' ? 80 : Number(url.port) };
}

/**
 * The regional APIs' DPoP nonces (RFC 9449 §9) from CXAUTH_API_DPOP_NONCE (on|off, default off) and
 * CXAUTH_API_DPOP_NONCE_SECRET (32 characters or more; the same on every node of an area, so each
 * accepts the others' nonces; default random per process). Undefined when off.
 * @throws {Error} with a message naming the variable, for a value that is neither.
 */
export function apiDpopOptions(env: NodeJS.ProcessEnv): RegionalServerOptions['dpop'] {
  const raw = env['CXAUTH_API_DPOP_NONCE'] ?? '';
  const secret = env['CXAUTH_API_DPOP_NONCE_SECRET'] || undefined;
  if (secret !== undefined && Buffer.byteLength(secret) < 32) {
    throw new Error('CXAUTH_API_DPOP_NONCE_SECRET must be at least 32 characters long');
  }
  if (raw === '' || ['off', 'false', '0'].includes(raw)) return undefined;
  if (!['on', 'true', '1'].includes(raw)) {
    throw new Error(`CXAUTH_API_DPOP_NONCE must be on or off; it is "${raw}"`);
  }
  return { nonce: secret === undefined ? true : { secret } };
}
