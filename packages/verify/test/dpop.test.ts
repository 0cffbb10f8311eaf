// DPoP at a resource server (RFC 9449 §7): `Authorization: DPoP` with its proof — htm, htu, iat, ath,
// the token's cnf.jkt, the jti seen once — a bound token refused as Bearer, and the adapters' answers.
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { importJWK, SignJWT } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  claimsOf,
  createDpopProofChecker,
  createVerifier,
  fastifyBearer,
  httpBearer,
  memoryReplayStore,
  TokenError,
  type Verifier,
} from '../src/index.js';
import { ath, type ProofKey, proof, proofKey, T0, URL_ } from './support/dpop.js';
import { AUDIENCE, accessClaims, type FakeIssuer, mint, startIssuer } from './support/issuer.js';

/** A proof with exactly `header` (jose refuses to sign some of the headers a forger would send). */
async function rawProof(key: ProofKey, header: Record<string, unknown>, claims: Record<string, unknown>) {
  const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const input = `${part(header)}.${part({ jti: randomUUID(), htm: 'GET', htu: URL_, iat: T0, ...claims })}`;
  const signature = await crypto.subtle.sign(
    { name: 'ECDSA', hash: 'SHA-256' },
    key.privateKey,
    Buffer.from(input),
  );
  return `${input}.${Buffer.from(signature).toString('base64url')}`;
}

/** A proof with exactly `header`, signed by `key` (any header: a forger's). */
async function rawProofWith(key: ProofKey, header: Record<string, unknown>, claims: Record<string, unknown>) {
  const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const input = `${part(header)}.${part({ jti: randomUUID(), htm: 'GET', htu: URL_, iat: T0, ...claims })}`;
  const signature = await crypto.subtle.sign(
    { name: 'ECDSA', hash: 'SHA-256' },
    key.privateKey,
    Buffer.from(input),
  );
  return `${input}.${Buffer.from(signature).toString('base64url')}`;
}

let issuer: FakeIssuer;
let now: number;
let verifier: Verifier;
let key: ProofKey;
let bound: string;
let plain: string;

beforeAll(async () => {
  issuer = await startIssuer();
  key = await proofKey();
});
afterAll(() => issuer.close());
beforeEach(async () => {
  now = T0 * 1000;
  verifier = createVerifier({ issuer: issuer.url, audience: AUDIENCE, clock: () => now });
  bound = await mint(issuer.key, { ...accessClaims(issuer.url, T0), cnf: { jkt: key.jkt } });
  plain = await mint(issuer.key, accessClaims(issuer.url, T0));
});

const request = (token: string, dpop: string | undefined, extra: Record<string, string> = {}) => ({
  authorization: `DPoP ${token}`,
  dpop,
  method: 'GET',
  url: URL_,
  ...extra,
});

async function refusal(promise: Promise<unknown>): Promise<TokenError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TokenError);
  return err as TokenError;
}

