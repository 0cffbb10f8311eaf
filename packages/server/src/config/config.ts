// The service's configuration: one typed, validated, frozen object built from the environment
// (README.md "Configuration"). Unsafe or malformed settings fail at start-up with what to change.
import path from 'node:path';

export interface TokenConfig {
  /** Access and id token lifetime, seconds (README.md "Configuration": default 3600). */
  readonly accessTokenTtl: number;
  /** Lifetime of one refresh token, seconds; each rotation issues a fresh one. */
  readonly refreshTokenTtl: number;
  /** Absolute session lifetime, seconds: no refresh extends a session past it (RFC 9700 §4.14.2). */
  readonly sessionTtl: number;
  /** Tolerated clock skew when checking times, seconds. */
  readonly clockTolerance: number;
  /** `aud` of access tokens (the reference tokens use one audience for the platform's APIs). */
  readonly audience: string;
}

export interface ServerConfig {
  readonly dataDir: string;
  readonly databaseUrl: string;
  /** Issuer identifier: exact, no trailing slash; never derived from a request (OIDC Discovery §3). */
  readonly issuer: string;
  readonly host: string;
  readonly port: number;
  /** Port of the demo area's regional API (`api_endpoint` = http://127.0.0.1:$CXAUTH_API_PORT). */
  readonly apiPort: number;
  /** Key-encryption key (32 bytes), or undefined to use/generate `$dataDir/kek` (embedded default only). */
  readonly kek: Buffer | undefined;
  readonly tokens: TokenConfig;
  /** Largest accepted request body, bytes. */
  readonly bodyLimit: number;
  readonly logLevel: string;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export const TOKEN_DEFAULTS: TokenConfig = Object.freeze({
  accessTokenTtl: 3600,
  refreshTokenTtl: 7 * 24 * 3600,
  sessionTtl: 30 * 24 * 3600,
  clockTolerance: 30,
  audience: 'cxauth-api',
});

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}; it is "${raw}".`);
  }
  return value;
}

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

function kekFrom(raw: string | undefined): Buffer | undefined {
  if (raw === undefined || raw === '') return undefined;
  const kek = Buffer.from(raw, 'base64');
  if (kek.length !== 32 || kek.toString('base64') !== raw.replace(/\s/g, '')) {
    throw new ConfigError(
      'CXAUTH_KEK must be the base64 of exactly 32 random bytes (openssl rand -base64 32).',
    );
  }
  return kek;
}

/** Builds the configuration from environment variables (and optional overrides, used by tests). */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<ServerConfig> = {},
): ServerConfig {
  const dataDir = path.resolve(env['CXAUTH_DATA_DIR'] || './data');
  const port = integer(env, 'CXAUTH_PORT', 8080, 0, 65535);
  const apiPort = integer(env, 'CXAUTH_API_PORT', 8081, 0, 65535);
  const databaseUrl = env['CXAUTH_DATABASE_URL'] || `sqlite:${path.join(dataDir, 'cxauth.db')}`;
  if (!/^(sqlite:|postgres:\/\/|postgresql:\/\/)/.test(databaseUrl)) {
    throw new ConfigError('CXAUTH_DATABASE_URL must start with sqlite: or postgres://.');
  }
  const kek = kekFrom(env['CXAUTH_KEK']);
  if (kek === undefined && !databaseUrl.startsWith('sqlite:') && !overrides.kek) {
    throw new ConfigError(
      'CXAUTH_KEK is required with PostgreSQL: every node sharing the database must use the same key-encryption key.',
    );
  }
  const tokens: TokenConfig = Object.freeze({
    ...TOKEN_DEFAULTS,
    accessTokenTtl: integer(env, 'CXAUTH_ACCESS_TOKEN_TTL', TOKEN_DEFAULTS.accessTokenTtl, 60, 86_400),
    refreshTokenTtl: integer(
      env,
      'CXAUTH_REFRESH_TOKEN_TTL',
      TOKEN_DEFAULTS.refreshTokenTtl,
      60,
      365 * 86_400,
    ),
    sessionTtl: integer(env, 'CXAUTH_SESSION_TTL', TOKEN_DEFAULTS.sessionTtl, 60, 365 * 86_400),
    audience: env['CXAUTH_AUDIENCE'] || TOKEN_DEFAULTS.audience,
    ...overrides.tokens,
  });
  if (tokens.refreshTokenTtl > tokens.sessionTtl) {
    throw new ConfigError('CXAUTH_REFRESH_TOKEN_TTL must not exceed CXAUTH_SESSION_TTL.');
  }
  const config: ServerConfig = {
    dataDir,
    databaseUrl,
    issuer: issuerFrom(env['CXAUTH_ISSUER'] || `http://127.0.0.1:${port}`),
    host: env['CXAUTH_HOST'] || '127.0.0.1',
    port,
    apiPort,
    kek,
    bodyLimit: integer(env, 'CXAUTH_BODY_LIMIT', 16 * 1024, 1024, 1024 * 1024),
    logLevel: env['CXAUTH_LOG_LEVEL'] || 'info',
    ...overrides,
    tokens,
  };
  return Object.freeze(config);
}
