// Configuration: defaults from README.md "Configuration", and start-up errors that say what to change.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config/config.js';

describe('loadConfig', () => {
  it('has the defaults README.md names', () => {
    const config = loadConfig({ CXAUTH_DATA_DIR: '/tmp/cx' });
    expect(config.port).toBe(8080);
    expect(config.apiPort).toBe(8081);
    expect(config.host).toBe('127.0.0.1');
    expect(config.issuer).toBe('http://127.0.0.1:8080');
    expect(config.databaseUrl).toBe('sqlite:/tmp/cx/cxauth.db');
    expect(config.tokens.accessTokenTtl).toBe(3600);
    expect(config.kek).toBeUndefined();
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.tokens)).toBe(true);
  });

  it('derives the default issuer from CXAUTH_PORT and strips a trailing slash from CXAUTH_ISSUER', () => {
    expect(loadConfig({ CXAUTH_PORT: '9090' }).issuer).toBe('http://127.0.0.1:9090');
    expect(loadConfig({ CXAUTH_ISSUER: 'https://auth.example.com/' }).issuer).toBe(
      'https://auth.example.com',
    );
  });

  it.each([
    [{ CXAUTH_PORT: 'eighty' }, /CXAUTH_PORT/],
    [{ CXAUTH_PORT: '70000' }, /CXAUTH_PORT/],
    [{ CXAUTH_ISSUER: 'not a url' }, /absolute URL/],
    [{ CXAUTH_ISSUER: 'http://auth.example.com' }, /https/],
    [{ CXAUTH_ISSUER: 'https://auth.example.com/?x=1' }, /query/],
    [{ CXAUTH_KEK: 'c2hvcnQ=' }, /32 random bytes/],
    [{ CXAUTH_DATABASE_URL: 'mysql://x' }, /sqlite: or postgres/],
    [{ CXAUTH_DATABASE_URL: 'postgres://postgres@127.0.0.1/test' }, /CXAUTH_KEK is required/],
    [{ CXAUTH_REFRESH_TOKEN_TTL: '864000', CXAUTH_SESSION_TTL: '86400' }, /must not exceed/],
    [{ CXAUTH_HEADERS_TIMEOUT_MS: '20000', CXAUTH_REQUEST_TIMEOUT_MS: '10000' }, /must not exceed/],
    [{ CXAUTH_REQUEST_TIMEOUT_MS: '0' }, /CXAUTH_REQUEST_TIMEOUT_MS must be a whole number from 100/],
    [{ CXAUTH_SHUTDOWN_TIMEOUT_MS: 'soon' }, /CXAUTH_SHUTDOWN_TIMEOUT_MS/],
  ])('rejects %o with a message naming the fix', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('has the HTTP timeouts of docs/operations.md, frozen, and reads each variable', () => {
    const { timeouts } = loadConfig({});
    expect(timeouts).toEqual({
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 15_000,
      keepAliveTimeoutMs: 72_000,
      shutdownTimeoutMs: 10_000,
    });
    expect(Object.isFrozen(timeouts)).toBe(true);
    const set = loadConfig({
      CXAUTH_HEADERS_TIMEOUT_MS: '2000',
      CXAUTH_REQUEST_TIMEOUT_MS: '3000',
      CXAUTH_KEEP_ALIVE_TIMEOUT_MS: '4000',
      CXAUTH_SHUTDOWN_TIMEOUT_MS: '0',
    }).timeouts;
    expect(set).toEqual({
      headersTimeoutMs: 2000,
      requestTimeoutMs: 3000,
      keepAliveTimeoutMs: 4000,
      shutdownTimeoutMs: 0,
    });
  });

  it('accepts a 32-byte CXAUTH_KEK and PostgreSQL with it', () => {
    const kek = Buffer.alloc(32, 7).toString('base64');
    const config = loadConfig({ CXAUTH_KEK: kek, CXAUTH_DATABASE_URL: 'postgres://postgres@127.0.0.1/test' });
    expect(config.kek?.equals(Buffer.alloc(32, 7))).toBe(true);
  });

  describe('overrides set in code go through the same checks as the environment', () => {
    const PG = 'postgres://postgres@127.0.0.1/test';

    it.each([
      ['a KEK that is not 32 bytes', {}, { kek: Buffer.alloc(16) }, /exactly 32 bytes/],
      [
        'PostgreSQL with no KEK from either',
        { CXAUTH_DATABASE_URL: PG },
        {},
        /CXAUTH_KEK is required with PostgreSQL/,
      ],
      ['a database URL of another kind', {}, { databaseUrl: 'mysql://db' }, /CXAUTH_DATABASE_URL must start/],
      ['a plain-http issuer off the loopback host', {}, { issuer: 'http://auth.example.com' }, /https/],
      ['an issuer with a trailing slash', {}, { issuer: 'https://auth.example.com/' }, /slash/],
      ['a port out of range', {}, { apiPort: 70_000 }, /CXAUTH_API_PORT/],
      [
        'metrics on the public port',
        {},
        { port: 9000, managementPort: 9000 },
        /CXAUTH_MANAGEMENT_PORT must differ/,
      ],
      ['an unknown signing algorithm', {}, { signingAlg: 'HS256' as 'RS256' }, /CXAUTH_SIGNING_ALG/],
      ['a key reload interval of 0', {}, { keyReloadMs: 0 }, /keyReloadMs/],
      ['an unknown log level', {}, { logLevel: 'loud' }, /CXAUTH_LOG_LEVEL/],
      ['a negative token lifetime', {}, { tokens: { accessTokenTtl: -1 } }, /tokens.accessTokenTtl/],
      [
        'a refresh token outliving its session',
        {},
        { tokens: { refreshTokenTtl: 7200, sessionTtl: 3600 } },
        /CXAUTH_REFRESH_TOKEN_TTL must not exceed CXAUTH_SESSION_TTL/,
      ],
    ] as const)('refuses %s at start, saying what to change', (_, env, overrides, message) => {
      expect(() => loadConfig({ CXAUTH_DATA_DIR: '/tmp/cx', ...env }, overrides)).toThrow(ConfigError);
      expect(() => loadConfig({ CXAUTH_DATA_DIR: '/tmp/cx', ...env }, overrides)).toThrow(message);
    });

    it('takes a KEK passed in code for PostgreSQL, and keeps the values it was given', () => {
      const kek = Buffer.alloc(32, 9);
      const config = loadConfig(
        { CXAUTH_DATABASE_URL: PG },
        { kek, keyReloadMs: 250, jwksMaxAge: 1, tokens: { accessTokenTtl: 2 } },
      );
      expect(config.kek?.equals(kek)).toBe(true);
      expect(config.keyReloadMs).toBe(250);
      expect(config.jwksMaxAge).toBe(1);
      expect(config.tokens.accessTokenTtl).toBe(2);
      expect(config.tokens.sessionTtl).toBe(30 * 24 * 3600);
    });

    it('is frozen all the way down', () => {
      const config = loadConfig(
        { CXAUTH_TRUSTED_PROXIES: '10.0.0.0/8' },
        { tokens: { accessTokenTtl: 120 } },
      );
      for (const part of [
        config,
        config.tokens,
        config.timeouts,
        config.databaseTimeouts,
        config.trustedProxies,
      ]) {
        expect(Object.isFrozen(part)).toBe(true);
      }
      expect(() => {
        (config.tokens as { accessTokenTtl: number }).accessTokenTtl = 1;
      }).toThrow(TypeError);
    });
  });
});
