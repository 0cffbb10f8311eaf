// The key cache under failure: keys stay cached through JWKS outages, unknown kids refetch at most once
// per cooldown, and a verifier that never loaded keys answers 503, never 500. Time is injected.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bearerErrorResponse, createVerifier, type Verifier } from '../src/index.js';
import { AUDIENCE, accessClaims, type FakeIssuer, mint, newKey, startIssuer } from './support/issuer.js';

const T0 = 1_750_000_000_000;
const COOLDOWN = 30_000;
const JWKS = '/auth/jwks';

let issuer: FakeIssuer;
let now: number;
let errors: unknown[];

function verifierFor(extra: Partial<Parameters<typeof createVerifier>[0]> = {}): Verifier {
  return createVerifier({
    issuer: issuer.url,
    audience: AUDIENCE,
    clock: () => now,
    jwksCooldownMs: COOLDOWN,
    fetchTimeoutMs: 2_000,
    onJwksError: (err) => errors.push(err),
    ...extra,
  });
}

/** A fresh valid token (a new jti, so never a cache hit). */
const token = (key = issuer.key) => mint(key, accessClaims(issuer.url, Math.floor(now / 1000)));

beforeEach(async () => {
  issuer = await startIssuer();
  now = T0;
  errors = [];
});

afterEach(async () => {
  await issuer.close();
});

describe('JWKS outage', () => {
  it.each(['error', 'reset', 'hang'] as const)(
    'keeps accepting valid tokens with the cached keys while the JWKS endpoint is %s',
    async (mode) => {
      const verifier = verifierFor({ fetchTimeoutMs: 300, jwksMaxAgeMs: 60_000 });
      await verifier.verify(await token());
      expect(issuer.hitsOf(JWKS)).toBe(1);
      issuer.jwksMode = mode;
      now += 10 * 60_000; // past the max age and the cooldown: a background refresh fails
      await expect(verifier.verify(await token())).resolves.toMatchObject({ area: 'na1' });
      const unknown = await newKey();
      await expect(verifier.verify(await token(unknown))).rejects.toMatchObject({ code: 'kid_unknown' });
      await expect(verifier.verify(await token())).resolves.toMatchObject({ area: 'na1' });
      expect(errors.length).toBeGreaterThan(0);
    },
  );

  it('keeps accepting valid tokens when the issuer is gone entirely', async () => {
    const verifier = verifierFor();
    await verifier.verify(await token());
    const key = issuer.key;
    const url = issuer.url;
    await issuer.close();
    now += 3_600_000;
    await expect(
      verifier.verify(await mint(key, accessClaims(url, Math.floor(now / 1000)))),
    ).resolves.toMatchObject({ iss: url });
  });

  it('answers jwks_unavailable (503, not 500) when keys were never loaded, and recovers', async () => {
    issuer.jwksMode = 'error';
    const verifier = verifierFor();
    const err = await verifier.verify(await token()).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'jwks_unavailable', status: 503 });
    expect(bearerErrorResponse(err, 'api')).toMatchObject({ status: 503, headers: { 'retry-after': '5' } });
    expect(verifier.isReady).toBe(false);
    await expect(verifier.ready()).rejects.toMatchObject({ code: 'jwks_unavailable' });
    expect(issuer.hitsOf(JWKS)).toBe(1); // the retry waits for its interval
    issuer.jwksMode = 'ok';
    now += 1_000;
    await verifier.ready();
    expect(verifier.isReady).toBe(true);
    await expect(verifier.verify(await token())).resolves.toMatchObject({ area: 'na1' });
  });
});

