// GET /auth/jwks: public keys only, each with kid, cacheable; they verify what the token endpoint signs.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, tokenRequest } from './helpers/http.js';
import { startTestService, type TestService } from './helpers/service.js';

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
