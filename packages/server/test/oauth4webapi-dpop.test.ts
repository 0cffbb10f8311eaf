// RFC 9449 DPoP end to end over a real socket, with oauth4webapi (an independent client that implements
// DPoP) at the token endpoint, userinfo and a regional API: client credentials and the code flow bound
// to a key, the refresh token of a public client bound to it, and each attack a proof must stop — a
// replayed proof, a wrong htu or htm, a missing ath, a stolen bound token used as Bearer or with
// another key, a stolen refresh token — and the server nonce flow.
import { createHash, randomUUID } from 'node:crypto';
import { createRegionalServer } from '@cxauth/regional';
import type { FastifyInstance } from 'fastify';
import * as jose from 'jose';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../test/support/ports.js';
import type { Application } from '../src/domain/types.js';
import { basic, claimsOf } from './support/http.js';
import { startTestService, type TestService } from './support/service.js';
import {
  authorizeQuery,
  Browser,
  hiddenInputs,
  PASSWORD,
  pkce,
  publicApp,
  REDIRECT,
  redirectParams,
  signInUser,
} from './support/sign-in.js';

const insecure = { [oauth.allowInsecureRequests]: true };
const API = 'https://api-na1.cxauth.test';
const SERVER_TIME = '/inContactAPI/services/v25.0/server-time';

let svc: TestService;
let as: oauth.AuthorizationServer;
let regional: FastifyInstance;
let robot: { clientId: string; clientSecret: string };
let robotClient: oauth.Client;

const keyPair = () => oauth.generateKeyPair('ES256') as Promise<CryptoKeyPair>;

/** Captures the headers of the requests oauth4webapi sends, so a test can replay them. */
function capturing(sent: Record<string, string>[]) {
  return {
    ...insecure,
    [oauth.customFetch]: (url: string, init: oauth.CustomFetchOptions<'POST', URLSearchParams>) => {
      sent.push(lower(init.headers));
      return fetch(url, init);
    },
  };
}

/** Header names in lower case. */
function lower(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

async function jkt(pair: CryptoKeyPair): Promise<string> {
  return jose.calculateJwkThumbprint(await jose.exportJWK(pair.publicKey), 'sha256');
}

/** A proof made by hand with `pair`, for the attacks oauth4webapi would never send. */
async function handProof(pair: CryptoKeyPair, claims: Record<string, unknown>): Promise<string> {
  return new jose.SignJWT({ jti: randomUUID(), iat: Math.floor(Date.now() / 1000), ...claims })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: await jose.exportJWK(pair.publicKey) })
    .sign(pair.privateKey);
}

const ath = (token: string) => createHash('sha256').update(token).digest('base64url');

async function clientCredentials(
  pair: CryptoKeyPair | undefined,
  options: Record<PropertyKey, unknown> = insecure,
) {
  const auth = oauth.ClientSecretBasic(robot.clientSecret);
  const DPoP = pair ? oauth.DPoP(robotClient, pair) : undefined;
  const request = () =>
    oauth.clientCredentialsGrantRequest(as, robotClient, auth, {}, { ...options, ...(DPoP ? { DPoP } : {}) });
  let response = await request();
  try {
    return await oauth.processClientCredentialsResponse(as, robotClient, response);
  } catch (err) {
    // RFC 9449 §8: one retry with the nonce the server asked for.
    if (!oauth.isDPoPNonceError(err)) throw err;
    response = await request();
    return oauth.processClientCredentialsResponse(as, robotClient, response);
  }
}

async function tokenPost(body: Record<string, string>, headers: Record<string, string>) {
  return fetch(as.token_endpoint as string, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(body),
  });
}

const robotBasic = () => basic(robot.clientId, robot.clientSecret);

beforeAll(async () => {
  const port = await freePort();
  // The real clock: oauth4webapi stamps its proofs with it.
  svc = await startTestService({ issuer: `http://127.0.0.1:${port}`, now: () => new Date() });
  await svc.app.listen({ host: '127.0.0.1', port });
  const issuer = new URL(svc.config.issuer);
  as = await oauth.processDiscoveryResponse(
    issuer,
    await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecure }),
  );
  robot = await svc.addApplication({ tenantId: svc.fixture.tenant.id, grantTypes: ['client_credentials'] });
  robotClient = { client_id: robot.clientId };
  regional = await createRegionalServer({
    area: 'na1',
    issuer: svc.config.issuer,
    origin: API,
    revocation: false,
  });
}, 60_000);
afterAll(async () => {
  await regional?.close();
  await svc?.close();
});

