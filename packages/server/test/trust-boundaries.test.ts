// The escalation a tenant Administrator once had, end to end over HTTP with a cookie jar: register an
// app with `admin` (refused), register one with openid only (accepted), send the signed-in platform
// operator a silent link (consent_required, no code), and even with the operator's consent the token
// it gets never reaches the admin API. Also: an operator's token through an app that is not
// first-party never acts as an operator (docs/security.md, "Applications, consent, audiences and forms").
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../test/support/ports.js';
import { CONSOLE_CLIENT_ID, ensureConsoleApp } from '../src/admin/service/console-app.js';
import type { User } from '../src/domain/types.js';
import { hashPassword } from '../src/secrets/passwords.js';
import { type Actor, ADMIN_APP, actor, call, role } from './support/admin.js';
import { basic, claimsOf, tokenRequest } from './support/http.js';
import { startTestService, type TestService } from './support/service.js';
import { PASSWORD, pkce } from './support/sign-in.js';

const ATTACKER = 'https://attacker.example/cb';

/** A browser over fetch: keeps cookies, follows nothing. */
class Jar {
  readonly cookies = new Map<string, string>();
  constructor(readonly base: string) {}
  #keep(res: Response): Response {
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const value = pair.slice(eq + 1);
      if (value === '' || /max-age=0/i.test(line)) this.cookies.delete(pair.slice(0, eq));
      else this.cookies.set(pair.slice(0, eq), value);
    }
    return res;
  }
  get #cookie() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  async get(path: string) {
    return this.#keep(
      await fetch(new URL(path, this.base), { redirect: 'manual', headers: { cookie: this.#cookie } }),
    );
  }
  async post(path: string, fields: Record<string, string>) {
    return this.#keep(
      await fetch(new URL(path, this.base), {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: this.#cookie },
        body: new URLSearchParams(fields),
      }),
    );
  }
}

const hidden = (html: string) =>
  Object.fromEntries(
    [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [
      m[1] as string,
      (m[2] as string).replace(/&amp;/g, '&').replace(/&quot;/g, '"'),
    ]),
  );

