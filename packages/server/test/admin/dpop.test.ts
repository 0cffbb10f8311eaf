// DPoP in the admin API: an application set to require DPoP (`dpop_bound_access_tokens`) has every
// token request without a proof refused, and the admin API itself accepts a DPoP-bound token only
// with the DPoP scheme and a proof of its key (RFC 9449 §7).
import { createHash, randomUUID } from 'node:crypto';
import * as jose from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_APP, actor, call, role } from '../support/admin.js';
import { basic, tokenRequest } from '../support/http.js';
import { startTestService, type TestService } from '../support/service.js';

let svc: TestService;
let pair: CryptoKeyPair;

beforeAll(async () => {
  svc = await startTestService({ application: ADMIN_APP });
  pair = (await jose.generateKeyPair('ES256')) as CryptoKeyPair;
});
afterAll(async () => svc?.close());

async function proof(htm: string, htu: string, extra: Record<string, unknown> = {}): Promise<string> {
  return new jose.SignJWT({ jti: randomUUID(), htm, htu, iat: svc.clock.epoch, ...extra })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: await jose.exportJWK(pair.publicKey) })
    .sign(pair.privateKey);
}

describe('DPoP in the admin API', () => {
  it('sets dpop_bound_access_tokens on an application, and its token requests then need a proof', async () => {
    const admin = await actor(svc, svc.fixture.tenant);
    const created = await call(svc, admin, 'POST', '/applications', {
      name: 'Bound backend',
      type: 'backend',
      tenancy: 'single',
      tenantId: svc.fixture.tenant.id,
      grant_types: ['client_credentials'],
      dpop_bound_access_tokens: true,
    });
    expect(created.statusCode).toBe(201);
    const { client_id, client_secret } = created.json() as { client_id: string; client_secret: string };
    expect(created.json().dpop_bound_access_tokens).toBe(true);
    const auth = { authorization: basic(client_id, client_secret) };
    const bare = await tokenRequest(svc.app, { grant_type: 'client_credentials' }, auth);
    expect(bare.statusCode).toBe(400);
    expect(bare.json().error).toBe('invalid_dpop_proof');
    const htu = `${svc.config.issuer}/auth/token`;
    const bound = await tokenRequest(
      svc.app,
      { grant_type: 'client_credentials' },
      { ...auth, dpop: await proof('POST', htu) },
    );
    expect(bound.json().token_type).toBe('DPoP');
    const patched = await call(svc, admin, 'PATCH', `/applications/${client_id}`, {
      dpop_bound_access_tokens: false,
    });
    expect(patched.json().dpop_bound_access_tokens).toBe(false);
    expect((await tokenRequest(svc.app, { grant_type: 'client_credentials' }, auth)).json().token_type).toBe(
      'Bearer',
    );
  });

  it('accepts a bound token only as DPoP with a proof of its key', async () => {
    const user = await svc.addUser(svc.fixture.tenant, { role: role('Administrator') });
    const key = await svc.addAccessKey(user);
    const res = await tokenRequest(
      svc.app,
      {
        grant_type: 'password',
        username: key.id,
        password: key.secret,
        scope: 'openid admin',
        resource: `${svc.config.issuer}/admin/v1`,
      },
      {
        authorization: basic(svc.fixture.clientId, svc.fixture.clientSecret),
        dpop: await proof('POST', `${svc.config.issuer}/auth/token`),
      },
    );
    expect(res.json().token_type).toBe('DPoP');
    const token = res.json().access_token as string;
    const url = `${svc.config.issuer}/admin/v1/users/${user.id}`;
    const ath = createHash('sha256').update(token).digest('base64url');
    const asBearer = await call(svc, { user, token }, 'GET', `/users/${user.id}`);
    expect(asBearer.statusCode).toBe(401);
    expect(asBearer.headers['www-authenticate']).toMatch(/^DPoP /);
    const get = (dpop: string) =>
      svc.app.inject({
        url: `/admin/v1/users/${user.id}`,
        headers: { authorization: `DPoP ${token}`, dpop },
      });
    expect((await get(await proof('GET', url, { ath }))).statusCode).toBe(200);
    expect((await get(await proof('GET', url))).statusCode).toBe(401);
    expect((await get(await proof('DELETE', url, { ath }))).statusCode).toBe(401);
    const replayed = await proof('GET', url, { ath });
    expect((await get(replayed)).statusCode).toBe(200);
    expect((await get(replayed)).statusCode).toBe(401);
  });
});