describe('unknown kid', () => {
  it('refetches at most once per cooldown, however many unknown kids arrive', async () => {
    const verifier = verifierFor();
    await verifier.verify(await token());
    expect(issuer.hitsOf(JWKS)).toBe(1);
    now += COOLDOWN;
    const strangers = await Promise.all([newKey(), newKey(), newKey()]);
    const forged = await Promise.all(strangers.map((k) => token(k)));
    const results = await Promise.allSettled(forged.map((t) => verifier.verify(t)));
    for (const r of results) expect(r).toMatchObject({ status: 'rejected', reason: { code: 'kid_unknown' } });
    for (const t of forged) await expect(verifier.verify(t)).rejects.toMatchObject({ code: 'kid_unknown' });
    expect(issuer.hitsOf(JWKS)).toBe(2);
    now += COOLDOWN - 1;
    await expect(verifier.verify(forged[0]!)).rejects.toMatchObject({ code: 'kid_unknown' });
    expect(issuer.hitsOf(JWKS)).toBe(2);
    now += 1;
    await expect(verifier.verify(forged[0]!)).rejects.toMatchObject({ code: 'kid_unknown' });
    expect(issuer.hitsOf(JWKS)).toBe(3);
  });

  it('picks up a rotated key once the cooldown allows a refetch', async () => {
    const verifier = verifierFor();
    await verifier.verify(await token());
    const next = await newKey();
    issuer.published.push(next);
    await expect(verifier.verify(await token(next))).rejects.toMatchObject({ code: 'kid_unknown' });
    now += COOLDOWN;
    await expect(verifier.verify(await token(next))).resolves.toMatchObject({ area: 'na1' });
    await expect(verifier.verify(await token())).resolves.toMatchObject({ area: 'na1' });
  });
});

describe('where the keys come from', () => {
  it('reads jwks_uri from discovery once', async () => {
    const verifier = verifierFor();
    await verifier.ready();
    now += COOLDOWN;
    await expect(verifier.verify(await token(await newKey()))).rejects.toMatchObject({ code: 'kid_unknown' });
    expect(issuer.hitsOf('/.well-known/openid-configuration')).toBe(1);
    expect(issuer.hitsOf(JWKS)).toBe(2);
  });

  it('never trusts a discovery document that names another issuer', async () => {
    issuer.discoveryIssuer = 'https://evil.example';
    const verifier = verifierFor();
    await expect(verifier.verify(await token())).rejects.toMatchObject({ code: 'jwks_unavailable' });
    expect(issuer.hitsOf(JWKS)).toBe(0);
    expect(String(errors[0])).toContain('evil.example');
  });

  it('uses an explicit jwksUri without discovery', async () => {
    const verifier = verifierFor({ jwksUri: issuer.jwksUri });
    await expect(verifier.verify(await token())).resolves.toMatchObject({ area: 'na1' });
    expect(issuer.hitsOf('/.well-known/openid-configuration')).toBe(0);
  });

  it('never verifies with a key whose key_ops or use exclude verification (RFC 7517 §4.2, §4.3)', async () => {
    const encOnly = await newKey();
    const encUse = await newKey();
    const signing = await newKey();
    issuer.published.push(
      { ...encOnly, publicJwk: { ...encOnly.publicJwk, use: undefined, key_ops: ['encrypt', 'wrapKey'] } },
      { ...encUse, publicJwk: { ...encUse.publicJwk, use: 'enc' } },
      { ...signing, publicJwk: { ...signing.publicJwk, use: undefined, key_ops: ['verify'] } },
    );
    const verifier = verifierFor();
    await expect(verifier.verify(await token(encOnly))).rejects.toMatchObject({ code: 'kid_unknown' });
    await expect(verifier.verify(await token(encUse))).rejects.toMatchObject({ code: 'kid_unknown' });
    await expect(verifier.verify(await token(signing))).resolves.toMatchObject({ area: 'na1' });
  });

  it('keeps the last good set when a refresh returns no usable key', async () => {
    const verifier = verifierFor();
    await verifier.ready();
    const good = issuer.published.splice(0);
    issuer.published.push({ ...good[0]!, publicJwk: { kty: 'EC', kid: 'ec' } });
    now += COOLDOWN;
    await expect(verifier.verify(await token(await newKey()))).rejects.toMatchObject({ code: 'kid_unknown' });
    await expect(verifier.verify(await token(good[0]))).resolves.toMatchObject({ area: 'na1' });
  });
});
