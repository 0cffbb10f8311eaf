// Resource-server nonces (RFC 9449 §9): with `dpop.nonce`, a proof without this server's nonce is
// answered 401 `use_dpop_nonce` with a `DPoP-Nonce` header; the nonce rotates, the one before stays
// good for one more window, a forged or another secret's nonce is refused, and instances given one
// secret accept each other's nonces.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifier, fastifyBearer, httpBearer, TokenError, type Verifier } from '../src/index.js';
import { ath, type ProofKey, proof, proofKey, T0, URL_ } from './support/dpop.js';
import { AUDIENCE, accessClaims, type FakeIssuer, mint, startIssuer } from './support/issuer.js';

const SECRET = 'a-secret-of-at-least-32-characters!';
let issuer: FakeIssuer;
let key: ProofKey;
let bound: string;
let now = T0 * 1000;

beforeAll(async () => {
  issuer = await startIssuer();
  key = await proofKey();
  bound = await mint(issuer.key, { ...accessClaims(issuer.url, T0), cnf: { jkt: key.jkt } });
});
afterAll(() => issuer.close());

function verifierWith(nonce: NonNullable<Parameters<typeof createVerifier>[0]['dpop']>['nonce']): Verifier {
  return createVerifier({ issuer: issuer.url, audience: AUDIENCE, clock: () => now, dpop: { nonce } });
}

async function call(verifier: Verifier, nonce?: string) {
  const at = Math.floor(now / 1000);
  const dpop = await proof(key, { ath: ath(bound), iat: at, ...(nonce === undefined ? {} : { nonce }) });
  return verifier.verifyRequest({ authorization: `DPoP ${bound}`, dpop, method: 'GET', url: URL_ }).then(
    () => undefined,
    (err: unknown) => err as TokenError,
  );
}

describe('dpop.nonce', () => {
  it('asks for its nonce, accepts it, and rotates it keeping the one before for a window', async () => {
    now = T0 * 1000;
    const verifier = verifierWith({ secret: SECRET, rotateSec: 60 });
    const asked = await call(verifier);
    expect(asked).toBeInstanceOf(TokenError);
    expect(asked).toMatchObject({ code: 'dpop_nonce_required', status: 401, error: 'use_dpop_nonce' });
    const first = asked?.dpopNonce ?? '';
    expect(first).toBe(verifier.dpopNonce());
    expect(await call(verifier, first)).toBeUndefined();
    // The next window: a new nonce is given out, the first still accepted.
    now += 60_000;
    const second = verifier.dpopNonce() ?? '';
    expect(second).not.toBe(first);
    expect(await call(verifier, first)).toBeUndefined();
    expect(await call(verifier, second)).toBeUndefined();
    // Two windows on, the first is refused and the answer names the current one.
    now += 60_000;
    const stale = await call(verifier, first);
    expect(stale).toMatchObject({ code: 'dpop_nonce_required' });
    expect(stale?.dpopNonce).toBe(verifier.dpopNonce());
    expect(stale?.dpopNonce).not.toBe(second);
  });

  it('refuses a made-up nonce and one of another secret; one secret serves several instances', async () => {
    now = T0 * 1000;
    const one = verifierWith({ secret: SECRET });
    const two = verifierWith({ secret: SECRET });
    const other = verifierWith(true);
    const nonce = one.dpopNonce() ?? '';
    expect(await call(two, nonce)).toBeUndefined();
    expect(await call(other, nonce)).toMatchObject({ code: 'dpop_nonce_required' });
    const [window] = nonce.split('.');
    expect(await call(one, `${window}.AAAAAAAAAAAAAAAAAAAAAA`)).toMatchObject({
      code: 'dpop_nonce_required',
    });
    expect(await call(one, '')).toMatchObject({ code: 'dpop_nonce_required' });
  });

  it('is off by default, and refuses a short secret or a tiny window at creation', async () => {
    now = T0 * 1000;
    const plain = createVerifier({ issuer: issuer.url, audience: AUDIENCE, clock: () => now });
    expect(plain.dpopNonce()).toBeUndefined();
    expect(await call(plain)).toBeUndefined();
    expect(() => verifierWith({ secret: 'short' })).toThrow(/at least 32 bytes/);
    expect(() => verifierWith({ rotateSec: 1 })).toThrow(/rotateSec/);
  });

  it('fastifyBearer answers 401 use_dpop_nonce with DPoP-Nonce, and names the nonce on success', async () => {
    now = T0 * 1000;
    const verifier = verifierWith({ secret: SECRET });
    const app = Fastify();
    await app.register(async (api) => {
      await api.register(fastifyBearer, { verifier, origin: 'https://api.example.com' });
      api.get('/inContactAPI/services/v25.0/server-time', async () => ({ ok: true }));
    });
    const path = '/inContactAPI/services/v25.0/server-time';
    const headers = async (nonce?: string) => ({
      authorization: `DPoP ${bound}`,
      dpop: await proof(key, { ath: ath(bound), ...(nonce === undefined ? {} : { nonce }) }),
    });
    const asked = await app.inject({ url: path, headers: await headers() });
    expect(asked.statusCode).toBe(401);
    expect(asked.headers['www-authenticate']).toMatch(/^DPoP realm="api", error="use_dpop_nonce"/);
    const nonce = String(asked.headers['dpop-nonce']);
    expect(nonce).toBe(verifier.dpopNonce());
    expect(asked.json()).toMatchObject({ error: 'use_dpop_nonce' });
    const ok = await app.inject({ url: path, headers: await headers(nonce) });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['dpop-nonce']).toBe(nonce);
    // A Bearer request is not told about nonces.
    const bearer = await app.inject({ url: path, headers: { authorization: `Bearer ${bound}` } });
    expect(bearer.headers['dpop-nonce']).toBeUndefined();
    await app.close();
  });

  it('httpBearer answers use_dpop_nonce with DPoP-Nonce, and names the nonce on success', async () => {
    now = Date.now();
    const verifier = verifierWith({ secret: SECRET });
    const mw = httpBearer(verifier);
    const server = createServer((req, res) => mw(req, res, () => res.end('ok')));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`;
      const token = await mint(issuer.key, {
        ...accessClaims(issuer.url, Math.floor(now / 1000)),
        cnf: { jkt: key.jkt },
      });
      const send = async (nonce?: string) =>
        fetch(url, {
          headers: {
            authorization: `DPoP ${token}`,
            dpop: await proof(key, {
              htu: url,
              iat: Math.floor(now / 1000),
              ath: ath(token),
              ...(nonce === undefined ? {} : { nonce }),
            }),
          },
        });
      const asked = await send();
      expect(asked.status).toBe(401);
      expect(asked.headers.get('www-authenticate')).toMatch(/error="use_dpop_nonce"/);
      const nonce = asked.headers.get('dpop-nonce') ?? '';
      expect(nonce).toBe(verifier.dpopNonce());
      const ok = await send(nonce);
      expect(await ok.text()).toBe('ok');
      expect(ok.headers.get('dpop-nonce')).toBe(nonce);
    } finally {
      server.close();
    }
  });
});
