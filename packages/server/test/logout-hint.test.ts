// Logout's id_token_hint is read by @cxauth/verify with the keys the issuer publishes, whatever their
// algorithm: an ES256 (and EdDSA) issuer's hint goes straight back, an expired hint still counts
// (OIDC RP-Initiated Logout §2), and an access token or another issuer's token never passes for one.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../src/domain/types.js';
import { claimsOf } from './support/http.js';
import { startTestService, type TestService } from './support/service.js';
import { Browser, POST_LOGOUT, publicApp, refreshStatus, signInWithCode } from './support/sign-in.js';

for (const alg of ['ES256', 'EdDSA'] as const) {
  describe(`logout with ${alg} keys`, () => {
    let svc: TestService;
    let app: Application;
    beforeAll(async () => {
      svc = await startTestService({ signingAlg: alg });
      app = await publicApp(svc);
    });
    afterAll(() => svc.close());

    const signedIn = () => signInWithCode(svc, app);

    const logout = (browser: Browser, params: Record<string, string>) =>
      browser.get(`/auth/authorize/logout?${new URLSearchParams(params)}`);

    const refreshes = (refreshToken: string) => refreshStatus(svc, app, refreshToken);

    it('accepts a hint signed with the published key and ends the sign-in', async () => {
      const { browser, body } = await signedIn();
      const header = JSON.parse(Buffer.from(body.id_token.split('.')[0] as string, 'base64url').toString());
      expect(header).toMatchObject({ alg, typ: 'JWT' });
      const out = await logout(browser, {
        id_token_hint: body.id_token,
        post_logout_redirect_uri: POST_LOGOUT,
        state: 'bye',
      });
      expect(out.statusCode).toBe(302);
      expect(out.headers.location).toBe(`${POST_LOGOUT}?state=bye`);
      expect(await refreshes(body.refresh_token)).toBe(400);
    });

    it('accepts an expired hint (RP-Initiated Logout §2)', async () => {
      const { body } = await signedIn();
      const exp = claimsOf(body.id_token)['exp'] as number;
      svc.clock.advance(exp - svc.clock.epoch + 3600);
      // Another browser (no cookie): only the hint's sid names the sign-in to end.
      const out = await logout(new Browser(svc.app), {
        id_token_hint: body.id_token,
        post_logout_redirect_uri: POST_LOGOUT,
      });
      expect(out.statusCode).toBe(302);
      expect(out.headers.location).toBe(POST_LOGOUT);
      expect(await refreshes(body.refresh_token)).toBe(400);
    });

    it('asks for confirmation when the hint is an access token, tampered, or for another client', async () => {
      const { browser, body } = await signedIn();
      const [h, p, s] = body.id_token.split('.') as [string, string, string];
      const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
      const tampered = `${h}.${Buffer.from(JSON.stringify({ ...claims, sid: crypto.randomUUID() })).toString('base64url')}.${s}`;
      for (const hint of [body.access_token, tampered]) {
        const page = await logout(browser, { id_token_hint: hint as string, client_id: app.clientId });
        expect(page.statusCode).toBe(200);
        expect(page.body).toContain('Sign out?');
      }
      const other = await publicApp(svc, { name: 'Other App' });
      const mismatch = await logout(browser, { id_token_hint: body.id_token, client_id: other.clientId });
      expect(mismatch.statusCode).toBe(400);
      // Nothing was ended by these requests.
      expect(await refreshes(body.refresh_token)).toBe(200);
    });
  });
}
