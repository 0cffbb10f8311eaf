// DPoP through `cxauth serve --demo` as a user runs it (the built CLI, spawned, on free ports with its
// own data folder), with oauth4webapi as the client: CXAUTH_API_DPOP_NONCE=on makes the demo area's
// regional API ask for its nonce (RFC 9449 §9), `--origin` is the public origin the proofs' htu names
// (the test's fetch plays the proxy), and each attack a resource server must stop is tried: a forged
// or stale nonce, the same proof again, the bound token as Bearer, a proof for the URL behind the proxy.
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Served, serveUntil } from '../../../test/support/cli-processes.js';
import { freePort } from '../../../test/support/ports.js';

const SERVER_TIME = '/inContactAPI/services/v25.0/server-time';
const PUBLIC = 'https://na1.api.cxauth.test';
const SECRET = 'the-nonce-secret-every-node-of-na1-shares';
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cxauth-cli-demo-dpop-'));
const running = new Set<import('node:child_process').ChildProcess>();
const insecure = { [oauth.allowInsecureRequests]: true };
type FetchOptions = oauth.CustomFetchOptions<string, oauth.ProtectedResourceRequestBody>;

interface DemoCredentials {
  client_id: string;
  client_secret: string;
  accessKeyId: string;
  accessKeySecret: string;
}

let served: Served;
let issuer: string;
let local: string;
let creds: DemoCredentials;
let as: oauth.AuthorizationServer;
let client: oauth.Client;

/** The proxy: a request to the public origin goes to the API's local address; headers are kept. */
function proxy(sent: Record<string, string>[]) {
  return {
    ...insecure,
    [oauth.customFetch]: (url: string, init: FetchOptions) => {
      sent.push({ ...init.headers });
      return fetch(url.replace(PUBLIC, local), init as RequestInit);
    },
  };
}

/** A nonce of window `window` made with `secret`, as the API makes them (docs/verify.md, "DPoP"). */
function nonceOf(window: number, secret: string): string {
  const mac = createHmac('sha256', secret).update(`dpop-nonce:${window}`).digest().subarray(0, 16);
  return `${window.toString(36)}.${mac.toString('base64url')}`;
}

/** A DPoP-bound access token of the demo access key (password grant, with oauth4webapi's proof). */
async function boundToken(pair: CryptoKeyPair): Promise<string> {
  const request = () =>
    oauth.genericTokenEndpointRequest(
      as,
      client,
      oauth.ClientSecretBasic(creds.client_secret),
      'password',
      { username: creds.accessKeyId, password: creds.accessKeySecret },
      { ...insecure, DPoP: oauth.DPoP(client, pair) },
    );
  const tokens = await oauth.processGenericTokenEndpointResponse(as, client, await request());
  expect(tokens.token_type).toBe('dpop');
  return tokens.access_token;
}

/** Calls server-time at the public origin with oauth4webapi (its proof, nonce cache, challenge check). */
function call(token: string, dpop: oauth.DPoPHandle, sent: Record<string, string>[] = []) {
  return oauth.protectedResourceRequest(
    token,
    'GET',
    new URL(`${PUBLIC}${SERVER_TIME}`),
    undefined,
    undefined,
    { ...proxy(sent), DPoP: dpop },
  );
}

/** The challenge of a refused call: its status, DPoP error and DPoP-Nonce. */
async function refusal(pending: Promise<Response>) {
  const err = await pending.then(
    (res) => new Error(`expected a refusal, got HTTP ${res.status}`),
    (e: unknown) => e,
  );
  if (!(err instanceof oauth.WWWAuthenticateChallengeError)) throw err;
  const challenge = err.cause.find((c) => c.scheme === 'dpop');
  return {
    status: err.response.status,
    error: challenge?.parameters.error,
    algs: challenge?.parameters.algs,
    nonce: err.response.headers.get('dpop-nonce'),
    retry: oauth.isDPoPNonceError(err),
  };
}

beforeAll(async () => {
  const [port, apiPort] = [await freePort(), await freePort()];
  issuer = `http://127.0.0.1:${port}`;
  served = await serveUntil(
    ['serve', '--demo', '--origin', PUBLIC, '--json'],
    {
      CXAUTH_DATA_DIR: dataDir,
      CXAUTH_DATABASE_URL: '',
      CXAUTH_KEK: '',
      CXAUTH_PORT: String(port),
      CXAUTH_API_PORT: String(apiPort),
      CXAUTH_LOG_LEVEL: 'warn',
      CXAUTH_API_DPOP_NONCE: 'on',
      CXAUTH_API_DPOP_NONCE_SECRET: SECRET,
    },
    /\}\s*$/,
    { running },
  );
  const report = JSON.parse(served.stdout()) as {
    apis: { area: string; url: string }[];
    demo: DemoCredentials;
  };
  expect(report.apis).toEqual([{ area: 'na1', url: `http://127.0.0.1:${apiPort}` }]);
  local = `http://127.0.0.1:${apiPort}`;
  creds = report.demo;
  // Ready once the API has the issuer's keys.
  for (let i = 0; i < 200; i++) {
    const res = await fetch(`${local}/readyz`).catch(() => undefined);
    if (res?.status === 200) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const url = new URL(issuer);
  as = await oauth.processDiscoveryResponse(url, await oauth.discoveryRequest(url, insecure));
  client = { client_id: creds.client_id };
}, 60_000);

