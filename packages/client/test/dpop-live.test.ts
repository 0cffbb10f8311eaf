// The SDK with `dpop: true` against the real global service and a regional API over sockets: tokens
// bound to a non-extractable key, proofs on API calls, the server nonce retried once, and the
// dpop_jkt of a sign-in.
import type { AddressInfo } from 'node:net';
import { createRegionalServer } from '@cxauth/regional';
import { createDpopProofChecker } from '@cxauth/verify';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freePort } from '../../../test/support/ports.js';
import { startTestService, type TestService } from '../../server/test/support/service.js';
import {
  buildAuthorizationUrl,
  clientCredentials,
  createClient,
  createDpopKey,
  decodeJwt,
} from '../src/index.js';

let svc: TestService;
let regional: FastifyInstance;
let api: string;

async function service(env: NodeJS.ProcessEnv = {}): Promise<TestService> {
  const port = await freePort();
  const s = await startTestService({ issuer: `http://127.0.0.1:${port}`, now: () => new Date(), env });
  await s.app.listen({ host: '127.0.0.1', port });
  return s;
}

beforeAll(async () => {
  svc = await service();
  regional = await createRegionalServer({ area: 'na1', issuer: svc.config.issuer, revocation: false });
  await regional.listen({ host: '127.0.0.1', port: 0 });
  api = `http://127.0.0.1:${(regional.server.address() as AddressInfo).port}`;
}, 60_000);
afterAll(async () => {
  await regional?.close();
  await svc?.close();
});

describe('the SDK with dpop: true', () => {
  it('binds its tokens to a non-extractable key and calls the regional API with proofs', async () => {
    const generate = vi.spyOn(crypto.subtle, 'generateKey');
    const client = createClient({
      issuer: svc.config.issuer,
      clientId: svc.fixture.clientId,
      clientSecret: svc.fixture.clientSecret,
      accessKeyId: svc.fixture.accessKeyId,
      accessKeySecret: svc.fixture.accessKeySecret,
      apiEndpoint: api,
      dpop: true,
    });
    const tokens = await client.token();
    expect(tokens.response.token_type).toBe('DPoP');
    expect(decodeJwt(tokens.accessToken).payload['cnf']).toMatchObject({ jkt: expect.any(String) });
    expect(generate).toHaveBeenCalledWith({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
    generate.mockRestore();
    // Each call a fresh proof: the second is no replay.
    for (let i = 0; i < 2; i++) {
      const time = await client.api<{ ServerTime: string }>(
        'GET',
        '/inContactAPI/services/v25.0/server-time',
      );
      expect(time.ServerTime).toMatch(/Z$/);
    }
    // The refresh grant sends a proof too (the refresh token of a confidential client is not bound).
    client.forgetTokens();
    expect((await client.token()).response.token_type).toBe('DPoP');
  });

  it('makes proofs @cxauth/verify accepts, with ath and the thumbprint of its key', async () => {
    const key = createDpopKey();
    const proof = await key.proof('get', 'https://api.example.com/x?y=1', 'token');
    const checked = await createDpopProofChecker()(proof, {
      method: 'GET',
      url: 'https://api.example.com/x',
      accessToken: 'token',
      now: Date.now() / 1000,
      maxAge: 60,
      tolerance: 5,
    });
    expect(checked.jkt).toBe(await key.thumbprint());
  });

  it('retries once with the nonce the token endpoint asks for (CXAUTH_DPOP_NONCE=on)', async () => {
    const nonced = await service({ CXAUTH_DPOP_NONCE: 'on' });
    try {
      const app = await nonced.addApplication({
        tenantId: nonced.fixture.tenant.id,
        grantTypes: ['client_credentials'],
      });
      const fetches = vi.fn(globalThis.fetch);
      const dpop = createDpopKey();
      const options = {
        issuer: nonced.config.issuer,
        clientId: app.clientId,
        clientSecret: app.clientSecret,
        dpop,
        fetch: fetches,
      };
      const res = await clientCredentials(options);
      expect(res.token_type).toBe('DPoP');
      const tokenCalls = () =>
        fetches.mock.calls.filter(([url]) => String(url).endsWith('/auth/token')).length;
      expect(tokenCalls()).toBe(2);
      // The nonce learnt is used from then on: no refusal the second time.
      await clientCredentials(options);
      expect(tokenCalls()).toBe(3);
    } finally {
      await nonced.close();
    }
  });

  it('retries an API call once with the nonce a regional API asks for (RFC 9449 §9)', async () => {
    const nonced = await createRegionalServer({
      area: 'na1',
      issuer: svc.config.issuer,
      revocation: false,
      dpop: { nonce: { secret: 'the-nonce-secret-of-this-regional-api', rotateSec: 300 } },
    });
    try {
      await nonced.listen({ host: '127.0.0.1', port: 0 });
      const fetches = vi.fn(globalThis.fetch);
      const client = createClient({
        issuer: svc.config.issuer,
        clientId: svc.fixture.clientId,
        clientSecret: svc.fixture.clientSecret,
        accessKeyId: svc.fixture.accessKeyId,
        accessKeySecret: svc.fixture.accessKeySecret,
        apiEndpoint: `http://127.0.0.1:${(nonced.server.address() as AddressInfo).port}`,
        dpop: true,
        fetch: fetches,
      });
      const path = '/inContactAPI/services/v25.0/server-time';
      const apiCalls = () => fetches.mock.calls.filter(([url]) => String(url).endsWith(path));
      const first = await client.api<{ ServerTime: string }>('GET', path);
      expect(first.ServerTime).toMatch(/Z$/);
      // The first call was answered use_dpop_nonce, and the retry carried the nonce.
      expect(apiCalls()).toHaveLength(2);
      const refused = await fetches.mock.results[fetches.mock.calls.indexOf(apiCalls()[0]!)]?.value;
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toMatch(/error="use_dpop_nonce"/);
      // The nonce learnt is used from then on: one request per call.
      await client.api('GET', path);
      expect(apiCalls()).toHaveLength(3);
    } finally {
      await nonced.close();
    }
  });

  it('asks for a code bound to a shared key (dpop_jkt)', async () => {
    const dpop = createDpopKey();
    const { url } = await buildAuthorizationUrl({
      issuer: svc.config.issuer,
      clientId: svc.fixture.clientId,
      redirectUri: 'http://127.0.0.1:9999/callback',
      dpop,
    });
    expect(new URL(url).searchParams.get('dpop_jkt')).toBe(await dpop.thumbprint());
  });
});
