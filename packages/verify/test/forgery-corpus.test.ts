// Forged and malformed tokens, data-driven: each is refused with its stable code by the verifier and
// with 401 + `WWW-Authenticate: Bearer error="invalid_token"` (never a 500) by both adapters.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createVerifier,
  fastifyBearer,
  httpBearer,
  type TokenErrorCode,
  type Verifier,
} from '../src/index.js';
import {
  AUDIENCE,
  accessClaims,
  appClaims,
  type FakeIssuer,
  mint,
  newKey,
  publicPem,
  signHs256,
  signRaw,
  startIssuer,
  type TestKey,
} from './support/issuer.js';

const NOW = 1_750_000_000;

interface Ctx {
  issuer: FakeIssuer;
  key: TestKey;
  /** Published ES256 (P-256) and EdDSA (Ed25519) keys beside the RS256 one. */
  ec: TestKey;
  ed: TestKey;
  stranger: TestKey;
  claims: () => Record<string, unknown>;
  valid: () => Promise<string>;
}

type Case = [name: string, make: (ctx: Ctx) => Promise<string> | string, code: TokenErrorCode];

const header = (ctx: Ctx, extra: Record<string, unknown> = {}) => ({
  alg: 'RS256',
  typ: 'at+jwt',
  kid: ctx.key.kid,
  ...extra,
});
const withSignature = (token: string, signature: string) => token.replace(/[^.]+$/, signature);
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

