// GET /auth/jwks: public keys only, each with kid, cacheable; they verify what the token endpoint signs.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { KEY_RELOAD_MS } from '../src/keys/key-ring.js';
import { generateSigningKey, loadSigningKeys } from '../src/keys/signing-keys.js';
import { basic, headerOf, tokenRequest } from './support/http.js';
import { startTestService, type TestService } from './support/service.js';

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(async () => svc?.close());

describe('JWKS', () => {
  it('publishes public RSA members only, with kid, alg and use', async () => {
    const res = await svc.app.inject({ method: 'GET', url: '/auth/jwks' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=300');
    const { keys } = res.json() as { keys: Record<string, string>[] };
    expect(keys).toHaveLength(1);
    const [key] = keys;
    expect(Object.keys(key ?? {}).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
    expect(key).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: svc.keys.active.kid });
    for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(res.body).not.toContain(`"${member}"`);
  });

  it('verifies the access token the token endpoint signs (kid in the header)', async () => {
    const token = (
      await tokenRequest(
        svc.app,
        { grant_type: 'password', username: svc.fixture.accessKeyId, password: svc.fixture.accessKeySecret },
        { authorization: basic(svc.fixture.clientId, svc.fixture.clientSecret) },
      )
    ).json().access_token as string;
    const { keys } = (await svc.app.inject({ method: 'GET', url: '/auth/jwks' })).json();
    const [h, p, s] = token.split('.') as [string, string, string];
    const kid = JSON.parse(Buffer.from(h, 'base64url').toString()).kid;
    const jwk = keys.find((k: { kid: string }) => k.kid === kid);
    const key = crypto.createPublicKey({ key: jwk, format: 'jwk' });
    expect(crypto.verify('sha256', Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url'))).toBe(true);
  });
});

describe('key reload', () => {
  it('publishes and signs with a key another node added, after the reload interval', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const { app } = await svc.secondNode({ reloadKeys: () => loadSigningKeys(svc.storage, svc.kek) });
    try {
      // Published and signing from now: newer than the first key, so every node signs with it once loaded.
      const added = await generateSigningKey(svc.kek, new Date());
      await svc.storage.signingKeys.create(added);
      const kids = async () =>
        (await app.inject({ method: 'GET', url: '/auth/jwks' }))
          .json()
          .keys.map((k: { kid: string }) => k.kid);
      expect(await kids()).toEqual([svc.keys.active.kid]);
      vi.advanceTimersByTime(KEY_RELOAD_MS);
      await vi.waitFor(async () =>
        expect((await kids()).sort()).toEqual([svc.keys.active.kid, added.kid].sort()),
      );
      const res = await tokenRequest(
        app,
        { grant_type: 'password', username: svc.fixture.accessKeyId, password: svc.fixture.accessKeySecret },
        { authorization: basic(svc.fixture.clientId, svc.fixture.clientSecret) },
      );
      expect(headerOf(res.json().access_token).kid).toBe(added.kid);
      // Userinfo verifies tokens of the new key as well.
      const info = await app.inject({
        method: 'GET',
        url: '/auth/userinfo',
        headers: { authorization: `Bearer ${res.json().access_token}` },
      });
      expect(info.statusCode).toBe(200);
    } finally {
      vi.useRealTimers();
    }
  });
});
