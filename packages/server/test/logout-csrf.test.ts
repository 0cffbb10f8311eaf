// Logout with an id_token_hint of another sign-in than the browser's must ask first: otherwise any
// page can sign a visitor out of every app by embedding the logout URL with the attacker's own
// id_token (logout CSRF). OIDC RP-Initiated Logout 1.0 §2: the OP "MUST ask the End-User" when "the
// supplied ID Token does not belong to the current OP session".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../src/domain/types.js';
import { startTestService, type TestService } from './support/service.js';
import {
  authorizeQuery,
  type Browser,
  hiddenInputs,
  POST_LOGOUT,
  pkce,
  publicApp,
  redirectParams,
  refreshStatus,
  signInWithCode,
} from './support/sign-in.js';

describe('logout with a hint of another sign-in', () => {
  let svc: TestService;
  let app: Application;
  beforeAll(async () => {
    svc = await startTestService();
    app = await publicApp(svc);
  });
  afterAll(() => svc.close());

  const signedIn = () => signInWithCode(svc, app);
  const refreshes = (refreshToken: string) => refreshStatus(svc, app, refreshToken);
  const silent = (browser: Browser) =>
    browser.get(`/auth/authorize?${authorizeQuery(app, pkce(), { prompt: 'none' })}`);

  it("does not end the browser's sign-in for someone else's hint without asking", async () => {
    const victim = await signedIn();
    const attacker = await signedIn();
    const out = await victim.browser.get(
      `/auth/authorize/logout?${new URLSearchParams({
        id_token_hint: attacker.body.id_token,
        post_logout_redirect_uri: POST_LOGOUT,
      })}`,
    );
    expect(out.statusCode).toBe(200);
    expect(out.body).toContain('Sign out?');
    // The victim is still signed in: its refresh token works and prompt=none still gets a code.
    expect(await refreshes(victim.body.refresh_token)).toBe(200);
    expect(redirectParams(await silent(victim.browser)).get('code')).toBeTruthy();
    // The hint's own sign-in was the RP's to end, and it did end.
    expect(await refreshes(attacker.body.refresh_token)).toBe(400);
    // Confirming signs the victim out and goes back to the registered URI.
    const confirmed = await victim.browser.post('/auth/authorize/logout', hiddenInputs(out.body));
    expect(confirmed.statusCode).toBe(302);
    expect(confirmed.headers.location).toBe(POST_LOGOUT);
    expect(redirectParams(await silent(victim.browser)).get('error')).toBe('login_required');
  });

  it("still ends the browser's own sign-in at once with its own hint", async () => {
    const me = await signedIn();
    const out = await me.browser.get(
      `/auth/authorize/logout?${new URLSearchParams({ id_token_hint: me.body.id_token })}`,
    );
    expect(out.statusCode).toBe(200);
    expect(out.body).not.toContain('Sign out?');
    expect(redirectParams(await silent(me.browser)).get('error')).toBe('login_required');
  });
});
