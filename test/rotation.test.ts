// Signing-key rotation end to end, over real sockets, with short times through the configuration: a
// bounded load of tokens from the global service against a regional API and a verifier that caches
// the JWKS for its max-age sees no failure and never an unknown kid while a key is published, signs,
// and the old one is retired and removed; ES256 and EdDSA tokens are accepted end to end.
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { createRegionalServer, SERVER_TIME_PATH } from '../packages/regional/src/index.js';
import { TOKEN_DEFAULTS } from '../packages/server/src/config/tokens.js';
import type { SigningAlg } from '../packages/server/src/domain/types.js';
import { generateKeyMaterial } from '../packages/server/src/keys/generate.js';
import {
  listSigningKeys,
  retireSigningKey,
  rotateSigningKey,
} from '../packages/server/src/keys/signing-keys.js';
import { keyTiming } from '../packages/server/src/keys/states.js';
import { startTestService, type TestService } from '../packages/server/test/support/service.js';
import { sleep } from '../packages/server/test/support/wait.js';
import { createVerifier } from '../packages/verify/src/index.js';

const SHORT = { jwksMaxAge: 1, keyReloadMs: 250 };
const TOKENS = { accessTokenTtl: 2, clockTolerance: 1 };
const closers: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const close of closers.reverse()) await close();
});

interface Stack {
  svc: TestService;
  issuer: string;
  api: string;
  token(): Promise<string>;
  kids(): Promise<string[]>;
}

async function stack(alg: SigningAlg): Promise<Stack> {
  // Real time, short token and key times, and keys read again from storage every reload.
  const svc = await startTestService({
    listen: true,
    env: { CXAUTH_SIGNING_ALG: alg },
    config: { ...SHORT, tokens: { ...TOKEN_DEFAULTS, ...TOKENS } },
    now: () => new Date(),
    reloadFromStorage: true,
  });
  closers.push(() => svc.close());
  const issuer = svc.url;
  const regional = await createRegionalServer({
    area: svc.fixture.area.name,
    issuer,
    // A regional API keeping the JWKS for the issuer's max-age.
    jwksMaxAgeMs: SHORT.jwksMaxAge * 1000,
  });
  await regional.listen({ host: '127.0.0.1', port: 0 });
  closers.push(() => regional.close());
  const api = `http://127.0.0.1:${(regional.server.address() as AddressInfo).port}`;
  const token = async () => {
    const res = await fetch(`${issuer}/auth/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${svc.fixture.clientId}:${svc.fixture.clientSecret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({
        grant_type: 'password',
        username: svc.fixture.accessKeyId,
        password: svc.fixture.accessKeySecret,
      }),
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { access_token: string }).access_token;
  };
  const kids = async () =>
    ((await (await fetch(`${issuer}/auth/jwks`)).json()) as { keys: { kid: string }[] }).keys.map(
      (k) => k.kid,
    );
  return { svc, issuer, api, token, kids };
}

const kidOf = (token: string): string =>
  JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString()).kid;
const algOf = (token: string): string =>
  JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString()).alg;
describe('rotation under load', () => {
  it('publishes before signing, retires, removes: 0 failures, no unknown kid', async () => {
    const s = await stack('RS256');
    const timing = keyTiming({ ...TOKENS, ...SHORT });
    // A verifier that keeps the JWKS exactly for its max-age, and remembers what it last fetched.
    let fetchedKids = new Set<string>();
    const verifier = createVerifier({
      issuer: s.issuer,
      audience: 'cxauth-api',
      jwksMaxAgeMs: SHORT.jwksMaxAge * 1000,
      jwksCooldownMs: SHORT.jwksMaxAge * 1000,
      fetch: async (url, init) => {
        const res = await fetch(url, init);
        if (String(url).endsWith('/auth/jwks')) {
          const doc = (await res.clone().json()) as { keys: { kid: string }[] };
          fetchedKids = new Set(doc.keys.map((k) => k.kid));
        }
        return res;
      },
    });
    const first = kidOf(await s.token());
    await verifier.verify(await s.token());

    const failures: string[] = [];
    const seen = new Map<string, number>();
    let running = true;
    const load = (async () => {
      while (running) {
        const token = await s.token();
        const kid = kidOf(token);
        seen.set(kid, (seen.get(kid) ?? 0) + 1);
        // The verifier already holds the kid of every token: it never has to look a kid up.
        if (!fetchedKids.has(kid)) failures.push(`verifier had not fetched ${kid} yet`);
        await verifier.verify(token).catch((err: Error) => failures.push(`verify: ${err.message}`));
        const res = await fetch(`${s.api}${SERVER_TIME_PATH}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        if (res.status !== 200)
          failures.push(`regional ${res.status} ${res.headers.get('www-authenticate')}`);
        await sleep(20);
      }
    })();

    const rotatedAt = new Date();
    const next = await rotateSigningKey(
      s.svc.storage,
      await generateKeyMaterial(s.svc.kek, 'RS256'),
      rotatedAt,
      timing,
    );
    const kid = next?.key.kid ?? '';
    expect(next?.key.signFrom.getTime()).toBe(rotatedAt.getTime() + timing.publishLeadMs);
    // Published within one reload, and no token carries it before its signFrom.
    await expect.poll(s.kids, { timeout: 2000, interval: 50 }).toContain(kid);
    expect(seen.get(kid) ?? 0).toBe(0);
    await expect.poll(async () => kidOf(await s.token()), { timeout: 4000, interval: 100 }).toBe(kid);
    expect(Date.now()).toBeGreaterThanOrEqual(next?.key.signFrom.getTime() ?? 0);

    // The first key, superseded, stays published until its last token has expired, then leaves.
    const statuses = await listSigningKeys(s.svc.storage, new Date(), timing);
    const old = statuses.find((st) => st.key.kid === first);
    expect(old?.state).toBe('retired');
    expect(await s.kids()).toContain(first);
    await expect.poll(s.kids, { timeout: 6000, interval: 100 }).not.toContain(first);
    expect(Date.now()).toBeGreaterThanOrEqual(old?.removeAt?.getTime() ?? 0);
    running = false;
    await load;
    expect(failures).toEqual([]);
    expect(seen.get(first)).toBeGreaterThan(0);
    expect(seen.get(kid)).toBeGreaterThan(0);
  }, 30_000);

  it('retire keeps a key published until its tokens expire; the key that signs cannot be retired', async () => {
    const s = await stack('RS256');
    const timing = keyTiming({ ...TOKENS, ...SHORT });
    const [signing] = (await listSigningKeys(s.svc.storage, new Date(), timing)).filter(
      (k) => k.state === 'signing',
    );
    const kid = signing?.key.kid ?? '';
    await expect(retireSigningKey(s.svc.storage, kid, new Date(), timing)).rejects.toThrow(
      /is the current signer: rotate first \(`cxauth admin signing-key rotate`\)/,
    );
    const next = await rotateSigningKey(
      s.svc.storage,
      await generateKeyMaterial(s.svc.kek, 'RS256'),
      new Date(),
      timing,
    );
    // Still waiting to sign: retiring the signing key now is refused, and says when it can be.
    await expect(retireSigningKey(s.svc.storage, kid, new Date(), timing)).rejects.toThrow(
      new RegExp(`${next?.key.kid} signs from`),
    );
    // A key still waiting to sign may be retired: it never signs.
    const spare = await rotateSigningKey(
      s.svc.storage,
      await generateKeyMaterial(s.svc.kek, 'RS256'),
      new Date(),
      timing,
    );
    const retired = await retireSigningKey(s.svc.storage, spare?.key.kid ?? '', new Date(), timing);
    expect(retired.state).toBe('retired');
    const token = await s.token();
    expect(kidOf(token)).toBe(kid);
    await expect
      .poll(async () => kidOf(await s.token()), { timeout: 4000, interval: 100 })
      .toBe(next?.key.kid);
    // The new key signs: retiring it would hand signing back to the key rotated away from. Refused.
    await expect(retireSigningKey(s.svc.storage, next?.key.kid ?? '', new Date(), timing)).rejects.toThrow(
      new RegExp(`signing key ${next?.key.kid} is the current signer: rotate first`),
    );
    const now = await listSigningKeys(s.svc.storage, new Date(), timing);
    expect(now.find((k) => k.state === 'signing')?.key.kid).toBe(next?.key.kid);
    expect(now.find((k) => k.key.kid === kid)?.state).toBe('retired');
    expect(kidOf(await s.token())).toBe(next?.key.kid);
    expect(await s.kids()).toContain(spare?.key.kid);
    await expect.poll(s.kids, { timeout: 6000, interval: 100 }).not.toContain(spare?.key.kid);
    const last = await listSigningKeys(s.svc.storage, new Date(), timing);
    expect(last.find((k) => k.key.kid === spare?.key.kid)?.state).toBe('removed');
  }, 30_000);
});