const CORPUS: Case[] = [
  [
    'alg none, empty signature',
    (c) => `${b64(header(c, { alg: 'none' }))}.${b64(c.claims())}.`,
    'token_malformed',
  ],
  [
    'alg none with a signature',
    (c) => `${b64(header(c, { alg: 'none' }))}.${b64(c.claims())}.AAAA`,
    'alg_not_allowed',
  ],
  [
    'alg None (case variant)',
    (c) => `${b64(header(c, { alg: 'None' }))}.${b64(c.claims())}.AAAA`,
    'alg_not_allowed',
  ],
  [
    'HS256 keyed with the public key PEM',
    (c) => signHs256(header(c, { alg: 'HS256' }), c.claims(), publicPem(c.key)),
    'alg_not_allowed',
  ],
  [
    'HS256 keyed with the JWK modulus',
    (c) => signHs256(header(c, { alg: 'HS256' }), c.claims(), String(c.key.publicJwk.n)),
    'alg_not_allowed',
  ],
  ['RS512 header', (c) => signRaw(c.key, header(c, { alg: 'RS512' }), c.claims()), 'alg_not_allowed'],
  ['PS256 header', (c) => signRaw(c.key, header(c, { alg: 'PS256' }), c.claims()), 'alg_not_allowed'],
  ['no alg', (c) => signRaw(c.key, { typ: 'at+jwt', kid: c.key.kid }, c.claims()), 'alg_not_allowed'],
  ['unknown kid', (c) => mint(c.stranger, c.claims()), 'kid_unknown'],
  ['no kid', (c) => signRaw(c.key, { alg: 'RS256', typ: 'at+jwt' }, c.claims()), 'kid_unknown'],
  // Algorithm confusion (RFC 8725 §3.1): each published key verifies only its own algorithm.
  [
    'RSA key id with an ES256 header (signed by the EC key)',
    (c) => signRaw(c.ec, header(c, { alg: 'ES256' }), c.claims()),
    'alg_not_allowed',
  ],
  [
    'EC key id with an RS256 header (signed by the RSA key)',
    (c) => signRaw(c.key, header(c, { kid: c.ec.kid }), c.claims()),
    'alg_not_allowed',
  ],
  [
    'EC key id with an EdDSA header (signed by the Ed25519 key)',
    (c) => signRaw(c.ed, header(c, { alg: 'EdDSA', kid: c.ec.kid }), c.claims()),
    'alg_not_allowed',
  ],
  [
    'Ed25519 key id with an ES256 header (signed by the EC key)',
    (c) => signRaw(c.ec, header(c, { alg: 'ES256', kid: c.ed.kid }), c.claims()),
    'alg_not_allowed',
  ],
  [
    'RSA key id with an EdDSA header (signed by the Ed25519 key)',
    (c) => signRaw(c.ed, header(c, { alg: 'EdDSA' }), c.claims()),
    'alg_not_allowed',
  ],
  [
    'HS256 keyed with the EC public key x coordinate',
    (c) => signHs256(header(c, { alg: 'HS256', kid: c.ec.kid }), c.claims(), String(c.ec.publicJwk.x)),
    'alg_not_allowed',
  ],
  [
    'ES384 header on the EC key',
    (c) => signRaw(c.ec, header(c, { alg: 'ES384', kid: c.ec.kid }), c.claims()),
    'alg_not_allowed',
  ],
  [
    'Ed25519 alias header on the OKP key',
    (c) => signRaw(c.ed, header(c, { alg: 'Ed25519', kid: c.ed.kid }), c.claims()),
    'alg_not_allowed',
  ],
  [
    'ES256 kid, signed by another EC key',
    async (c) => mint(await newKey(undefined, 'ES256'), c.claims(), { kid: c.ec.kid }),
    'signature_invalid',
  ],
  [
    'EdDSA kid, signed by another Ed25519 key',
    async (c) => mint(await newKey(undefined, 'EdDSA'), c.claims(), { kid: c.ed.kid }),
    'signature_invalid',
  ],
  [
    'ES256 signature in DER rather than raw r||s',
    async (c) => {
      const token = await mint(c.ec, c.claims());
      const raw = Buffer.from(token.split('.')[2] ?? '', 'base64url');
      const int = (b: Buffer) => {
        const trimmed = b.subarray(b.findIndex((x) => x !== 0));
        const body = (trimmed[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed;
        return Buffer.concat([Buffer.from([2, body.length]), body]);
      };
      const seq = Buffer.concat([int(raw.subarray(0, 32)), int(raw.subarray(32))]);
      const der = Buffer.concat([Buffer.from([0x30, seq.length]), seq]);
      return withSignature(token, der.toString('base64url'));
    },
    'signature_invalid',
  ],
  [
    'known kid, signed by another key',
    (c) => mint(c.stranger, c.claims(), { kid: c.key.kid }),
    'signature_invalid',
  ],
  [
    'jku header',
    (c) => mint(c.stranger, c.claims(), { kid: c.stranger.kid, jku: `${c.issuer.url}/evil` }),
    'header_forbidden',
  ],
  [
    'x5u header',
    (c) => mint(c.key, c.claims(), { x5u: 'https://evil.example/cert.pem' }),
    'header_forbidden',
  ],
  [
    'jwk header (embedded key)',
    (c) => mint(c.stranger, c.claims(), { kid: c.stranger.kid, jwk: c.stranger.publicJwk }),
    'header_forbidden',
  ],
  ['x5c header', (c) => mint(c.key, c.claims(), { x5c: ['MIIB'] }), 'header_forbidden'],
  [
    'crit header',
    (c) => signRaw(c.key, header(c, { crit: ['exp'], exp: 1 }), c.claims()),
    'header_forbidden',
  ],
  [
    'b64 false in crit',
    (c) => signRaw(c.key, header(c, { b64: false, crit: ['b64'] }), c.claims()),
    'header_forbidden',
  ],
  ['zero signature', async (c) => withSignature(await c.valid(), 'A'.repeat(342)), 'signature_invalid'],
  ['truncated signature', async (c) => (await c.valid()).slice(0, -12), 'signature_invalid'],
  ['one-byte signature', async (c) => withSignature(await c.valid(), 'AA'), 'signature_invalid'],
  [
    'payload swapped after signing',
    async (c) => {
      const [h, , s] = (await c.valid()).split('.');
      return `${h}.${b64({ ...c.claims(), tenantId: 'someone-else' })}.${s}`;
    },
    'signature_invalid',
  ],
  ['expired', (c) => mint(c.key, { ...c.claims(), iat: NOW - 7200, exp: NOW - 3600 }), 'token_expired'],
  [
    'expired just beyond the tolerance',
    (c) => mint(c.key, { ...c.claims(), exp: NOW - 31 }),
    'token_expired',
  ],
  ['not yet valid (nbf)', (c) => mint(c.key, { ...c.claims(), nbf: NOW + 3600 }), 'token_not_yet_valid'],
  [
    'issued in the future (iat)',
    (c) => mint(c.key, { ...c.claims(), iat: NOW + 3600, exp: NOW + 7200 }),
    'token_not_yet_valid',
  ],
  ['wrong iss', (c) => mint(c.key, { ...c.claims(), iss: 'https://evil.example' }), 'issuer_invalid'],
  [
    'iss with a trailing slash',
    (c) => mint(c.key, { ...c.claims(), iss: `${c.issuer.url}/` }),
    'issuer_invalid',
  ],
  ['no iss', (c) => mint(c.key, { ...c.claims(), iss: undefined }), 'issuer_invalid'],
  ['wrong aud', (c) => mint(c.key, { ...c.claims(), aud: 'another-api' }), 'audience_invalid'],
  ['aud array without ours', (c) => mint(c.key, { ...c.claims(), aud: ['a', 'b'] }), 'audience_invalid'],
  [
    'id_token as access token',
    (c) =>
      mint(
        c.key,
        {
          iss: c.issuer.url,
          sub: 'user:1',
          aud: 'client-1',
          iat: NOW,
          exp: NOW + 3600,
          auth_time: NOW,
          at_hash: 'x4bX0Yc3Kd2b9V2ZqQ1r4A',
          tenantId: 't',
          name: 'u@example.com',
        },
        { typ: 'JWT' },
      ),
    'type_invalid',
  ],
  ['access claims with typ JWT', (c) => mint(c.key, c.claims(), { typ: 'JWT' }), 'type_invalid'],
  ['no typ', (c) => signRaw(c.key, { alg: 'RS256', kid: c.key.kid }, c.claims()), 'type_invalid'],
  ['refresh token (opaque)', () => Buffer.alloc(32, 7).toString('base64url'), 'token_malformed'],
  ['oversized', (c) => mint(c.key, { ...c.claims(), padding: 'x'.repeat(7_000) }), 'token_too_large'],
  ['not base64url (+ and /)', async (c) => (await c.valid()).replace(/^../, '+/'), 'token_malformed'],
  [
    'not base64url (padding)',
    async (c) => `${(await c.valid()).split('.')[0]}==.e30.AAAA`,
    'token_malformed',
  ],
  ['not base64url (symbols)', () => 'ey!!.$$$.%%%', 'token_malformed'],
  [
    'header not JSON',
    (c) => `${Buffer.from('{"alg":').toString('base64url')}.${b64(c.claims())}.AAAA`,
    'token_malformed',
  ],
  ['header a JSON array', (c) => `${b64(['RS256'])}.${b64(c.claims())}.AAAA`, 'token_malformed'],
  ['payload not JSON (signed)', (c) => signRaw(c.key, header(c), 'not json'), 'token_malformed'],
  ['payload a JSON array (signed)', (c) => signRaw(c.key, header(c), [1, 2]), 'token_malformed'],
  ['two segments', (c) => `${b64(header(c))}.${b64(c.claims())}`, 'token_malformed'],
  ['five segments (JWE shape)', () => 'eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d', 'token_malformed'],
  ['missing tenantId', (c) => mint(c.key, { ...c.claims(), tenantId: undefined }), 'claims_invalid'],
  ['missing area', (c) => mint(c.key, { ...c.claims(), area: undefined }), 'claims_invalid'],
  ['exp as a string', (c) => mint(c.key, { ...c.claims(), exp: String(NOW + 3600) }), 'claims_invalid'],
  ['no exp', (c) => mint(c.key, { ...c.claims(), exp: undefined }), 'claims_invalid'],
  ['role not an object', (c) => mint(c.key, { ...c.claims(), role: 'Administrator' }), 'claims_invalid'],
  ['user token without sid', (c) => mint(c.key, { ...c.claims(), sid: undefined }), 'claims_invalid'],
  ['user token with an empty sid', (c) => mint(c.key, { ...c.claims(), sid: '' }), 'claims_invalid'],
  ['sid not a string', (c) => mint(c.key, { ...c.claims(), sid: 42 }), 'claims_invalid'],
  ['sub of neither form', (c) => mint(c.key, { ...c.claims(), sub: '11eb660f' }), 'claims_invalid'],
  ['sub user: without an id', (c) => mint(c.key, { ...c.claims(), sub: 'user:' }), 'claims_invalid'],
  ['sub app: without an id', (c) => mint(c.key, appClaimsOf(c, { sub: 'app:' })), 'claims_invalid'],
  [
    'app token with a role',
    (c) => mint(c.key, appClaimsOf(c, { role: c.claims()['role'] })),
    'claims_invalid',
  ],
  ['app token with a name', (c) => mint(c.key, appClaimsOf(c, { name: 'u@example.com' })), 'claims_invalid'],
  [
    'app token without tenantId',
    (c) => mint(c.key, appClaimsOf(c, { tenantId: undefined })),
    'claims_invalid',
  ],
];

function appClaimsOf(ctx: Ctx, extra: Record<string, unknown>): Record<string, unknown> {
  return { ...appClaims(ctx.issuer.url, NOW), ...extra };
}

let ctx: Ctx;
let verifier: Verifier;
let httpServer: Server;
let httpUrl: string;
let app: FastifyInstance;

beforeAll(async () => {
  const issuer = await startIssuer();
  const [ec, ed] = [await newKey(undefined, 'ES256'), await newKey(undefined, 'EdDSA')];
  issuer.published.push(ec, ed);
  ctx = {
    issuer,
    key: issuer.key,
    ec,
    ed,
    stranger: await newKey(),
    claims: () => accessClaims(issuer.url, NOW),
    valid: () => mint(issuer.key, accessClaims(issuer.url, NOW)),
  };
  verifier = createVerifier({ issuer: issuer.url, audience: AUDIENCE, clock: () => NOW * 1000 });
  const bearer = httpBearer(verifier, { realm: 'test' });
  httpServer = createServer((req, res) => bearer(req, res, () => res.end('{"ok":true}')));
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  httpUrl = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}/`;
  app = Fastify();
  await app.register(fastifyBearer, { verifier, realm: 'test' });
  app.get('/', async () => ({ ok: true }));
  await app.ready();
});

afterAll(async () => {
  await app.close();
  httpServer.closeAllConnections();
  await new Promise((resolve) => httpServer.close(resolve));
  await ctx.issuer.close();
});

describe('the corpus is well-formed', () => {
  it('a genuine token passes every adapter (so refusals below are about the forgery)', async () => {
    const token = await ctx.valid();
    await expect(verifier.verify(token)).resolves.toMatchObject({ tenantId: ctx.claims()['tenantId'] });
    expect((await fetch(httpUrl, { headers: { authorization: `bearer ${token}` } })).status).toBe(200);
    expect((await app.inject({ url: '/', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(
      200,
    );
  });

  it('a genuine application-subject token passes every adapter too', async () => {
    const token = await mint(ctx.key, appClaims(ctx.issuer.url, NOW));
    await expect(verifier.verify(token)).resolves.toMatchObject({
      sub: appClaims(ctx.issuer.url, NOW)['sub'],
    });
    expect((await fetch(httpUrl, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    expect((await app.inject({ url: '/', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(
      200,
    );
  });
});

describe('every algorithm the JWKS publishes', () => {
  it.each(['ec', 'ed'] as const)('a genuine token of the %s key passes every adapter', async (which) => {
    const token = await mint(ctx[which], ctx.claims());
    expect(headerAlg(token)).toBe(ctx[which].alg);
    await expect(verifier.verify(token)).resolves.toMatchObject({ tenantId: ctx.claims()['tenantId'] });
    expect((await fetch(httpUrl, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    expect((await app.inject({ url: '/', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(
      200,
    );
  });
});

function headerAlg(token: string): unknown {
  return JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString()).alg;
}

describe.each(CORPUS)('forged or malformed: %s', (_name, make, code) => {
  it(`verify() refuses it with ${code}`, async () => {
    await expect(verifier.verify(await make(ctx))).rejects.toMatchObject({ name: 'TokenError', code });
  });

  it('Node http middleware answers 401 invalid_token over a socket', async () => {
    const res = await fetch(httpUrl, { headers: { authorization: `Bearer ${await make(ctx)}` } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(
      /^Bearer realm="test", error="invalid_token", error_description="[^"]+"$/,
    );
    expect(await res.json()).toMatchObject({ error: 'invalid_token' });
  });

  it('Fastify plugin answers 401 invalid_token', async () => {
    const res = await app.inject({ url: '/', headers: { authorization: `Bearer ${await make(ctx)}` } });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
    expect(res.json()).toMatchObject({ error: 'invalid_token' });
  });
});
