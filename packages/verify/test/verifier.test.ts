// The verifier's contract: claims out, Authorization parsing (RFC 6750 §2.1), challenges (§3),
// the result cache, the adapters, and the documented list of error codes.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  bearerToken,
  claimsOf,
  createVerifier,
  fastifyBearer,
  httpBearer,
  TOKEN_ERROR_CODES,
  TokenError,
  type Verifier,
} from '../src/index.js';
import { Lru } from '../src/lru.js';
import { AUDIENCE, accessClaims, type FakeIssuer, mint, startIssuer } from './support/issuer.js';

const T0 = 1_750_000_000;
let issuer: FakeIssuer;
let now: number;
let verifier: Verifier;
let token: string;

beforeAll(async () => {
  issuer = await startIssuer();
});
afterAll(() => issuer.close());
beforeEach(async () => {
  issuer.jwksMode = 'ok';
  now = T0 * 1000;
  verifier = createVerifier({ issuer: issuer.url, audience: AUDIENCE, clock: () => now });
  token = await mint(issuer.key, accessClaims(issuer.url, T0));
});

describe('verify', () => {
  it('returns the claims of a valid token, frozen', async () => {
    const claims = await verifier.verify(token);
    expect(claims).toEqual({ ...accessClaims(issuer.url, T0), jti: expect.any(String) });
    expect(claims).toMatchObject({ aud: AUDIENCE, tenant: 'perm_testGA1', icBUId: -721488662, area: 'na1' });
    expect(Object.isFrozen(claims) && Object.isFrozen(claims.role)).toBe(true);
  });

  it('accepts an aud array containing ours and typ application/at+jwt', async () => {
    const t = await mint(
      issuer.key,
      { ...accessClaims(issuer.url, T0), aud: ['x', AUDIENCE] },
      { typ: 'application/AT+JWT' },
    );
    await expect(verifier.verify(t)).resolves.toMatchObject({ aud: ['x', AUDIENCE] });
  });

  it('allows the clock tolerance on exp and iat, and no more', async () => {
    const exp = T0 + 60;
    const t = await mint(issuer.key, { ...accessClaims(issuer.url, T0), iat: T0 + 30, exp });
    await expect(verifier.verify(t)).resolves.toBeDefined();
    now = (exp + 29) * 1000;
    const fresh = createVerifier({ issuer: issuer.url, audience: AUDIENCE, clock: () => now });
    await expect(fresh.verify(t)).resolves.toBeDefined();
    now = (exp + 30) * 1000;
    await expect(fresh.verify(t)).rejects.toMatchObject({ code: 'token_expired' });
  });

  it('refuses options that would disable a check (NaN tolerance or size) at creation', () => {
    // `now >= exp + NaN` is never true: a NaN tolerance (say, Number of an unset variable) would
    // accept expired tokens forever, and a NaN size cap would accept any size.
    const base = { issuer: issuer.url, audience: AUDIENCE };
    for (const bad of [
      { clockToleranceSec: Number.NaN },
      { clockToleranceSec: -1 },
      { clockToleranceSec: Number.POSITIVE_INFINITY },
      { maxTokenLength: Number.NaN },
      { cacheSize: Number.NaN },
      { jwksCooldownMs: Number.NaN },
      { jwksMaxAgeMs: -5 },
      { fetchTimeoutMs: 0 },
      { fetchTimeoutMs: 2 ** 32 },
    ]) {
      expect(() => createVerifier({ ...base, ...bad }), JSON.stringify(bad)).toThrow(TypeError);
    }
    // An issuer or audience left undefined (an unset variable) would match a token that lacks the claim.
    for (const bad of [{ issuer: undefined }, { audience: '' }, { issuer: 42 }]) {
      const options = { ...base, jwksUri: issuer.jwksUri, ...bad } as unknown as Parameters<
        typeof createVerifier
      >[0];
      expect(() => createVerifier(options), JSON.stringify(bad)).toThrow(TypeError);
    }
  });

  it('loads keys with a fractional fetchTimeoutMs (rounded up to whole ms)', async () => {
    const v = createVerifier({
      issuer: issuer.url,
      audience: AUDIENCE,
      clock: () => now,
      fetchTimeoutMs: 1500.5,
    });
    await expect(v.verify(token)).resolves.toMatchObject({ area: 'na1' });
  });

  it('serves a repeated token from the cache until it expires', async () => {
    const first = await verifier.verify(token);
    issuer.jwksMode = 'error';
    expect(await verifier.verify(token)).toBe(first);
    now = (T0 + 3600 + 30) * 1000;
    await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'token_expired' });
  });

  it('never serves a cached result to a different string with the same signature', async () => {
    const cachedClaims = await verifier.verify(token);
    const [h, , sig] = token.split('.');
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...cachedClaims, area: 'eu1' })).toString('base64url')}.${sig}`;
    await expect(verifier.verify(tampered)).rejects.toMatchObject({ code: 'signature_invalid' });
    await expect(verifier.verifyAuthorization(`Bearer ${tampered}`)).rejects.toMatchObject({
      code: 'signature_invalid',
    });
    expect(await verifier.verifyAuthorization(`Bearer ${token}`)).toBe(cachedClaims);
  });

  it('answers cachedAuthorization synchronously only for a token verified before and not expired', async () => {
    expect(verifier.cachedAuthorization(`Bearer ${token}`)).toBeUndefined();
    const claims = await verifier.verifyAuthorization(`Bearer ${token}`);
    expect(verifier.cachedAuthorization(`Bearer ${token}`)).toBe(claims);
    expect(verifier.cachedAuthorization(`bearer ${token}`)).toBe(claims);
    // Anything but one space after the scheme, or another scheme, is left to the strict parse.
    for (const header of [`Bearer  ${token}`, `Bearer ${token} `, `Basic ${token}`, token, undefined]) {
      expect(verifier.cachedAuthorization(header)).toBeUndefined();
    }
    expect(verifier.cachedAuthorization([`Bearer ${token}`])).toBeUndefined();
    now = (T0 + 3600 + 30) * 1000;
    expect(verifier.cachedAuthorization(`Bearer ${token}`)).toBeUndefined();
  });

  it('does not cache refusals', async () => {
    now = T0 * 1000 - 3_600_000;
    await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'token_not_yet_valid' });
    now = T0 * 1000;
    await expect(verifier.verify(token)).resolves.toMatchObject({ area: 'na1' });
  });

  it('refuses a non-string token as missing', async () => {
    await expect(verifier.verify(undefined as unknown as string)).rejects.toMatchObject({
      code: 'token_missing',
    });
  });
});

describe('Authorization header', () => {
  it.each(['Bearer', 'bearer', 'BEARER', 'BeArEr'])('accepts the scheme spelled %s', async (scheme) => {
    await expect(verifier.verifyAuthorization(`${scheme} ${token}`)).resolves.toMatchObject({ area: 'na1' });
  });

  it.each([
    [undefined, 'token_missing'],
    ['', 'token_missing'],
    ['Basic Zm9vOmJhcg==', 'token_missing'],
    ['Bearertoken', 'token_missing'],
    ['Bearer', 'request_malformed'],
    ['Bearer   ', 'request_malformed'],
    ['Bearer a b', 'request_malformed'],
    [['Bearer a', 'Bearer b'], 'request_malformed'],
  ] as const)('%j is refused with %s', (header, code) => {
    expect(() => bearerToken(header)).toThrow(expect.objectContaining({ code }));
  });

  it('tolerates extra spaces around the token', () => {
    expect(bearerToken(`  Bearer   abc.def.ghi  `)).toBe('abc.def.ghi');
  });
});

describe('adapters', () => {
  it('Fastify: protects only its scope and exposes the claims', async () => {
    const app = Fastify();
    app.get('/open', async () => ({ open: true }));
    await app.register(async (api) => {
      await api.register(fastifyBearer, { verifier });
      api.get('/me', async (request) => ({
        tenantId: (request as unknown as { accessToken: { tenantId: string } }).accessToken.tenantId,
        same:
          claimsOf(request)?.jti === (request as unknown as { accessToken: { jti: string } }).accessToken.jti,
      }));
    });
    expect((await app.inject({ url: '/open' })).statusCode).toBe(200);
    const missing = await app.inject({ url: '/me' });
    expect(missing.statusCode).toBe(401);
    expect(missing.headers['www-authenticate']).toBe('Bearer realm="api"');
    const malformed = await app.inject({ url: '/me', headers: { authorization: 'Bearer a b' } });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.headers['www-authenticate']).toMatch(/^Bearer realm="api", error="invalid_request"/);
    const ok = await app.inject({ url: '/me', headers: { authorization: `bearer ${token}` } });
    expect(ok.json()).toEqual({ tenantId: accessClaims(issuer.url, T0)['tenantId'], same: true });
    // Again, now from the cache (the synchronous path), then after expiry: refused, not served stale.
    const again = await app.inject({ url: '/me', headers: { authorization: `Bearer ${token}` } });
    expect(again.json()).toEqual({ tenantId: accessClaims(issuer.url, T0)['tenantId'], same: true });
    now = (T0 + 3600 + 30) * 1000;
    const expired = await app.inject({ url: '/me', headers: { authorization: `Bearer ${token}` } });
    expect(expired.statusCode).toBe(401);
    expect(expired.headers['www-authenticate']).toContain('error="invalid_token"');
    await app.close();
  });

  it('http: calls next with claims, or answers the challenge', async () => {
    const bearer = httpBearer(verifier);
    const server = createServer((req, res) => bearer(req, res, () => res.end(claimsOf(req)?.area)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      const missing = await fetch(url);
      expect(missing.status).toBe(401);
      expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="api"');
      expect(await missing.json()).toEqual({ error: 'unauthorized', error_description: expect.any(String) });
      for (let i = 0; i < 2; i++) {
        // The second request takes the synchronous cached path.
        const ok = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
        expect(await ok.text()).toBe('na1');
      }
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('error codes', () => {
  it('are all documented in docs/verify.md', () => {
    const docs = readFileSync(new URL('../../../docs/verify.md', import.meta.url), 'utf8');
    for (const code of TOKEN_ERROR_CODES) expect(docs, code).toContain(`\`${code}\``);
  });

  it('map to 401, 400 or 503 with the RFC 6750 error', () => {
    expect(new TokenError('token_missing', 'x')).toMatchObject({ status: 401, error: undefined });
    expect(new TokenError('request_malformed', 'x')).toMatchObject({ status: 400, error: 'invalid_request' });
    expect(new TokenError('signature_invalid', 'x')).toMatchObject({ status: 401, error: 'invalid_token' });
    expect(new TokenError('jwks_unavailable', 'x')).toMatchObject({ status: 503, error: undefined });
  });
});

describe('Lru', () => {
  it('evicts the least recently used entry', () => {
    const lru = new Lru<number>(2);
    lru.set('a', 1);
    lru.set('b', 2);
    lru.get('a');
    lru.set('c', 3);
    expect([lru.get('a'), lru.get('b'), lru.get('c'), lru.size]).toEqual([1, undefined, 3, 2]);
  });

  it('keeps a key read while in the newer half, however many keys come after', () => {
    const lru = new Lru<number>(4);
    lru.set('hot', 0);
    for (let i = 0; i < 100; i++) {
      lru.set(`cold${i}`, i);
      expect(lru.get('hot')).toBe(0);
    }
    expect(lru.size).toBe(4);
    expect(lru.get('cold0')).toBeUndefined();
    expect(lru.get('cold99')).toBe(99);
  });
});