const apiCall = (headers: Record<string, string>, method = 'GET') =>
  regional.inject({ method: method as 'GET', url: SERVER_TIME, headers });

describe('DPoP with client credentials', () => {
  it('lists the proof algorithms in discovery', () => {
    expect(as.dpop_signing_alg_values_supported).toEqual(['ES256', 'EdDSA', 'RS256']);
  });

  it('binds the access token to the key (cnf.jkt, token_type DPoP), and the regional API checks each proof', async () => {
    const pair = await keyPair();
    const tokens = await clientCredentials(pair);
    expect(tokens.token_type).toBe('dpop');
    expect(claimsOf(tokens.access_token)['cnf']).toEqual({ jkt: await jkt(pair) });
    // Introspection names the key (RFC 9449 §6.2).
    const info = await oauth.processIntrospectionResponse(
      as,
      robotClient,
      await oauth.introspectionRequest(
        as,
        robotClient,
        oauth.ClientSecretBasic(robot.clientSecret),
        tokens.access_token,
        insecure,
      ),
    );
    expect(info).toMatchObject({ active: true, token_type: 'DPoP', cnf: { jkt: await jkt(pair) } });
    // oauth4webapi's resource request, with its proof (htm, htu, ath), against the regional API.
    const DPoP = oauth.DPoP(robotClient, pair);
    const sent: Record<string, string>[] = [];
    const res = await oauth.protectedResourceRequest(
      tokens.access_token,
      'GET',
      new URL(`${API}${SERVER_TIME}`),
      undefined,
      undefined,
      {
        DPoP,
        [oauth.customFetch]: async (_url: string, init: { headers: Record<string, string> }) => {
          const headers = lower(init.headers);
          sent.push(headers);
          const answer = await apiCall(headers);
          return new Response(answer.body, { status: answer.statusCode });
        },
      },
    );
    expect(res.status).toBe(200);
    expect(sent[0]?.['authorization']).toMatch(/^DPoP /);
    // The same proof again: its jti was seen.
    const replay = await apiCall(sent[0] as Record<string, string>);
    expect(replay.statusCode).toBe(401);
    expect(replay.headers['www-authenticate']).toMatch(/^DPoP .*error="invalid_dpop_proof"/);
    expect(replay.json().error_description).toMatch(/used before/);
  });

  it('refuses a proof of the wrong htu or htm, or without ath, at the regional API', async () => {
    const pair = await keyPair();
    const token = (await clientCredentials(pair)).access_token;
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ htm: 'GET', htu: `${API}/elsewhere`, ath: ath(token) }, /htu/],
      [{ htm: 'GET', htu: `https://evil.test${SERVER_TIME}`, ath: ath(token) }, /htu/],
      [{ htm: 'POST', htu: `${API}${SERVER_TIME}`, ath: ath(token) }, /htm/],
      [{ htm: 'GET', htu: `${API}${SERVER_TIME}` }, /ath/],
    ];
    for (const [claims, why] of cases) {
      const res = await apiCall({ authorization: `DPoP ${token}`, dpop: await handProof(pair, claims) });
      expect(res.statusCode, String(why)).toBe(401);
      expect(res.json().error_description).toMatch(why);
    }
  });

  it('refuses a stolen bound token used as Bearer or with another key, at the regional API and userinfo', async () => {
    const pair = await keyPair();
    const token = (await clientCredentials(pair)).access_token;
    const asBearer = await apiCall({ authorization: `Bearer ${token}` });
    expect(asBearer.statusCode).toBe(401);
    expect(asBearer.headers['www-authenticate']).toMatch(/^DPoP .*error="invalid_token"/);
    const thief = await keyPair();
    const otherKey = await apiCall({
      authorization: `DPoP ${token}`,
      dpop: await handProof(thief, { htm: 'GET', htu: `${API}${SERVER_TIME}`, ath: ath(token) }),
    });
    expect(otherKey.statusCode).toBe(401);
    expect(otherKey.json().error_description).toMatch(/not signed by the key/);
    const userinfo = await fetch(as.userinfo_endpoint as string, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(userinfo.status).toBe(401);
    expect(userinfo.headers.get('www-authenticate')).toMatch(/^DPoP /);
  });

  it('refuses a replayed proof, a wrong htu or htm at the token endpoint', async () => {
    const pair = await keyPair();
    const sent: Record<string, string>[] = [];
    await clientCredentials(pair, capturing(sent));
    const proof = sent[0]?.['dpop'] as string;
    const body = { grant_type: 'client_credentials' };
    const replay = await tokenPost(body, { authorization: robotBasic(), dpop: proof });
    expect(replay.status).toBe(400);
    expect(await replay.json()).toMatchObject({
      error: 'invalid_dpop_proof',
      error_description: expect.stringMatching(/used before/),
    });
    for (const claims of [
      { htm: 'POST', htu: `${svc.config.issuer}/auth/revoke` },
      { htm: 'GET', htu: as.token_endpoint },
      { htm: 'POST', htu: `http://evil.test/auth/token` },
    ]) {
      const res = await tokenPost(body, { authorization: robotBasic(), dpop: await handProof(pair, claims) });
      expect(res.status).toBe(400);
      expect((await res.json()).error).toBe('invalid_dpop_proof');
    }
    // Two proofs at once are refused too.
    const two = await tokenPost(body, {
      authorization: robotBasic(),
      dpop: `${await handProof(pair, { htm: 'POST', htu: as.token_endpoint })}, ${await handProof(pair, { htm: 'POST', htu: as.token_endpoint })}`,
    });
    expect(two.status).toBe(400);
  });

  it('refuses a second node the proof the first one took (the jti store is shared)', async () => {
    const pair = await keyPair();
    const proof = await handProof(pair, { htm: 'POST', htu: as.token_endpoint });
    const first = await tokenPost(
      { grant_type: 'client_credentials' },
      { authorization: robotBasic(), dpop: proof },
    );
    expect(first.status).toBe(200);
    const second = await svc.secondNode();
    const again = await second.app.inject({
      method: 'POST',
      url: '/auth/token',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: robotBasic(),
        dpop: proof,
      },
      payload: 'grant_type=client_credentials',
    });
    expect(again.statusCode).toBe(400);
    expect(again.json().error).toBe('invalid_dpop_proof');
  });

  it('refuses to exchange a bound token for one of another application (RFC 8693)', async () => {
    const exchanger = await svc.addApplication({
      tenantId: svc.fixture.tenant.id,
      grantTypes: ['urn:ietf:params:oauth:grant-type:token-exchange'],
    });
    const pair = await keyPair();
    const user = await tokenPost(
      { grant_type: 'password', username: svc.fixture.accessKeyId, password: svc.fixture.accessKeySecret },
      {
        authorization: basic(svc.fixture.clientId, svc.fixture.clientSecret),
        dpop: await handProof(pair, { htm: 'POST', htu: as.token_endpoint }),
      },
    );
    const bound = (await user.json()) as { access_token: string; token_type: string };
    expect(bound.token_type).toBe('DPoP');
    const res = await tokenPost(
      {
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        subject_token: bound.access_token,
        subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      },
      {
        authorization: basic(exchanger.clientId, exchanger.clientSecret),
      },
    );
    expect(res.status).toBe(400);
    expect((await res.json()).error_description).toMatch(/DPoP-bound/);
  });

  it('lets an application require DPoP: a token request without a proof is refused', async () => {
    const strict = await svc.addApplication({
      tenantId: svc.fixture.tenant.id,
      grantTypes: ['client_credentials'],
      dpopBoundAccessTokens: true,
    });
    const auth = basic(strict.clientId, strict.clientSecret);
    const bare = await tokenPost({ grant_type: 'client_credentials' }, { authorization: auth });
    expect(bare.status).toBe(400);
    expect((await bare.json()).error).toBe('invalid_dpop_proof');
    const pair = await keyPair();
    const bound = await tokenPost(
      { grant_type: 'client_credentials' },
      { authorization: auth, dpop: await handProof(pair, { htm: 'POST', htu: as.token_endpoint }) },
    );
    expect(bound.status).toBe(200);
    expect((await bound.json()).token_type).toBe('DPoP');
  });
});

