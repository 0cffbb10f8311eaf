// The claims contract's two subjects (user and application), and the in-memory key set an issuer uses
// to verify its own tokens: nothing fetched, new keys seen at once, removed keys refused even when cached.
import { describe, expect, it } from 'vitest';
import {
  type AccessTokenClaims,
  createVerifier,
  isUserClaims,
  type JwksDocument,
  parseSubject,
  subjectOf,
} from '../src/index.js';
import { AUDIENCE, accessClaims, appClaims, mint, newKey, signRaw } from './support/issuer.js';

const ISSUER = 'https://auth.example.test';
const T0 = 1_750_000_000;

function memoryVerifier(current: () => JwksDocument) {
  const fetched: string[] = [];
  const verifier = createVerifier({
    issuer: ISSUER,
    audience: AUDIENCE,
    jwks: current,
    clock: () => T0 * 1000,
    fetch: async (url) => {
      fetched.push(url);
      throw new Error('no network in this test');
    },
  });
  return { verifier, fetched };
}

describe('subjects', () => {
  it('parses user:<id> and app:<client_id>, and nothing else', () => {
    expect(parseSubject('user:u-1')).toEqual({ kind: 'user', userId: 'u-1' });
    expect(parseSubject('app:client-1')).toEqual({ kind: 'app', clientId: 'client-1' });
    for (const sub of ['u-1', 'user:', 'app:', 'USER:u-1', '', 42, undefined]) {
      expect(parseSubject(sub), String(sub)).toBeUndefined();
    }
  });

  it('accepts an application-subject token with the tenant claims and tells the subjects apart', async () => {
    const key = await newKey();
    const { verifier } = memoryVerifier(() => ({ keys: [key.publicJwk] }));
    const app = await verifier.verify(await mint(key, appClaims(ISSUER, T0)));
    expect(subjectOf(app)).toEqual({ kind: 'app', clientId: appClaims(ISSUER, T0)['client_id'] });
    expect(isUserClaims(app)).toBe(false);
    expect(app).toMatchObject({ tenantId: expect.any(String), area: 'na1', icBUId: expect.any(Number) });
    expect(app.role).toBeUndefined();

    const user: AccessTokenClaims = await verifier.verify(await mint(key, accessClaims(ISSUER, T0)));
    expect(subjectOf(user)).toEqual({ kind: 'user', userId: '11eb660f-4fdf-02d0-8f28-0242ac110002' });
    if (!isUserClaims(user)) throw new Error('a user token');
    // Narrowed: a user token's sid and role are typed as present.
    expect(user.sid).toBe(accessClaims(ISSUER, T0)['sid']);
    expect(user.role.legacyId).toBe('Administrator');
  });
});

describe('in-memory key set', () => {
  it('verifies with the keys the caller holds, without fetching anything', async () => {
    const key = await newKey();
    const doc = { keys: [key.publicJwk] };
    const { verifier, fetched } = memoryVerifier(() => doc);
    expect(verifier.isReady).toBe(false);
    await verifier.ready();
    expect(verifier.isReady).toBe(true);
    await expect(verifier.verify(await mint(key, accessClaims(ISSUER, T0)))).resolves.toBeDefined();
    expect(fetched).toEqual([]);
  });

  it("sees a reloaded set's new key at once, and refuses a removed key's tokens, cached or not", async () => {
    const [first, second] = [await newKey(), await newKey()];
    let doc: JwksDocument = { keys: [first.publicJwk] };
    const { verifier } = memoryVerifier(() => doc);
    const old = await mint(first, accessClaims(ISSUER, T0));
    const fresh = await mint(second, accessClaims(ISSUER, T0));
    await verifier.verify(old);
    expect(verifier.cachedAuthorization(`Bearer ${old}`)).toBeDefined();
    await expect(verifier.verify(fresh)).rejects.toMatchObject({ code: 'kid_unknown' });

    doc = { keys: [second.publicJwk, first.publicJwk] };
    await expect(verifier.verify(fresh)).resolves.toBeDefined();
    await expect(verifier.verify(old)).resolves.toBeDefined();

    doc = { keys: [second.publicJwk] };
    expect(verifier.cachedAuthorization(`Bearer ${old}`)).toBeUndefined();
    await expect(verifier.verify(old)).rejects.toMatchObject({ code: 'kid_unknown' });
    await expect(verifier.verify(fresh)).resolves.toBeDefined();
    // The same document object again: the cache serves the token without importing anything.
    expect(verifier.cachedAuthorization(`Bearer ${fresh}`)).toBeDefined();
  });

  it('keeps every strict check: an RS256 token of an unpublished key, or with crit, is refused', async () => {
    const [key, stranger] = [await newKey(), await newKey()];
    const { verifier } = memoryVerifier(() => ({ keys: [key.publicJwk] }));
    const forged = await mint(stranger, accessClaims(ISSUER, T0), { kid: key.kid });
    await expect(verifier.verify(forged)).rejects.toMatchObject({ code: 'signature_invalid' });
    const crit = await signRaw(
      key,
      { alg: 'RS256', typ: 'at+jwt', kid: key.kid, crit: ['exp'] },
      accessClaims(ISSUER, T0),
    );
    await expect(verifier.verify(crit)).rejects.toMatchObject({ code: 'header_forbidden' });
  });

  it('answers jwks_unavailable when the set holds no usable key', async () => {
    const { verifier } = memoryVerifier(() => ({ keys: [{ kty: 'oct', k: 'AAAA', kid: 'x' }] }));
    const token = await mint(await newKey(), accessClaims(ISSUER, T0));
    await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'jwks_unavailable', status: 503 });
  });

  it('refuses jwks together with jwksUri, or a jwks that is not a function', () => {
    const jwks = () => ({ keys: [] });
    expect(() =>
      createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks, jwksUri: `${ISSUER}/jwks` }),
    ).toThrow(TypeError);
    expect(() =>
      createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks: { keys: [] } as unknown as typeof jwks }),
    ).toThrow(TypeError);
  });
});
