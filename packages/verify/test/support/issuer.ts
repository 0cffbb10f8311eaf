// A fake issuer for tests: RSA keys, a discovery document, a JWKS that can fail on demand, tenant
// discovery, and token minting with jose — all on an ephemeral 127.0.0.1 port.
import { createHmac, createPublicKey, type JsonWebKey, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';

/** How the JWKS endpoint behaves: serve keys, answer 500, cut the connection, or never answer. */
export type JwksMode = 'ok' | 'error' | 'reset' | 'hang';

/** The algorithms a cxauth issuer signs with. */
export type TestAlg = 'RS256' | 'ES256' | 'EdDSA';

export interface TestKey {
  kid: string;
  alg: TestAlg;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export interface TenantInfo {
  area: string;
  api_endpoint: string;
}

export interface FakeIssuer {
  readonly url: string;
  readonly jwksUri: string;
  /** Keys published in the JWKS (mutable: push or splice to rotate). */
  readonly published: TestKey[];
  /** The key that `mint` signs with by default. */
  readonly key: TestKey;
  /** Tenant discovery answers, by tenantId. */
  readonly tenants: Map<string, TenantInfo>;
  jwksMode: JwksMode;
  /** Extra headers of the JWKS answer (a cxauth issuer sends `Cache-Control: public, max-age=N`). */
  jwksHeaders: Record<string, string>;
  /** Requests served, by path (query excluded). */
  readonly hits: Map<string, number>;
  hitsOf(path: string): number;
  /** Overrides the discovery document's issuer (to test the mismatch check). */
  discoveryIssuer: string | undefined;
  /**
   * The revocation feed: when set, discovery advertises `/auth/revocations` and its answer is this
   * function's body for the `after` query (null when absent); a thrown error answers 500.
   */
  feed: ((after: string | null) => unknown) | undefined;
  close(): Promise<void>;
}

export async function newKey(kid = randomUUID(), alg: TestAlg = 'RS256'): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, {
    extractable: true,
    ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}),
  });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, use: 'sig', alg };
  return { kid, alg, privateKey, publicJwk };
}

export async function startIssuer(): Promise<FakeIssuer> {
  const key = await newKey();
  const hits = new Map<string, number>();
  let server: Server | undefined;
  const state: FakeIssuer = {
    url: '',
    jwksUri: '',
    published: [key],
    key,
    tenants: new Map(),
    jwksMode: 'ok',
    jwksHeaders: {},
    hits,
    hitsOf: (path) => hits.get(path) ?? 0,
    discoveryIssuer: undefined,
    feed: undefined,
    close: () =>
      new Promise<void>((resolve) => {
        server?.closeAllConnections();
        server?.close(() => resolve());
      }),
  };
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', state.url);
    hits.set(url.pathname, (hits.get(url.pathname) ?? 0) + 1);
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { ...headers, 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/.well-known/openid-configuration') {
      const feedUri = state.feed ? { cxauth_revocation_feed_uri: `${state.url}/auth/revocations` } : {};
      json(200, { issuer: state.discoveryIssuer ?? state.url, jwks_uri: state.jwksUri, ...feedUri });
    } else if (url.pathname === '/auth/revocations' && state.feed) {
      try {
        json(200, state.feed(url.searchParams.get('after')));
      } catch {
        json(500, { error: 'server_error' });
      }
    } else if (url.pathname === '/auth/jwks') {
      if (state.jwksMode === 'hang') return;
      if (state.jwksMode === 'reset') req.socket.destroy();
      else if (state.jwksMode === 'error') json(500, { error: 'server_error' });
      else json(200, { keys: state.published.map((k) => k.publicJwk) }, state.jwksHeaders);
    } else if (url.pathname === '/.well-known/cxone-configuration') {
      const tenantId = url.searchParams.get('tenantId') ?? '';
      const tenant = state.tenants.get(tenantId);
      if (tenant) json(200, { tenantId, private: false, ...tenant });
      else json(404, { error: 'not_found' });
    } else {
      json(404, { error: 'not_found' });
    }
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  Object.assign(state, { url: `http://127.0.0.1:${port}`, jwksUri: `http://127.0.0.1:${port}/auth/jwks` });
  return state;
}

export const AUDIENCE = 'cxauth-api';

/** Claims of a valid access token of the given issuer at `now` (seconds). */
export function accessClaims(issuer: string, now: number, area = 'na1'): Record<string, unknown> {
  return {
    iss: issuer,
    sub: 'user:11eb660f-4fdf-02d0-8f28-0242ac110002',
    aud: AUDIENCE,
    client_id: '067ed166-3fdc-4d83-8103-f3235d007961',
    iat: now,
    exp: now + 3600,
    jti: randomUUID(),
    scope: 'openid',
    sid: '5c1d2e3f-0a1b-4c2d-8e3f-4a5b6c7d8e9f',
    tenantId: '11eb660f-4c6d-34a0-8733-0242ac110002',
    tenant: 'perm_testGA1',
    icBUId: -721488662,
    icClusterId: 'DO31',
    area,
    role: {
      id: '11eb660f-4e30-8f80-a255-0242ac110002',
      legacyId: 'Administrator',
      lastUpdateTime: 1614225845000,
      secondaryRoles: [{ id: '11eb660f-4e30-4161-ace1-0242ac110003', lastUpdateTime: 1614225820000 }],
    },
    name: 'user1@nice.com',
    given_name: 'first',
    family_name: 'last',
  };
}

/** Claims of a valid application-subject token: the tenant's claims, none of a user's. */
export function appClaims(issuer: string, now: number, area = 'na1'): Record<string, unknown> {
  const { role, name, given_name, family_name, sid, ...rest } = accessClaims(issuer, now, area);
  return { ...rest, sub: `app:${rest['client_id'] as string}` };
}

/** Signs `claims` with `key` (its own alg, typ at+jwt unless `header` overrides). */
export async function mint(
  key: TestKey,
  claims: Record<string, unknown>,
  header: Record<string, unknown> = {},
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: key.alg, typ: 'at+jwt', kid: key.kid, ...header } as { alg: string })
    .sign(key.privateKey);
}

const b64 = (value: unknown): string =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/**
 * Builds a compact JWS by hand (for headers jose refuses to produce, such as `crit`, or an `alg` that
 * is not the key's), signed with `key` by its own algorithm whatever the header says. `payload` may be
 * raw text to produce a non-JSON payload.
 */
export async function signRaw(
  key: TestKey,
  header: Record<string, unknown>,
  payload: unknown,
): Promise<string> {
  const input = `${b64(header)}.${b64(payload)}`;
  const params =
    key.alg === 'RS256'
      ? { name: 'RSASSA-PKCS1-v1_5' }
      : key.alg === 'ES256'
        ? { name: 'ECDSA', hash: 'SHA-256' }
        : { name: 'Ed25519' };
  const signature = await crypto.subtle.sign(params, key.privateKey, Buffer.from(input));
  return `${input}.${Buffer.from(signature).toString('base64url')}`;
}

/** An HS256 JWS keyed with `secret` (the classic RS256/HS256 confusion when secret is the public key). */
export function signHs256(
  header: Record<string, unknown>,
  payload: unknown,
  secret: string | Buffer,
): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

/** The SPKI PEM of a test key's public half. */
export function publicPem(key: TestKey): string {
  return createPublicKey({ key: key.publicJwk as JsonWebKey, format: 'jwk' })
    .export({ type: 'spki', format: 'pem' })
    .toString();
}