describe('verifyRequest with DPoP', () => {
  it('accepts a bound token with a proof of its key, for each algorithm', async () => {
    await expect(
      verifier.verifyRequest(request(bound, await proof(key, { ath: ath(bound) }))),
    ).resolves.toMatchObject({ cnf: { jkt: key.jkt } });
    for (const alg of ['EdDSA', 'RS256'] as const) {
      const other = await proofKey(alg);
      const token = await mint(issuer.key, { ...accessClaims(issuer.url, T0), cnf: { jkt: other.jkt } });
      await expect(
        verifier.verifyRequest(request(token, await proof(other, { ath: ath(token) }))),
      ).resolves.toBeDefined();
    }
  });

  it('accepts the jti of a proof once', async () => {
    const once = await proof(key, { ath: ath(bound) });
    await verifier.verifyRequest(request(bound, once));
    const err = await refusal(verifier.verifyRequest(request(bound, once)));
    expect(err).toMatchObject({ code: 'dpop_proof_replayed', status: 401, error: 'invalid_dpop_proof' });
  });

  it('refuses a wrong htm, a wrong htu, a missing or wrong ath, and a stale or future iat', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ htm: 'POST', ath: ath(bound) }, 'htm'],
      [{ htu: 'https://api.example.com/other', ath: ath(bound) }, 'htu'],
      [{ htu: 'https://evil.example.com/inContactAPI/services/v25.0/server-time', ath: ath(bound) }, 'htu'],
      [{}, 'ath'],
      [{ ath: ath(plain) }, 'ath'],
      [{ ath: ath(bound), iat: T0 - 120 }, 'too old'],
      [{ ath: ath(bound), iat: T0 + 120 }, 'future'],
      [{ ath: ath(bound), jti: '' }, 'jti'],
    ];
    for (const [claims, word] of cases) {
      const err = await refusal(verifier.verifyRequest(request(bound, await proof(key, claims))));
      expect(err.code, word).toBe('dpop_proof_invalid');
      expect(err.message, word).toContain(word);
    }
  });

  it('ignores the query and normalizes the htu (RFC 9449 §4.3)', async () => {
    const p = await proof(key, {
      ath: ath(bound),
      htu: 'HTTPS://API.example.com:443/inContactAPI/services/v25.0/server-time',
    });
    await expect(verifier.verifyRequest(request(bound, p, { url: `${URL_}?x=1` }))).resolves.toBeDefined();
  });

  it('refuses a proof of another key, a token bound to none, and a missing or repeated proof', async () => {
    const thief = await proofKey();
    let err = await refusal(verifier.verifyRequest(request(bound, await proof(thief, { ath: ath(bound) }))));
    expect(err.code).toBe('dpop_key_mismatch');
    err = await refusal(verifier.verifyRequest(request(plain, await proof(key, { ath: ath(plain) }))));
    expect(err.code).toBe('dpop_key_mismatch');
    // Another key's proof is refused by its key alone: a signature that is no signature at all
    // (which would cost a check, and a slow key's check a lot) is never looked at.
    const stolen = await proof(thief, { ath: ath(bound) });
    const unsigned = `${stolen.slice(0, stolen.lastIndexOf('.'))}.AAAA`;
    err = await refusal(verifier.verifyRequest(request(bound, unsigned)));
    expect(err.code).toBe('dpop_key_mismatch');
    err = await refusal(verifier.verifyRequest(request(bound, undefined)));
    expect(err.code).toBe('dpop_proof_invalid');
    const p = await proof(key, { ath: ath(bound) });
    err = await refusal(verifier.verifyRequest(request(bound, [p, p] as unknown as string)));
    expect(err.code).toBe('dpop_proof_invalid');
  });

  it('refuses a header that is not a dpop+jwt with a public key of its alg', async () => {
    const withPrivate = { ...key.jwk, d: 'AAAA' };
    const cases: Array<Record<string, unknown>> = [
      { typ: 'JWT' },
      { jwk: withPrivate },
      { jwk: undefined },
      { alg: 'ES256', jwk: (await proofKey('EdDSA')).jwk },
      { x5u: 'https://evil.example/key' },
    ];
    for (const header of cases) {
      const p = await rawProof(
        key,
        { typ: 'dpop+jwt', alg: 'ES256', jwk: key.jwk, ...header },
        { ath: ath(bound) },
      );
      const err = await refusal(verifier.verifyRequest(request(bound, p)));
      expect(err.code, JSON.stringify(header)).toBe('dpop_proof_invalid');
    }
    // A kid beside the jwk is ignored (RFC 9449 §4.2 names only typ, alg and jwk).
    const withKid = await rawProof(
      key,
      { typ: 'dpop+jwt', alg: 'ES256', jwk: key.jwk, kid: 'k1' },
      { ath: ath(bound) },
    );
    await expect(verifier.verifyRequest(request(bound, withKid))).resolves.toBeDefined();
    // A proof whose signature was made by another key than its header's.
    const thief = await proofKey();
    const forged = await new SignJWT({ jti: randomUUID(), htm: 'GET', htu: URL_, iat: T0, ath: ath(bound) })
      .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: key.jwk })
      .sign(thief.privateKey);
    expect((await refusal(verifier.verifyRequest(request(bound, forged)))).message).toContain('signature');
    // alg none, or a symmetric one, never.
    const [h, b] = forged.split('.');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'dpop+jwt', jwk: key.jwk })).toString('base64url')}.${b}.x`;
    expect((await refusal(verifier.verifyRequest(request(bound, none)))).code).toBe('dpop_proof_invalid');
    expect(h).toBeDefined();
  });

  it('refuses a bound token presented as Bearer, cached or not', async () => {
    const err = await refusal(verifier.verifyAuthorization(`Bearer ${bound}`));
    expect(err).toMatchObject({ code: 'dpop_required', status: 401, error: 'invalid_token' });
    await verifier.verifyRequest(request(bound, await proof(key, { ath: ath(bound) })));
    expect(verifier.cachedAuthorization(`Bearer ${bound}`)).toBeUndefined();
    const viaRequest = await refusal(
      verifier.verifyRequest({ authorization: `Bearer ${bound}`, dpop: undefined, method: 'GET', url: URL_ }),
    );
    expect(viaRequest.code).toBe('dpop_required');
    // An unbound token still passes as Bearer.
    await expect(verifier.verifyAuthorization(`Bearer ${plain}`)).resolves.toBeDefined();
  });

  it('takes a token verified before by its exact text only, and checks every proof of it anew', async () => {
    await verifier.verifyRequest(request(bound, await proof(key, { ath: ath(bound) })));
    // The same token again, in other spellings of the scheme and spacing: still its proof is checked.
    for (const authorization of [`DPoP ${bound}`, `dpop ${bound}`, `DPoP  ${bound}`, `DPoP ${bound} `]) {
      const p = await proof(key, { ath: ath(bound) });
      await expect(verifier.verifyRequest({ ...request(bound, p), authorization })).resolves.toMatchObject({
        cnf: { jkt: key.jkt },
      });
      const err = await refusal(verifier.verifyRequest({ ...request(bound, p), authorization }));
      expect(err.code, authorization).toBe('dpop_proof_replayed');
      const thief = await proofKey();
      const other = await refusal(
        verifier.verifyRequest({ ...request(bound, await proof(thief, { ath: ath(bound) })), authorization }),
      );
      expect(other.code, authorization).toBe('dpop_key_mismatch');
    }
    // A cached token with anything after it is a token never verified: refused, never the cached one.
    const [h, b, sig] = bound.split('.') as [string, string, string];
    for (const token of [`${bound}x`, `${bound}\tx`, `${h}.${b}.${sig.slice(0, -2)}AA`, ` ${bound}x`]) {
      const err = await refusal(
        verifier.verifyRequest({
          ...request(bound, await proof(key, { ath: ath(token) })),
          authorization: `DPoP ${token}`,
        }),
      );
      expect(['token_malformed', 'signature_invalid', 'request_malformed'], token.slice(-4)).toContain(
        err.code,
      );
    }
    // An unbound token in the cache (verified as Bearer) sent as DPoP: bound to no key.
    await verifier.verifyAuthorization(`Bearer ${plain}`);
    const unboundErr = await refusal(
      verifier.verifyRequest(request(plain, await proof(key, { ath: ath(plain) }))),
    );
    expect(unboundErr.code).toBe('dpop_key_mismatch');
  });

  it('remembers proof headers by their text: another key under the same kid, or a forged signature, is refused', async () => {
    const thief = await proofKey();
    const header = (k: ProofKey) => ({ typ: 'dpop+jwt', alg: 'ES256', jwk: { ...k.jwk }, kid: 'same' });
    // The thief's header first (so its key is cached), then the victim's header under the same kid.
    const theirs = await rawProofWith(thief, header(thief), { ath: ath(bound) });
    expect((await refusal(verifier.verifyRequest(request(bound, theirs)))).code).toBe('dpop_key_mismatch');
    const mine = await rawProofWith(key, header(key), { ath: ath(bound) });
    await expect(verifier.verifyRequest(request(bound, mine))).resolves.toBeDefined();
    // The victim's header text, now cached, signed by the thief: its signature is checked with the
    // victim's key, and refused; the cached key is the header's own, so nothing the thief sends changes it.
    const forged = await rawProofWith(thief, header(key), { ath: ath(bound) });
    expect((await refusal(verifier.verifyRequest(request(bound, forged)))).message).toContain('signature');
    await expect(
      verifier.verifyRequest(request(bound, await rawProofWith(key, header(key), { ath: ath(bound) }))),
    ).resolves.toBeDefined();
    // A refused header stays refused, and a header that is not base64url is refused before any parse.
    const withPrivate = await rawProofWith(
      key,
      { ...header(key), jwk: { ...key.jwk, d: 'AAAA' } },
      { ath: ath(bound) },
    );
    for (let i = 0; i < 2; i++) {
      expect((await refusal(verifier.verifyRequest(request(bound, withPrivate)))).code).toBe(
        'dpop_proof_invalid',
      );
    }
    const [, payload, signature] = mine.split('.');
    const padded = `${mine.split('.')[0]}=.${payload}.${signature}`;
    expect((await refusal(verifier.verifyRequest(request(bound, padded)))).message).toContain('not a JWS');
  });

  it('refuses a cnf it cannot check', async () => {
    const odd = await mint(issuer.key, { ...accessClaims(issuer.url, T0), cnf: { 'x5t#S256': 'abc' } });
    expect((await refusal(verifier.verify(odd))).code).toBe('claims_invalid');
  });
});

describe('memoryReplayStore', () => {
  it('remembers until expiry, and when full refuses what it could no longer tell', () => {
    let clock = T0 * 1000;
    const store = memoryReplayStore({ capacity: 2, clock: () => clock });
    expect(store.remember('k', 'a', T0, T0 + 60)).toBe(true);
    expect(store.remember('k', 'a', T0, T0 + 60)).toBe(false);
    expect(store.remember('other', 'a', T0, T0 + 60)).toBe(true);
    // Full: 'k.a' (iat T0) is let go, and every proof of iat <= T0 is refused from then on.
    expect(store.remember('k', 'b', T0 + 1, T0 + 61)).toBe(true);
    expect(store.remember('k', 'a', T0, T0 + 60)).toBe(false);
    expect(store.remember('k', 'c', T0 + 2, T0 + 62)).toBe(true);
    clock = (T0 + 100) * 1000;
    expect(store.remember('k', 'd', T0 + 99, T0 + 160)).toBe(true);
  });
});

describe('RSA proof keys', () => {
  const rsaHeader = (n: Buffer, e: Buffer) => ({
    typ: 'dpop+jwt',
    alg: 'RS256',
    jwk: { kty: 'RSA', n: n.toString('base64url'), e: e.toString('base64url') },
  });
  /** An odd modulus of `bits` with its top bit set: enough to be imported, never to sign. */
  const modulus = (bits: number) => {
    const n = randomBytes(bits / 8);
    n[0] = (n[0] ?? 0) | 0x80;
    n[n.length - 1] = (n[n.length - 1] ?? 0) | 1;
    return n;
  };
  const refusedHeader = async (header: Record<string, unknown>) => {
    const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const claims = { jti: randomUUID(), htm: 'POST', htu: URL_, iat: T0 };
    const p = `${part(header)}.${part(claims)}.AAAA`;
    const err = await refusal(
      createDpopProofChecker()(p, { method: 'POST', url: URL_, now: T0, maxAge: 60, tolerance: 5 }),
    );
    expect(err.code).toBe('dpop_proof_invalid');
    // Refused for its key, before any signature check.
    expect(err.message).toBe('The DPoP proof header has no usable public JWK');
  };

  it('refuses a public exponent over 32 bits, and a modulus under 2048 or over 4096 bits', async () => {
    // Each check with an exponent near the modulus costs about 80 times a normal one.
    await refusedHeader(rsaHeader(modulus(3072), modulus(3072)));
    await refusedHeader(rsaHeader(modulus(2048), Buffer.from([1, 0, 0, 0, 1])));
    // An exponent of 1 makes every signature a forgery; an even one is no RSA key.
    await refusedHeader(rsaHeader(modulus(2048), Buffer.from([1])));
    await refusedHeader(rsaHeader(modulus(2048), Buffer.from([1, 0, 0])));
    await refusedHeader(rsaHeader(modulus(1024), Buffer.from([1, 0, 1])));
    await refusedHeader(rsaHeader(modulus(4608), Buffer.from([1, 0, 1])));
  });

  it('accepts the keys in use: 2048 to 4096 bits, exponent 65537', async () => {
    for (const bits of [2048, 4096]) {
      const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: bits });
      const { n, e } = publicKey.export({ format: 'jwk' });
      const signer = await importJWK(privateKey.export({ format: 'jwk' }), 'RS256');
      const p = await new SignJWT({ jti: randomUUID(), htm: 'POST', htu: URL_, iat: T0 })
        .setProtectedHeader({ alg: 'RS256', typ: 'dpop+jwt', jwk: { kty: 'RSA', n, e } })
        .sign(signer);
      const got = await createDpopProofChecker()(p, {
        method: 'POST',
        url: URL_,
        now: T0,
        maxAge: 60,
        tolerance: 5,
      });
      expect(got.iat, `${bits} bits`).toBe(T0);
    }
  });
});

describe('createDpopProofChecker', () => {
  it('returns the thumbprint, jti, iat and nonce of a proof for a token endpoint', async () => {
    const check = createDpopProofChecker();
    const p = await proof(key, { htm: 'POST', htu: 'https://auth.example.com/auth/token', nonce: 'n1' });
    const got = await check(p, {
      method: 'POST',
      url: 'https://auth.example.com/auth/token',
      now: T0,
      maxAge: 60,
      tolerance: 5,
    });
    expect(got).toMatchObject({ jkt: key.jkt, iat: T0, nonce: 'n1' });
  });
});

describe('the adapters', () => {
  it('fastifyBearer verifies DPoP requests and answers a DPoP challenge', async () => {
    const app = Fastify();
    await app.register(async (api) => {
      await api.register(fastifyBearer, { verifier, origin: 'https://api.example.com' });
      api.get('/inContactAPI/services/v25.0/server-time', async (req) => ({ jkt: claimsOf(req)?.cnf?.jkt }));
    });
    const path = '/inContactAPI/services/v25.0/server-time';
    const ok = await app.inject({
      url: `${path}?q=1`,
      headers: { authorization: `DPoP ${bound}`, dpop: await proof(key, { ath: ath(bound) }) },
    });
    expect(ok.json()).toEqual({ jkt: key.jkt });
    const missing = await app.inject({ url: path, headers: { authorization: `DPoP ${bound}` } });
    expect(missing.statusCode).toBe(401);
    expect(missing.headers['www-authenticate']).toMatch(
      /^DPoP realm="api", error="invalid_dpop_proof".*algs="ES256/,
    );
    const asBearer = await app.inject({ url: path, headers: { authorization: `Bearer ${bound}` } });
    expect(asBearer.statusCode).toBe(401);
    expect(asBearer.headers['www-authenticate']).toMatch(/^DPoP realm="api", error="invalid_token"/);
    await app.close();
  });

  it('httpBearer checks htu against the Host it was called at', async () => {
    const mw = httpBearer(verifier);
    const server = createServer((req, res) => mw(req, res, () => res.end('ok')));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const url = `http://127.0.0.1:${port}/x`;
    const good = await fetch(url, {
      headers: { authorization: `DPoP ${bound}`, dpop: await proof(key, { ath: ath(bound), htu: url }) },
    });
    expect(await good.text()).toBe('ok');
    const wrong = await fetch(url, {
      headers: {
        authorization: `DPoP ${bound}`,
        dpop: await proof(key, { ath: ath(bound), htu: `${url}y` }),
      },
    });
    expect(wrong.status).toBe(401);
    server.close();
  });
});
