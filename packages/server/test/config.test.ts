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
});