describe('DPoP with the code flow of a public client', () => {
  let app: Application;
  let client: oauth.Client;

  beforeAll(async () => {
    app = await publicApp(svc, { name: 'DPoP SPA' });
    client = { client_id: app.clientId };
  });

  /** Signs a user in on the hosted page (dpop_jkt when given) and returns the code and the verifier. */
  async function codeFor(extra: Record<string, string> = {}) {
    const { user } = await signInUser(svc);
    const browser = new Browser(svc.app);
    const p = pkce();
    const page = await browser.get(
      `/auth/authorize?${authorizeQuery(app, p, { scope: 'openid profile offline_access', ...extra })}`,
    );
    const res = await browser.post('/auth/authorize', {
      ...hiddenInputs(page.body),
      username: user.email,
      password: PASSWORD,
    });
    const params = redirectParams(res);
    return { params, verifier: p.verifier };
  }

  async function exchange(pair: CryptoKeyPair, extra: Record<string, string> = {}) {
    const { params, verifier } = await codeFor(extra);
    const callback = oauth.validateAuthResponse(as, client, new URL(`${REDIRECT}?${params}`), 'st-123');
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      oauth.None(),
      callback,
      REDIRECT,
      verifier,
      {
        ...insecure,
        DPoP: oauth.DPoP(client, pair),
      },
    );
    return oauth.processAuthorizationCodeResponse(as, client, response, {
      expectedNonce: 'n-456',
      requireIdToken: true,
    });
  }

  async function refresh(refreshToken: string, pair: CryptoKeyPair | undefined) {
    const response = await oauth.refreshTokenGrantRequest(as, client, oauth.None(), refreshToken, {
      ...insecure,
      ...(pair ? { DPoP: oauth.DPoP(client, pair) } : {}),
    });
    return oauth.processRefreshTokenResponse(as, client, response);
  }

  it('binds the tokens, and userinfo answers a DPoP request', async () => {
    const pair = await keyPair();
    const tokens = await exchange(pair);
    expect(tokens.token_type).toBe('dpop');
    expect(claimsOf(tokens.access_token)['cnf']).toEqual({ jkt: await jkt(pair) });
    const DPoP = oauth.DPoP(client, pair);
    const info = await oauth.processUserInfoResponse(
      as,
      client,
      oauth.skipSubjectCheck,
      await oauth.userInfoRequest(as, client, tokens.access_token, { ...insecure, DPoP }),
    );
    expect(info.sub).toMatch(/^user:/);
    const asBearer = await fetch(as.userinfo_endpoint as string, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(asBearer.status).toBe(401);
  });

  it('binds the refresh token: refused without a proof or with another key, and still good for its key', async () => {
    const pair = await keyPair();
    const tokens = await exchange(pair);
    const refreshToken = tokens.refresh_token as string;
    await expect(refresh(refreshToken, undefined)).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(refresh(refreshToken, await keyPair())).rejects.toMatchObject({ error: 'invalid_grant' });
    // The refused attempts did not spend it: its owner refreshes, and the new tokens stay bound.
    const next = await refresh(refreshToken, pair);
    expect(next.token_type).toBe('dpop');
    expect(claimsOf(next.access_token)['cnf']).toEqual({ jkt: await jkt(pair) });
    await expect(refresh(next.refresh_token as string, undefined)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  it('binds the code to the dpop_jkt of the authorization request (RFC 9449 §10)', async () => {
    const pair = await keyPair();
    const DPoP = oauth.DPoP(client, pair);
    const tokens = await exchange(pair, { dpop_jkt: await DPoP.calculateThumbprint() });
    expect(claimsOf(tokens.access_token)['cnf']).toEqual({ jkt: await jkt(pair) });
    // A code bound to one key is refused with a proof of another, or with none.
    const bound = { dpop_jkt: await jkt(await keyPair()) };
    await expect(exchange(pair, bound)).rejects.toMatchObject({ error: 'invalid_grant' });
    const { params, verifier } = await codeFor(bound);
    const callback = oauth.validateAuthResponse(as, client, new URL(`${REDIRECT}?${params}`), 'st-123');
    const bare = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      oauth.None(),
      callback,
      REDIRECT,
      verifier,
      insecure,
    );
    expect(bare.status).toBe(400);
    expect((await bare.json()).error).toBe('invalid_grant');
    // A dpop_jkt that is no thumbprint is refused at the authorization endpoint.
    const refused = await new Browser(svc.app).get(
      `/auth/authorize?${authorizeQuery(app, pkce(), { dpop_jkt: 'short' })}`,
    );
    expect(redirectParams(refused).get('error')).toBe('invalid_request');
  });

  it('leaves a code flow without DPoP as it was (Bearer, unbound refresh)', async () => {
    const { params, verifier } = await codeFor();
    const callback = oauth.validateAuthResponse(as, client, new URL(`${REDIRECT}?${params}`), 'st-123');
    const tokens = await oauth.processAuthorizationCodeResponse(
      as,
      client,
      await oauth.authorizationCodeGrantRequest(
        as,
        client,
        oauth.None(),
        callback,
        REDIRECT,
        verifier,
        insecure,
      ),
      { expectedNonce: 'n-456' },
    );
    expect(tokens.token_type).toBe('bearer');
    expect(claimsOf(tokens.access_token)['cnf']).toBeUndefined();
    // An unbound refresh token does not start DPoP (its successor would stay unbound, RFC 9449 §5),
    // and the refused attempt does not spend it.
    await expect(refresh(tokens.refresh_token as string, await keyPair())).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    await expect(refresh(tokens.refresh_token as string, undefined)).resolves.toMatchObject({
      token_type: 'bearer',
    });
  });
});

describe('the server nonce (CXAUTH_DPOP_NONCE=on)', () => {
  let nonced: TestService;
  let nas: oauth.AuthorizationServer;

  beforeAll(async () => {
    const port = await freePort();
    nonced = await startTestService({
      issuer: `http://127.0.0.1:${port}`,
      now: () => new Date(),
      env: { CXAUTH_DPOP_NONCE: 'on' },
    });
    await nonced.app.listen({ host: '127.0.0.1', port });
    const issuer = new URL(nonced.config.issuer);
    nas = await oauth.processDiscoveryResponse(
      issuer,
      await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecure }),
    );
  }, 60_000);
  afterAll(async () => nonced?.close());

  it('answers use_dpop_nonce with a DPoP-Nonce, then accepts the proof that carries it', async () => {
    const backend = await nonced.addApplication({
      tenantId: nonced.fixture.tenant.id,
      grantTypes: ['client_credentials'],
    });
    const c: oauth.Client = { client_id: backend.clientId };
    const auth = oauth.ClientSecretBasic(backend.clientSecret);
    const DPoP = oauth.DPoP(c, await keyPair());
    const first = await oauth.clientCredentialsGrantRequest(nas, c, auth, {}, { ...insecure, DPoP });
    expect(first.status).toBe(400);
    expect(first.headers.get('dpop-nonce')).toMatch(/^[a-z0-9]+\.[A-Za-z0-9_-]+$/);
    const err = await oauth.processClientCredentialsResponse(nas, c, first).catch((e: unknown) => e);
    expect(oauth.isDPoPNonceError(err)).toBe(true);
    const second = await oauth.clientCredentialsGrantRequest(nas, c, auth, {}, { ...insecure, DPoP });
    const tokens = await oauth.processClientCredentialsResponse(nas, c, second);
    expect(tokens.token_type).toBe('dpop');
    // A made-up nonce is refused the same way.
    const forged = await handProof(await keyPair(), {
      htm: 'POST',
      htu: nas.token_endpoint,
      nonce: 'abc.def',
    });
    const res = await fetch(nas.token_endpoint as string, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: basic(backend.clientId, backend.clientSecret),
        dpop: forged,
      },
      body: 'grant_type=client_credentials',
    });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toBe('use_dpop_nonce');
  });
});
