// verifyIdToken: an id_token of the issuer, with the same keys (any published algorithm) and header
// rules as access tokens but typ JWT; aud is the client; expired ones only when asked for.
import { describe, expect, it } from 'vitest';
import { createVerifier, type JwksDocument, TokenError } from '../src/index.js';
import { AUDIENCE, accessClaims, mint, newKey } from './support/issuer.js';

const ISSUER = 'https://auth.example.test';
const T0 = 1_750_000_000;
const CLIENT = 'client-1';

const idClaims = (over: Record<string, unknown> = {}) => ({
  iss: ISSUER,
  sub: 'user:u-1',
  aud: CLIENT,
  iat: T0 - 10,
  exp: T0 + 300,
  sid: 's-1',
  nonce: 'n-1',
  ...over,
});

async function code(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof TokenError)) throw new Error(`expected a TokenError, got ${String(err)}`);
  return err.code;
}

for (const alg of ['RS256', 'ES256', 'EdDSA'] as const) {
  describe(`verifyIdToken with ${alg}`, async () => {
    const key = await newKey(undefined, alg);
    const jwks = { keys: [key.publicJwk] } as unknown as JwksDocument;
    const verifier = createVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      jwks: () => jwks,
      clock: () => T0 * 1000,
    });
    const idToken = (claims = idClaims()) => mint(key, claims, { typ: 'JWT' });

    it('returns the claims of an id_token for the client', async () => {
      const claims = await verifier.verifyIdToken(await idToken(), { audience: CLIENT });
      expect(claims).toMatchObject({ sub: 'user:u-1', sid: 's-1', nonce: 'n-1', aud: CLIENT });
      expect(Object.isFrozen(claims)).toBe(true);
      // Without an audience, any one client: the caller reads it from aud.
      expect((await verifier.verifyIdToken(await idToken())).aud).toBe(CLIENT);
    });

    it('refuses an access token, another client, another issuer, and an expired one unless asked', async () => {
      const access = await mint(key, accessClaims(ISSUER, T0));
      expect(await code(verifier.verifyIdToken(access))).toBe('type_invalid');
      expect(await verifier.verify(access)).toMatchObject({ iss: ISSUER });
      await expect(verifier.verify(await idToken())).rejects.toMatchObject({ code: 'type_invalid' });
      expect(await code(verifier.verifyIdToken(await idToken(), { audience: 'other' }))).toBe(
        'audience_invalid',
      );
      expect(await code(verifier.verifyIdToken(await idToken(idClaims({ aud: [CLIENT, 'b'] }))))).toBe(
        'audience_invalid',
      );
      expect(await code(verifier.verifyIdToken(await idToken(idClaims({ iss: 'https://evil.test' }))))).toBe(
        'issuer_invalid',
      );
      const expired = await idToken(idClaims({ iat: T0 - 7200, exp: T0 - 3600 }));
      expect(await code(verifier.verifyIdToken(expired))).toBe('token_expired');
      expect((await verifier.verifyIdToken(expired, { acceptExpired: true })).sid).toBe('s-1');
      const [h, p] = (await idToken()).split('.');
      expect(await code(verifier.verifyIdToken(`${h}.${p}.${'A'.repeat(86)}`))).toBe('signature_invalid');
      expect(await code(verifier.verifyIdToken('not-a-jwt'))).toBe('token_malformed');
    });
  });
}
