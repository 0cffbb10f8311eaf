// The issuer against the one claims contract: `sid` names the grant's session in the access token and
// the id_token and stays across a refresh; an application subject gets the tenant's claims only, no
// refresh token and no id_token; the key ring's verifier follows the keys it reloads.
import crypto from 'node:crypto';
import { createVerifier, subjectOf, TokenError } from '@cxauth/verify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyRing } from '../src/keys/key-ring.js';
import type { LoadedKeys } from '../src/keys/signing-keys.js';
import { adminResource } from '../src/protocol/resource.js';
import { TokenIssuer } from '../src/tokens/issuer.js';
import { basic, claimsOf, tokenRequest } from './support/http.js';
import { startTestService, type TestService } from './support/service.js';

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(async () => svc?.close());

const auth = () => ({ authorization: basic(svc.fixture.clientId, svc.fixture.clientSecret) });

async function password(): Promise<{ access_token: string; id_token: string; refresh_token: string }> {
  const { accessKeyId, accessKeySecret } = svc.fixture;
  const res = await tokenRequest(
    svc.app,
    { grant_type: 'password', username: accessKeyId, password: accessKeySecret, scope: 'openid' },
    auth(),
  );
  expect(res.statusCode).toBe(200);
  return res.json();
}

/** A verifier of this issuer's tokens with the published keys, as a resource server has it. */
function resourceVerifier() {
  const jwks = structuredClone(svc.keys.jwks);
  return createVerifier({
    issuer: svc.config.issuer,
    audience: svc.config.tokens.audience,
    jwks: () => jwks,
    clock: () => svc.clock.now().getTime(),
  });
}

describe('sid', () => {
  it("names the grant's session in the access token and the id_token", async () => {
    const body = await password();
    const sid = claimsOf(body.access_token)['sid'] as string;
    expect(sid).toMatch(/^[0-9a-f-]{36}$/);
    expect(claimsOf(body.id_token)['sid']).toBe(sid);
    const session = await svc.storage.sessions.get(sid);
    expect(session).toMatchObject({ id: sid, userId: svc.fixture.user.id, clientId: svc.fixture.clientId });
  });

  it('stays the same across a refresh, and differs between two sign-ins', async () => {
    const first = await password();
    const res = await tokenRequest(
      svc.app,
      { grant_type: 'refresh_token', refresh_token: first.refresh_token },
      auth(),
    );
    expect(res.statusCode).toBe(200);
    const second = res.json();
    const sid = claimsOf(first.access_token)['sid'];
    expect(claimsOf(second.access_token)['sid']).toBe(sid);
    expect(claimsOf(second.id_token)['sid']).toBe(sid);
    expect(claimsOf((await password()).access_token)['sid']).not.toBe(sid);
  });

  it('is verified by @cxauth/verify as a user subject', async () => {
    const claims = await resourceVerifier().verify((await password()).access_token);
    expect(subjectOf(claims)).toEqual({ kind: 'user', userId: svc.fixture.user.id });
  });
});

describe('an application subject', () => {
  it('gets the tenant claims only, no refresh token and no id_token, and passes the contract', async () => {
    const issuer = new TokenIssuer({
      signer: new KeyRing(svc.keys, { issuer: svc.config.issuer, audience: 'cxauth-api', clockTolerance: 0 }),
      issuer: svc.config.issuer,
      resources: { shared: svc.config.tokens.audience, admin: adminResource(svc.config.issuer) },
      accessTokenTtl: 600,
    });
    const { tenant, app } = svc.fixture;
    const response = await issuer.issue({
      clientId: app.clientId,
      subject: { kind: 'app', application: app, tenant },
      scope: 'openid',
      now: svc.clock.now(),
    });
    expect(Object.keys(response).sort()).toEqual(
      ['access_token', 'expires_in', 'issued_token_type', 'scope', 'token_type'].sort(),
    );
    expect(claimsOf(response.access_token)).toEqual({
      iss: svc.config.issuer,
      sub: `app:${app.clientId}`,
      aud: 'cxauth-api',
      client_id: app.clientId,
      iat: svc.clock.epoch,
      exp: svc.clock.epoch + 600,
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
      scope: 'openid',
      tenantId: tenant.id,
      tenant: tenant.name,
      icBUId: tenant.businessUnitId,
      icClusterId: tenant.clusterId,
      area: tenant.area,
    });
    const claims = await resourceVerifier().verify(response.access_token);
    expect(subjectOf(claims)).toEqual({ kind: 'app', clientId: app.clientId });
  });
});

describe("the key ring's verifier", () => {
  /** A second signing key, loaded as keys/signing-keys.ts loads one. */
  function withNewKey(keys: LoadedKeys): LoadedKeys {
    const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const kid = crypto.randomUUID();
    const jwk = publicKey.export({ format: 'jwk' }) as { n: string; e: string };
    return {
      active: { kid, alg: 'RS256', privateKey },
      jwks: { keys: [{ kty: 'RSA', n: jwk.n, e: jwk.e, kid, alg: 'RS256', use: 'sig' }, ...keys.jwks.keys] },
      statuses: keys.statuses,
    };
  }

  const ring = () =>
    new KeyRing(svc.keys, {
      issuer: svc.config.issuer,
      audience: svc.config.tokens.audience,
      clockTolerance: 30,
      clock: () => svc.clock.now().getTime(),
    });

  it("verifies a reloaded ring's new key, and refuses a removed key's tokens, cached or not", async () => {
    const keyRing = ring();
    const old = (await password()).access_token;
    expect((await keyRing.verifier.verify(old)).sub).toBe(`user:${svc.fixture.user.id}`);

    const rotated = withNewKey(svc.keys);
    keyRing.update(rotated);
    const issuer = new TokenIssuer({
      signer: keyRing,
      issuer: svc.config.issuer,
      resources: { shared: svc.config.tokens.audience, admin: adminResource(svc.config.issuer) },
      accessTokenTtl: 600,
    });
    const { user, tenant } = svc.fixture;
    const fresh = await issuer.issue({
      clientId: svc.fixture.clientId,
      subject: { kind: 'user', user, tenant, sessionId: crypto.randomUUID() },
      scope: 'openid',
      now: svc.clock.now(),
      authTime: svc.clock.now(),
    });
    expect(JSON.parse(Buffer.from(fresh.access_token.split('.')[0]!, 'base64url').toString()).kid).toBe(
      rotated.active.kid,
    );
    await expect(keyRing.verifier.verify(fresh.access_token)).resolves.toMatchObject({
      sid: expect.any(String),
    });
    await expect(keyRing.verifier.verify(old)).resolves.toBeDefined();

    // The old key retired: its token was verified (and cached) before, and is refused now.
    keyRing.update({ ...rotated, jwks: { keys: rotated.jwks.keys.slice(0, 1) } });
    const refusal = await keyRing.verifier.verify(old).catch((err: unknown) => err);
    expect(refusal).toBeInstanceOf(TokenError);
    expect(refusal).toMatchObject({ code: 'kid_unknown' });
    await expect(keyRing.verifier.verify(fresh.access_token)).resolves.toBeDefined();
  });

  it('applies the strict checks of @cxauth/verify to its own tokens (an id_token is not an access token)', async () => {
    const body = await password();
    await expect(ring().verifier.verify(body.id_token)).rejects.toMatchObject({ code: 'type_invalid' });
  });
});
