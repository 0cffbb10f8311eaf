// The JWKS is kept no longer than the issuer says: a cxauth issuer answers /auth/jwks with
// `Cache-Control: public, max-age=N` and publishes a new key longer than N before signing with it, so a
// verifier that refreshes within N has every key before a token carries it — even with a longer
// `jwksMaxAgeMs` (the default, 10 min) and no request in between.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freshnessMs } from '../src/cache-control.js';
import { createVerifier, type Verifier } from '../src/index.js';
import { AUDIENCE, accessClaims, type FakeIssuer, mint, newKey, startIssuer } from './support/issuer.js';

const JWKS = '/auth/jwks';
let issuer: FakeIssuer;
let verifier: Verifier | undefined;

const token = (key = issuer.key, now = Date.now()) =>
  mint(key, accessClaims(issuer.url, Math.floor(now / 1000)));

beforeEach(async () => {
  issuer = await startIssuer();
});

afterEach(async () => {
  await verifier?.close();
  verifier = undefined;
  await issuer.close();
});

describe('freshnessMs', () => {
  it.each([
    [{ 'cache-control': 'public, max-age=300' }, 300_000],
    [{ 'cache-control': 'max-age="60", public' }, 60_000],
    [{ 'cache-control': 'public, max-age=300', age: '100' }, 200_000],
    [{ 'cache-control': 'max-age=300', age: '400' }, 0],
    [{ 'cache-control': 'max-age=300, max-age=30' }, 30_000],
    [{ 'cache-control': 'no-store' }, 0],
    [{ 'cache-control': 'public, no-cache, max-age=300' }, 0],
    [{ 'cache-control': 'public, max-age=abc' }, undefined],
    [{ 'cache-control': 's-maxage=10' }, undefined],
    [{}, undefined],
  ])('%o → %s ms (RFC 9111 §4.2, §5.2.2.1)', (headers, expected) => {
    expect(freshnessMs(new Headers(headers))).toBe(expected);
  });
});

describe('the JWKS max-age', () => {
  it('refreshes in the background before max-age runs out, so a rotated key is known before its first token', async () => {
    issuer.jwksHeaders = { 'cache-control': 'public, max-age=2' };
    // The default jwksMaxAgeMs (10 min) and a cooldown that would block a lookup of an unknown kid.
    verifier = createVerifier({ issuer: issuer.url, audience: AUDIENCE, jwksCooldownMs: 600_000 });
    await verifier.verify(await token());
    expect(issuer.hitsOf(JWKS)).toBe(1);
    const rotated = await newKey();
    issuer.published.push(rotated);
    // No request needed: the set is fetched again within the 2 s it may be kept.
    await expect.poll(() => issuer.hitsOf(JWKS), { timeout: 3_000, interval: 50 }).toBe(2);
    await expect(verifier.verify(await token(rotated))).resolves.toMatchObject({ iss: issuer.url });
    expect(issuer.hitsOf(JWKS)).toBe(2);
    // Closed, it stops refreshing and still verifies with what it has.
    await verifier.close();
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(issuer.hitsOf(JWKS)).toBe(2);
    await expect(verifier.verify(await token(rotated))).resolves.toMatchObject({ iss: issuer.url });
  });

  it.each([
    ['a max-age shorter than jwksMaxAgeMs wins', 'public, max-age=300', 300_000],
    ['jwksMaxAgeMs wins over a longer max-age', 'public, max-age=900', 600_000],
    ['without Cache-Control, jwksMaxAgeMs applies', undefined, 600_000],
  ])('%s: a request for a known kid refreshes once the set is stale', async (_name, header, staleAfter) => {
    if (header) issuer.jwksHeaders = { 'cache-control': header };
    let now = Date.now();
    verifier = createVerifier({ issuer: issuer.url, audience: AUDIENCE, clock: () => now });
    await verifier.verify(await token(issuer.key, now));
    expect(issuer.hitsOf(JWKS)).toBe(1);
    now += staleAfter - 1_000;
    await verifier.verify(await token(issuer.key, now));
    expect(issuer.hitsOf(JWKS)).toBe(1);
    now += 1_000;
    await verifier.verify(await token(issuer.key, now));
    await expect.poll(() => issuer.hitsOf(JWKS), { timeout: 2_000, interval: 20 }).toBe(2);
  });
});