describe('a tenant Administrator against the platform operator, over HTTP', () => {
  let svc: TestService;
  let issuer: string;
  let administrator: Actor;
  let operator: User;

  beforeAll(async () => {
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    svc = await startTestService({ issuer, application: ADMIN_APP });
    await ensureConsoleApp(svc.storage, { issuer });
    await svc.app.listen({ host: '127.0.0.1', port });
    administrator = await actor(svc, svc.fixture.tenant, { role: role('Administrator') });
    // The operator belongs to the Administrator's tenant (as the demo's does).
    operator = await svc.addUser(svc.fixture.tenant, { operator: true, role: role('Administrator') });
    await svc.storage.signIn.setPassword(operator.id, await hashPassword(PASSWORD), svc.clock.now());
  });
  afterAll(() => svc?.close());

  const api = (who: { token: string }, method: string, path: string, body?: unknown) =>
    fetch(`${issuer}/admin/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${who.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  const registration = (o: object) => ({
    name: 'Quarterly Reports',
    type: 'confidential',
    tenancy: 'single',
    tenantId: svc.fixture.tenant.id,
    redirect_uris: [ATTACKER],
    grant_types: ['authorization_code'],
    ...o,
  });

  it('refuses the admin scope and first_party to an Administrator, and gets no code from a silent link', async () => {
    expect(
      (await api(administrator, 'POST', '/applications', registration({ scopes: ['openid', 'admin'] })))
        .status,
    ).toBe(403);
    expect(
      (
        await api(
          administrator,
          'POST',
          '/applications',
          registration({ scopes: ['openid'], first_party: true }),
        )
      ).status,
    ).toBe(403);
    const created = await api(
      administrator,
      'POST',
      '/applications',
      registration({ scopes: ['openid', 'profile'] }),
    );
    expect(created.status).toBe(201);
    const app = (await created.json()) as { client_id: string; client_secret: string; first_party: boolean };
    expect(app.first_party).toBe(false);
    // Adding admin later is refused too.
    const current = await api(administrator, 'GET', `/applications/${app.client_id}`);
    const patch = await fetch(`${issuer}/admin/v1/applications/${app.client_id}`, {
      method: 'PATCH',
      headers: {
        authorization: `Bearer ${administrator.token}`,
        'content-type': 'application/json',
        'if-match': current.headers.get('etag') ?? '*',
      },
      body: JSON.stringify({ scopes: ['openid', 'admin'] }),
    });
    expect(patch.status).toBe(403);

    // The operator signs in to the console (first-party: no consent page).
    const browser = new Jar(issuer);
    const p = pkce();
    const consoleLink = new URLSearchParams({
      response_type: 'code',
      client_id: CONSOLE_CLIENT_ID,
      redirect_uri: `${issuer}/console/callback`,
      scope: 'openid admin',
      code_challenge: p.challenge,
      code_challenge_method: 'S256',
      resource: `${issuer}/admin/v1`,
    });
    const form = await browser.get(`/auth/authorize?${consoleLink}`);
    expect(form.status).toBe(200);
    const signedIn = await browser.post('/auth/authorize', {
      ...hidden(await form.text()),
      username: operator.email,
      password: PASSWORD,
    });
    expect(signedIn.status).toBe(302);
    expect(new URL(signedIn.headers.get('location') ?? '').searchParams.get('code')).toBeTruthy();

    // The Administrator's silent link: no page, and no code either.
    const link = (o: Record<string, string>) =>
      `/auth/authorize?${new URLSearchParams({
        response_type: 'code',
        client_id: app.client_id,
        redirect_uri: ATTACKER,
        scope: 'openid',
        state: 'x',
        code_challenge: p.challenge,
        code_challenge_method: 'S256',
        ...o,
      })}`;
    const silent = await browser.get(link({ prompt: 'none' }));
    expect(silent.status).toBe(302);
    const back = new URL(silent.headers.get('location') ?? '');
    expect(back.origin + back.pathname).toBe(ATTACKER);
    expect(back.searchParams.get('error')).toBe('consent_required');
    expect(back.searchParams.get('code')).toBeNull();
    // Asking for admin is refused; asking for the admin API as resource is refused.
    const admin = new URL(
      (await browser.get(link({ prompt: 'none', scope: 'openid admin' }))).headers.get('location') ?? '',
    );
    expect(admin.searchParams.get('error')).toBe('invalid_scope');
    const target = new URL(
      (await browser.get(link({ prompt: 'none', resource: `${issuer}/admin/v1` }))).headers.get('location') ??
        '',
    );
    expect(target.searchParams.get('error')).toBe('invalid_target');

    // Without prompt=none the operator sees who asks, and what for.
    const consent = await browser.get(link({}));
    expect(consent.status).toBe(200);
    const page = await consent.text();
    expect(page).toContain('Allow Quarterly Reports?');
    expect(page).toContain(`tenant <strong>${svc.fixture.tenant.name}</strong>`);
    // Even allowed, the token is not one the admin API accepts.
    const allowed = await browser.post('/auth/authorize', { ...hidden(page), decision: 'allow' });
    const code = new URL(allowed.headers.get('location') ?? '').searchParams.get('code') as string;
    const exchanged = await tokenRequest(
      svc.app,
      { grant_type: 'authorization_code', code, redirect_uri: ATTACKER, code_verifier: p.verifier },
      { authorization: basic(app.client_id, app.client_secret) },
    );
    expect(exchanged.statusCode).toBe(200);
    const token = exchanged.json().access_token as string;
    expect(claimsOf(token)['sub']).toBe(`user:${operator.id}`);
    expect(claimsOf(token)['aud']).toBe(svc.config.tokens.audience);
    expect((await api({ token }, 'GET', '/signing-keys')).status).toBe(401);
    expect(
      (await api({ token }, 'PATCH', `/users/${administrator.user.id}`, { operator: true })).status,
    ).toBe(401);
  });

  it('lets an Administrator change no first-party application', async () => {
    const res = await api(administrator, 'POST', `/applications/${CONSOLE_CLIENT_ID}/secret`);
    // The console is for all tenants: not even visible to an Administrator.
    expect(res.status).toBe(404);
    const { app } = await svc.addApplication({ tenantId: svc.fixture.tenant.id, firstParty: true });
    const shown = await api(administrator, 'GET', `/applications/${app.clientId}`);
    expect(shown.status).toBe(200);
    const patch = await fetch(`${issuer}/admin/v1/applications/${app.clientId}`, {
      method: 'PATCH',
      headers: {
        authorization: `Bearer ${administrator.token}`,
        'content-type': 'application/json',
        'if-match': shown.headers.get('etag') ?? '*',
      },
      body: JSON.stringify({ redirect_uris: [ATTACKER] }),
    });
    expect(patch.status).toBe(403);
  });
});

describe('operator level needs a first-party application', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService({ application: ADMIN_APP });
  });
  afterAll(() => svc?.close());

  it('treats an operator’s token through an app that is not first-party as an Administrator’s at most', async () => {
    // As a database from before first-party apps could hold: `admin` on an app that is not one.
    const { app: legacy, clientSecret } = await svc.addApplication({
      scopes: ['openid', 'admin'],
      firstParty: false,
    });
    const operator = await svc.addUser(svc.fixture.tenant, { operator: true, role: role('Agent') });
    const key = await svc.addAccessKey(operator);
    const res = await tokenRequest(
      svc.app,
      { grant_type: 'password', username: key.id, password: key.secret, scope: 'openid admin' },
      { authorization: basic(legacy.clientId, clientSecret) },
    );
    // Such an app is not allowed the admin scope at all any more.
    expect(res.json().error).toBe('invalid_scope');
    const through = await actor(svc, svc.fixture.tenant, { operator: true });
    expect((await call(svc, through, 'GET', '/signing-keys')).statusCode).toBe(200);
    await svc.storage.applications.update({ ...svc.fixture.app, firstParty: false, updatedAt: new Date() });
    expect((await call(svc, through, 'GET', '/signing-keys')).statusCode).toBe(403);
  });
});
