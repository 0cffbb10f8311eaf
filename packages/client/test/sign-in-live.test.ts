// The SDK's code flow against a live cxauth service (demo seed): the authorization URL, the hosted
// sign-in page posted as a browser would, the callback with its checks, refresh, and every refusal
// a user-facing app relies on (state, iss, error responses, a replayed code, a foreign nonce).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInWithForm } from '../../../test/support/sign-in-browser.js';
import { type DemoService, startDemoService } from '../../server/test/support/service.js';
import { buildAuthorizationUrl, decodeJwt, handleCallback, refreshSignIn } from '../src/index.js';
import { failure } from './support/failure.js';

let svc: DemoService;
let creds: DemoService['creds'];
let redirectUri: string;

beforeAll(async () => {
  svc = await startDemoService();
  creds = svc.creds;
  // The demo app's loopback redirect URI, on a port of the app's choosing (RFC 8252 §7.3).
  redirectUri = 'http://127.0.0.1:53682/callback';
});

afterAll(async () => {
  await svc?.close();
});

const start = (over: Record<string, unknown> = {}) =>
  buildAuthorizationUrl({ issuer: creds.issuer, clientId: creds.public_client_id, redirectUri, ...over });

describe('signing a user in with @cxauth/client', () => {
  it('builds the URL, signs in on the page, handles the callback, then refreshes', async () => {
    const { url, pending } = await start();
    const q = new URL(url).searchParams;
    expect(url.startsWith(`${creds.issuer}/auth/authorize?`)).toBe(true);
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get('state')).toBe(pending.state);
    expect(q.get('nonce')).toBe(pending.nonce);
    expect(pending.codeVerifier).not.toBe(q.get('code_challenge'));
    const other = await start();
    expect(other.pending.state).not.toBe(pending.state);
    expect(other.pending.codeVerifier).not.toBe(pending.codeVerifier);

    const callback = await signInWithForm(url, creds.username, creds.password);
    expect(callback.startsWith(`${redirectUri}?`)).toBe(true);
    const { tokens, claims } = await handleCallback(callback, pending);
    expect(claims).toMatchObject({ iss: creds.issuer, aud: creds.public_client_id, nonce: pending.nonce });
    expect(claims['amr']).toEqual(['pwd']);
    expect(typeof tokens.refresh_token).toBe('string');

    const renewed = await refreshSignIn({
      issuer: creds.issuer,
      clientId: creds.public_client_id,
      refreshToken: tokens.refresh_token as string,
    });
    expect(renewed.access_token).not.toBe(tokens.access_token);
    // The code was single-use: a second callback with it is refused by the token endpoint.
    expect((await failure(handleCallback(callback, pending))).code).toBe('invalid_grant');
  });

  it('asks for a resource (RFC 8707) at sign-in and at every refresh: the tokens are for that API', async () => {
    const resource = `${creds.issuer}/admin/v1`;
    const { url, pending } = await start({ scope: 'openid admin offline_access', resource });
    expect(new URL(url).searchParams.get('resource')).toBe(resource);
    const callback = await signInWithForm(url, creds.username, creds.password);
    const { tokens } = await handleCallback(callback, pending);
    expect(decodeJwt(tokens.access_token).payload['aud']).toBe(resource);
    const renewed = await refreshSignIn({
      issuer: creds.issuer,
      clientId: creds.public_client_id,
      refreshToken: tokens.refresh_token as string,
      resource,
    });
    expect(decodeJwt(renewed.access_token).payload['aud']).toBe(resource);
  });

  it('refuses a callback with another state or issuer, or a nonce it did not send', async () => {
    const { url, pending } = await start();
    const callback = new URL(await signInWithForm(url, creds.username, creds.password));
    const forged = new URL(callback);
    forged.searchParams.set('state', 'not-mine');
    expect((await failure(handleCallback(forged, pending))).code).toBe('state_mismatch');
    const mixUp = new URL(callback);
    mixUp.searchParams.set('iss', 'https://evil.example');
    expect((await failure(handleCallback(mixUp, pending))).code).toBe('issuer_mismatch');
    const noIss = new URL(callback);
    noIss.searchParams.delete('iss');
    expect((await failure(handleCallback(noIss, pending))).code).toBe('issuer_mismatch');
    const noCode = new URL(callback);
    noCode.searchParams.delete('code');
    expect((await failure(handleCallback(noCode, pending))).code).toBe('invalid_callback');
    // The code is exchanged, but the id_token carries the nonce of this sign-in, not another's.
    const err = await failure(handleCallback(callback, { ...pending, nonce: 'another' }));
    expect(err.code).toBe('invalid_id_token');
  });

  it('maps error responses: prompt=none without a session is login_required', async () => {
    const { url, pending } = await start({ prompt: 'none' });
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const err = await failure(handleCallback(String(res.headers.get('location')), pending));
    expect(err.code).toBe('login_required');
    expect(err.error).toBe('login_required');
    const denied = new URL(redirectUri);
    denied.search = new URLSearchParams({
      error: 'access_denied',
      state: pending.state,
      iss: creds.issuer,
    }).toString();
    expect((await failure(handleCallback(denied, pending))).code).toBe('access_denied');
    denied.searchParams.set('error', 'invalid_scope');
    expect((await failure(handleCallback(denied, pending))).code).toBe('authorization_failed');
  });
});
