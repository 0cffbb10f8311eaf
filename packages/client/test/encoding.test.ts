// The byte-level encodings of the flow against the reference document's vectors (corrected), and
// local JWT decoding, issuer names and environment aliases.
import { describe, expect, it } from 'vitest';
import {
  ClientError,
  clientPassword,
  createClient,
  decodeJwt,
  formUrlEncode,
  HOSTED_ISSUERS,
  optionsFromEnv,
  resolveIssuer,
  tenantIdOf,
} from '../src/index.js';
import { fakeJwt } from './support/fake-host.js';
import { vectors } from './support/vectors.js';

describe('client password (RFC 6749 §2.3.1)', () => {
  it.each(vectors.clientPassword)('$clientId / $clientSecret → $expected', (v) => {
    expect(clientPassword(v.clientId, v.clientSecret)).toBe(v.expected);
  });

  it('is not the Zm9vOmJhcg== the reference prints for NICE/CXone (that is foo:bar)', () => {
    expect(clientPassword('NICE', 'CXone')).not.toBe('Zm9vOmJhcg==');
    expect(atob('Zm9vOmJhcg==')).toBe('foo:bar');
  });

  it('encodes non-ASCII as UTF-8 before base64', () => {
    expect(atob(clientPassword('é', 'x'))).toBe('%C3%A9:x');
  });
});

describe('form-urlencoding', () => {
  it('encodes the padding of access keys', () => {
    expect(formUrlEncode('qwer====')).toBe('qwer%3D%3D%3D%3D');
  });
  it('encodes space as + and reserved characters as %XX', () => {
    expect(formUrlEncode('a b&c=d+e/f:g')).toBe('a+b%26c%3Dd%2Be%2Ff%3Ag');
  });
});

describe('decodeJwt / tenantIdOf (local, unverified)', () => {
  it('reads header and payload', () => {
    const token = fakeJwt({ tenantId: 't-1', name: 'zoë@example.com' });
    const decoded = decodeJwt(token);
    expect(decoded.header).toEqual({ alg: 'RS256', typ: 'at+jwt', kid: 'k1' });
    expect(decoded.payload['name']).toBe('zoë@example.com');
    expect(decoded.signature).toBe('c2lnbmF0dXJl');
    expect(tenantIdOf(token)).toBe('t-1');
  });

  it.each([
    ['two parts', 'abc.def'],
    ['not base64url', 'a*b.c.d'],
    ['not JSON', `${btoa('x')}.${btoa('y')}.z`],
    ['an array payload', `${btoa('{}')}.${btoa('[]')}.z`],
  ])('refuses %s with malformed_token', (_what, token) => {
    expect(() => decodeJwt(token)).toThrow(expect.objectContaining({ code: 'malformed_token' }));
  });

  it('refuses a token without tenantId', () => {
    expect(() => tenantIdOf(fakeJwt({ sub: 'x' }))).toThrow(ClientError);
  });
});

describe('issuers', () => {
  it.each(Object.entries(HOSTED_ISSUERS))('names %s → %s', (name, url) => {
    expect(resolveIssuer(name)).toBe(url);
  });
  it('keeps URLs, without a trailing slash', () => {
    expect(resolveIssuer('https://auth.example.com/')).toBe('https://auth.example.com');
    expect(resolveIssuer('http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080');
  });
  it.each(['nope', 'http://auth.example.com', 'https://a.example/?x=1', 'ftp://a.example'])(
    'refuses %s with invalid_config',
    (value) => {
      expect(() => resolveIssuer(value)).toThrow(expect.objectContaining({ code: 'invalid_config' }));
    },
  );
});

describe('environment', () => {
  it('reads CXAUTH_* first, then the CXONE_* aliases, ignoring empty values', () => {
    expect(
      optionsFromEnv({
        CXAUTH_ISSUER: 'cxone',
        CXONE_ISSUER: 'sov1-eu',
        CXAUTH_CLIENT_ID: '',
        CXONE_CLIENT_ID: 'id-from-cxone',
        CXONE_CLIENT_SECRET: 'cs',
        CXONE_ACCESS_KEY_ID: 'ak',
        CXAUTH_ACCESS_KEY_SECRET: 'as',
      }),
    ).toEqual({
      issuer: 'cxone',
      clientId: 'id-from-cxone',
      clientSecret: 'cs',
      accessKeyId: 'ak',
      accessKeySecret: 'as',
    });
    expect(optionsFromEnv({})).toEqual({});
  });
});

describe('password grant body (RFC 6749 §4.3.2)', () => {
  it.each(vectors.passwordGrantBody)('$accessKeyId → $expected', async (v) => {
    let sent = '';
    const fetch: typeof globalThis.fetch = async (input, init) => {
      const url = String(input);
      if (url.endsWith('/openid-configuration')) {
        return Response.json({ issuer: 'https://as.example', token_endpoint: 'https://as.example/t' });
      }
      sent = String(init?.body);
      return Response.json({
        access_token: fakeJwt({ tenantId: 't' }),
        token_type: 'Bearer',
        expires_in: 60,
      });
    };
    const client = createClient({
      issuer: 'https://as.example',
      clientId: 'c',
      clientSecret: 's',
      ...v,
      fetch,
    });
    await client.token();
    expect(sent).toBe(v.expected);
  });
});