describe.each(['ES256', 'EdDSA'] as const)('%s keys end to end', (alg) => {
  it('the global service signs with it, publishes it, and the regional API and verifier accept it', async () => {
    const s = await stack(alg);
    // The fixture's first key is RS256: rotate to the configured algorithm.
    const timing = keyTiming({ ...TOKENS, ...SHORT });
    const next = await rotateSigningKey(
      s.svc.storage,
      await generateKeyMaterial(s.svc.kek, alg),
      new Date(),
      timing,
    );
    await expect
      .poll(async () => kidOf(await s.token()), { timeout: 4000, interval: 100 })
      .toBe(next?.key.kid);
    const token = await s.token();
    expect(algOf(token)).toBe(alg);
    const jwks = (await (await fetch(`${s.issuer}/auth/jwks`)).json()) as { keys: Record<string, string>[] };
    const jwk = jwks.keys.find((k) => k['kid'] === next?.key.kid);
    expect(jwk).toMatchObject(
      alg === 'ES256'
        ? { kty: 'EC', crv: 'P-256', alg, use: 'sig' }
        : { kty: 'OKP', crv: 'Ed25519', alg, use: 'sig' },
    );
    expect(jwk).not.toHaveProperty('d');
    const discovery = (await (await fetch(`${s.issuer}/.well-known/openid-configuration`)).json()) as Record<
      string,
      string[]
    >;
    expect(discovery['id_token_signing_alg_values_supported']).toEqual(['RS256', alg].sort());
    const res = await fetch(`${s.api}${SERVER_TIME_PATH}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    const verifier = createVerifier({ issuer: s.issuer, audience: 'cxauth-api' });
    await expect(verifier.verify(token)).resolves.toMatchObject({ tenantId: s.svc.fixture.tenant.id });
    // Userinfo verifies through the same in-memory verifier.
    const info = await fetch(`${s.issuer}/auth/userinfo`, { headers: { authorization: `Bearer ${token}` } });
    expect(info.status).toBe(200);
  }, 30_000);
});