afterAll(async () => {
  for (const child of running) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

describe('cxauth serve --demo with CXAUTH_API_DPOP_NONCE=on and --origin', () => {
  it('asks for the nonce, then serves the retry with it, once per proof', async () => {
    const pair = await oauth.generateKeyPair('ES256');
    const token = await boundToken(pair);
    const dpop = oauth.DPoP(client, pair);

    // The first call carries no nonce: 401 use_dpop_nonce with the nonce to use (RFC 9449 §9).
    const asked = await refusal(call(token, dpop));
    expect(asked).toMatchObject({ status: 401, error: 'use_dpop_nonce', retry: true });
    expect(asked.nonce).toMatch(/^[0-9a-z]+\.[A-Za-z0-9_-]{22}$/);

    // oauth4webapi kept the nonce for the public origin: the retry carries it and is served.
    const sent: Record<string, string>[] = [];
    const ok = await call(token, dpop, sent);
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { ServerTime: string }).ServerTime).toMatch(/Z$/);
    expect(ok.headers.get('dpop-nonce')).toBe(asked.nonce);
    const proof = sent[0]?.['dpop'] ?? '';
    const claims = JSON.parse(Buffer.from(proof.split('.')[1] ?? '', 'base64url').toString()) as {
      nonce?: string;
      htu?: string;
    };
    expect(claims).toMatchObject({ nonce: asked.nonce, htu: `${PUBLIC}${SERVER_TIME}` });

    // The very same request again (proof and all): its jti was seen.
    const replayed = await fetch(`${local}${SERVER_TIME}`, { headers: sent[0] });
    expect(replayed.status).toBe(401);
    expect(replayed.headers.get('www-authenticate')).toMatch(/^DPoP .*error="invalid_dpop_proof"/);

    // A new proof with the same nonce is served again.
    expect((await call(token, dpop)).status).toBe(200);
  });

  it('refuses a forged nonce and a stale one, giving the current nonce each time', async () => {
    const pair = await oauth.generateKeyPair('ES256');
    const token = await boundToken(pair);
    const window = Math.floor(Date.now() / 1000 / 300);
    const cases = {
      // The current window, MAC'd with another secret.
      forged: nonceOf(window, 'not-the-secret-of-this-area-at-all!!'),
      // Made with the API's own secret, but two windows ago: past its acceptance.
      stale: nonceOf(window - 2, SECRET),
      garbage: 'not-a-nonce',
    };
    let current: string | null = null;
    for (const [name, nonce] of Object.entries(cases)) {
      const dpop = oauth.DPoP(client, pair, {
        [oauth.modifyAssertion]: (_header, payload) => {
          payload['nonce'] = nonce;
        },
      });
      const refused = await refusal(call(token, dpop));
      expect(refused, name).toMatchObject({ status: 401, error: 'use_dpop_nonce' });
      current ??= refused.nonce;
      expect(refused.nonce, name).toBe(current);
    }
    // The nonce given out is the one of this window, MAC'd with the area's secret.
    expect([nonceOf(window, SECRET), nonceOf(window + 1, SECRET)]).toContain(current);
  });

  it('refuses the bound token sent as Bearer, and a proof of the URL behind the proxy', async () => {
    const pair = await oauth.generateKeyPair('ES256');
    const token = await boundToken(pair);
    const bearer = await fetch(`${local}${SERVER_TIME}`, { headers: { authorization: `Bearer ${token}` } });
    expect(bearer.status).toBe(401);
    const challenge = bearer.headers.get('www-authenticate') ?? '';
    expect(challenge).toMatch(/^DPoP /);
    expect(challenge).toMatch(/error="invalid_token"/);
    expect(await bearer.text()).not.toContain(token);

    // A proof whose htu names the local address, not --origin, is refused; the second time it carries
    // the nonce the first refusal gave, so the htu alone is refused.
    const dpop = oauth.DPoP(client, pair);
    const direct = (sent: Record<string, string>[] = []) =>
      oauth.protectedResourceRequest(token, 'GET', new URL(`${local}${SERVER_TIME}`), undefined, undefined, {
        ...insecure,
        DPoP: dpop,
        [oauth.customFetch]: (url: string, init: FetchOptions) => {
          sent.push({ ...init.headers });
          return fetch(url, init as RequestInit);
        },
      });
    expect(await refusal(direct())).toMatchObject({ status: 401, error: 'invalid_dpop_proof' });
    const sent: Record<string, string>[] = [];
    expect(await refusal(direct(sent))).toMatchObject({ status: 401, error: 'invalid_dpop_proof' });
    const claims = JSON.parse(Buffer.from(sent[0]?.['dpop']?.split('.')[1] ?? '', 'base64url').toString());
    expect(claims.nonce).toMatch(/\./);
  });

  it('stops on SIGTERM', async () => {
    served.child.kill('SIGTERM');
    expect(await served.exited).toBe(0);
  });
});
