// Enterprise sign-in through an OpenID Connect IdP (docs/sso.md), over Fastify's inject with a real
// upstream on a socket: routing by `idp_hint`, `login_hint` and the e-mail asked first; users made just
// in time or linked by a verified e-mail; `idp` and the upstream `amr` in the id_token; and every
// refusal a page, never a code: a tampered or replayed state, a wrong nonce, another issuer's or
// another client's id_token, another browser, another tenant.
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Application, Tenant } from '../src/domain/types.js';
import { hashPassword } from '../src/secrets/passwords.js';
import { adminOf, type TestAdmin } from './support/federation.js';
import { tokenRequest } from './support/http.js';
import { startTestService, type TestService } from './support/service.js';
import {
  authorizeQuery,
  Browser,
  hiddenInputs,
  PASSWORD,
  pkce,
  publicApp,
  REDIRECT,
  signInUser,
} from './support/sign-in.js';
import { type FakeIdp, startFakeIdp } from './support/upstream-idp.js';

let svc: TestService;
let fake: FakeIdp;
let app: Application;
let tenantB: Tenant;
let idpId: string;
let admin: TestAdmin;

beforeAll(async () => {
  svc = await startTestService();
  fake = await startFakeIdp({ clientId: 'cxauth-client' });
  app = await publicApp(svc);
  tenantB = await svc.addTenant({ name: 'tenant-b' });
  admin = adminOf(svc);
  const idp = await admin.createIdentityProvider(svc.fixture.tenant.id, {
    kind: 'oidc',
    name: 'Acme',
    domains: ['acme.test'],
    oidc: { issuer: fake.issuer, client_id: 'cxauth-client', client_secret: 'upstream-secret' },
  });
  idpId = idp.id;
}, 30_000);
afterAll(async () => {
  await fake?.close();
  await svc?.close();
});
beforeEach(() => {
  // The upstream signs in with the wall clock; the service's checks follow it.
  svc.clock.current = new Date();
  fake.misbehave = 'none';
});

let n = 0;
function account(o: { email_verified?: boolean; amr?: string[] } = {}) {
  n += 1;
  fake.account = {
    sub: `sub-${n}-${Date.now()}`,
    email: `person${n}.${Date.now()}@acme.test`,
    email_verified: o.email_verified ?? true,
    ...(o.amr ? { amr: o.amr } : {}),
  };
  return fake.account;
}

/** Follows the redirect to the upstream and back: the callback's path with its query. */
async function throughUpstream(location: string): Promise<string> {
  const res = await fetch(location, { redirect: 'manual' });
  expect(res.status).toBe(302);
  const back = new URL(String(res.headers.get('location')));
  return `${back.pathname}${back.search}`;
}

async function startWithHint(browser: Browser, o: Record<string, string | undefined> = {}) {
  const p = pkce();
  const res = await browser.get(`/auth/authorize?${authorizeQuery(app, p, { idp_hint: idpId, ...o })}`);
  expect(res.statusCode).toBe(302);
  const location = String(res.headers.location);
  expect(location.startsWith(`${fake.issuer}/authorize?`)).toBe(true);
  return { p, location };
}

async function exchange(code: string, verifier: string) {
  const res = await tokenRequest(svc.app, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: REDIRECT,
    code_verifier: verifier,
    client_id: app.clientId,
  });
  expect(res.statusCode).toBe(200);
  return res.json() as { id_token: string; refresh_token: string };
}

/** A password posted for `email` on the password form (reached by an address no IdP claims). */
async function postPassword(browser: Browser, email: string, password: string) {
  const page = await browser.get(`/auth/authorize?${authorizeQuery(app, pkce())}`);
  const pw = await browser.post('/auth/authorize', {
    ...hiddenInputs(page.body),
    username: 'nobody@elsewhere.test',
  });
  return browser.post('/auth/authorize', { ...hiddenInputs(pw.body), username: email, password });
}

function expectRefusalPage(res: { statusCode: number; headers: Record<string, unknown>; body: string }) {
  expect(res.statusCode).toBeGreaterThanOrEqual(400);
  expect(String(res.headers['content-type'])).toMatch(/^text\/html/);
  expect(res.headers.location).toBeUndefined();
  expect(res.body).not.toContain('code=');
}

describe('signing in through the IdP', () => {
  it('creates the user just in time with the default role; the id_token carries idp and amr', async () => {
    const who = account({ amr: ['pwd', 'mfa', 'not-registered'] });
    const browser = new Browser(svc.app);
    const { p, location } = await startWithHint(browser);
    const url = new URL(location);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('nonce')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.get('redirect_uri')).toBe(`${svc.config.issuer}/auth/sso/oidc/${idpId}/callback`);
    const back = await browser.get(await throughUpstream(location));
    expect(back.statusCode).toBe(302);
    const landed = new URL(String(back.headers.location));
    expect(landed.origin + landed.pathname).toBe(REDIRECT);
    expect(landed.searchParams.get('state')).toBe('st-123');
    const tokens = await exchange(landed.searchParams.get('code') as string, p.verifier);
    const claims = decodeJwt(tokens.id_token);
    expect(claims['idp']).toBe(idpId);
    expect(claims['amr']).toEqual(['pwd', 'mfa']);
    // A refresh keeps them (OIDC Core §12.2).
    const refreshed = await tokenRequest(svc.app, {
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token,
      client_id: app.clientId,
    });
    expect(refreshed.statusCode).toBe(200);
    const renewed = decodeJwt((refreshed.json() as { id_token: string }).id_token);
    expect([renewed['idp'], renewed['amr']]).toEqual([idpId, ['pwd', 'mfa']]);
    expect(claims['name']).toBe(who.email);
    const [user] = await svc.storage.signIn.usersByEmail(who.email);
    expect(user?.tenantId).toBe(svc.fixture.tenant.id);
    expect(user?.role.legacyId).toBe('Agent');
    // The IdP vouched for the address: the new account's is verified, and its id_token says so.
    expect(user?.emailVerified).toBe(true);
    expect(claims['email_verified']).toBe(true);
    // The next sign-in of the same subject finds the same user by the link, whatever its e-mail says.
    fake.account = { ...who, email: `renamed.${who.email}` };
    const again = new Browser(svc.app);
    const second = await startWithHint(again);
    const res = await again.get(await throughUpstream(second.location));
    const code = new URL(String(res.headers.location)).searchParams.get('code') as string;
    const claims2 = decodeJwt((await exchange(code, second.p.verifier)).id_token);
    expect(claims2['sub']).toBe(claims['sub']);
  });

  it('links an existing user only by an e-mail the IdP marks verified', async () => {
    const email = `existing.${Date.now()}@acme.test`;
    const { user } = await signInUser(svc, { email });
    fake.account = { sub: `unverified-${Date.now()}`, email, email_verified: false };
    const b1 = new Browser(svc.app);
    const refused = await b1.get(await throughUpstream((await startWithHint(b1)).location));
    expectRefusalPage(refused);
    expect(refused.statusCode).toBe(403);
    fake.account = { sub: `verified-${Date.now()}`, email, email_verified: true };
    const b2 = new Browser(svc.app);
    const { p, location } = await startWithHint(b2);
    const ok = await b2.get(await throughUpstream(location));
    const code = new URL(String(ok.headers.location)).searchParams.get('code') as string;
    const claims = decodeJwt((await exchange(code, p.verifier)).id_token);
    const [existing] = await svc.storage.signIn.usersByEmail(email);
    expect(existing?.id).toBe(user.id);
    expect(existing?.emailVerified).toBe(true);
    expect(claims['name']).toBe(email);
    expect(await svc.storage.identityProviders.linkedUser(idpId, fake.account.sub)).toBe(user.id);
  });
});

describe('routing', () => {
  it('asks for the e-mail first; a claimed domain goes to its IdP, another gets the password form', async () => {
    const browser = new Browser(svc.app);
    const page = await browser.get(`/auth/authorize?${authorizeQuery(app, pkce())}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Continue');
    expect(page.body).not.toContain('type="password"');
    const handOver = await browser.post('/auth/authorize', {
      ...hiddenInputs(page.body),
      username: 'someone@ACME.test',
    });
    expect(handOver.statusCode).toBe(200);
    expect(handOver.body).toContain('http-equiv="refresh"');
    expect(handOver.body).toContain(`${fake.issuer}/authorize?`);
    const page2 = await browser.get(`/auth/authorize?${authorizeQuery(app, pkce())}`);
    const form = await browser.post('/auth/authorize', {
      ...hiddenInputs(page2.body),
      username: 'someone@elsewhere.test',
    });
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('type="password"');
    expect(form.body).toContain('value="someone@elsewhere.test"');
    // …and that form signs a password user in as before.
    const { user } = await signInUser(svc);
    const page3 = await browser.get(`/auth/authorize?${authorizeQuery(app, pkce())}`);
    const pw = await browser.post('/auth/authorize', { ...hiddenInputs(page3.body), username: user.email });
    const signedIn = await browser.post('/auth/authorize', {
      ...hiddenInputs(pw.body),
      username: user.email,
      password: PASSWORD,
    });
    expect(signedIn.statusCode).toBe(302);
    expect(new URL(String(signedIn.headers.location)).searchParams.get('code')).toBeTruthy();
  });

  it("never sends a person with an account in another tenant to this tenant's IdP", async () => {
    const email = `b-person.${Date.now()}@acme.test`;
    await signInUser(svc, { tenant: tenantB, email });
    const browser = new Browser(svc.app);
    const res = await browser.get(`/auth/authorize?${authorizeQuery(app, pkce(), { login_hint: email })}`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('type="password"');
    const page = await browser.get(`/auth/authorize?${authorizeQuery(app, pkce())}`);
    const form = await browser.post('/auth/authorize', { ...hiddenInputs(page.body), username: email });
    expect(form.body).toContain('type="password"');
  });

  it('goes straight to the IdP for a login_hint of a claimed domain', async () => {
    const browser = new Browser(svc.app);
    const res = await browser.get(
      `/auth/authorize?${authorizeQuery(app, pkce(), { login_hint: 'x@acme.test' })}`,
    );
    expect(res.statusCode).toBe(302);
    const url = new URL(String(res.headers.location));
    expect(url.origin).toBe(fake.issuer);
    expect(url.searchParams.get('login_hint')).toBe('x@acme.test');
  });

  it('refuses the password of a claimed domain when the tenant requires SSO', async () => {
    const { user } = await signInUser(svc, { email: `pw.${Date.now()}@acme.test` });
    await admin.setSsoRequired(svc.fixture.tenant.id, true);
    try {
      const res = await postPassword(new Browser(svc.app), user.email, PASSWORD);
      expect(res.statusCode).toBe(403);
      expect(res.headers.location).toBeUndefined();
      expect(res.body).toContain('identity provider');
    } finally {
      await admin.setSsoRequired(svc.fixture.tenant.id, false);
    }
  });
});

describe('sso_required: the password is never asked for, nor checked', () => {
  /** A page's text without what differs from one showing to the next (sealed fields, nonces). */
  const stable = (html: string) =>
    html
      .replace(/="[^"\s]{40,}"/g, '=""')
      .replace(/nonce="[^"]+"/g, 'nonce=""')
      .replace(/'nonce-[^']+'/g, '');

  it('sends a claimed user to the IdP at the e-mail step, also when another tenant claims the domain', async () => {
    const { user } = await signInUser(svc, { email: `first.${Date.now()}@acme.test` });
    // Another tenant claims the same domain: the person has an account only here, so here they go.
    const rival = await admin.createIdentityProvider(tenantB.id, {
      kind: 'oidc',
      name: 'Rival',
      domains: ['acme.test'],
      oidc: { issuer: fake.issuer, client_id: 'rival-client' },
    });
    await admin.setSsoRequired(svc.fixture.tenant.id, true);
    try {
      const browser = new Browser(svc.app);
      const page = await browser.get(`/auth/authorize?${authorizeQuery(app, pkce())}`);
      expect(page.body).not.toContain('type="password"');
      const next = await browser.post('/auth/authorize', {
        ...hiddenInputs(page.body),
        username: user.email,
      });
      expect(next.statusCode).toBe(200);
      expect(next.body).not.toContain('type="password"');
      expect(next.body).toContain(`${fake.issuer}/authorize?`);
      expect(next.body).toContain('client_id=cxauth-client');
      const hinted = await browser.get(
        `/auth/authorize?${authorizeQuery(app, pkce(), { login_hint: user.email })}`,
      );
      expect(hinted.statusCode).toBe(302);
      expect(new URL(String(hinted.headers.location)).searchParams.get('client_id')).toBe('cxauth-client');
    } finally {
      await admin.setSsoRequired(svc.fixture.tenant.id, false);
      await admin.deleteIdentityProvider(tenantB.id, rival.id);
    }
  });

  it('refuses a posted password without checking it: the same answer for the right one and a wrong one', async () => {
    const email = `never.${Date.now()}@acme.test`;
    const user = await svc.addUser(svc.fixture.tenant, { email });
    // Stored with older parameters: a successful check would hash it again (and so change it).
    const stored = await hashPassword(PASSWORD, { ln: 10, r: 8, p: 1 });
    await svc.storage.signIn.setPassword(user.id, stored, svc.clock.now());
    await admin.setSsoRequired(svc.fixture.tenant.id, true);
    try {
      const answers = [];
      for (const password of [PASSWORD, 'a wrong password entirely']) {
        const browser = new Browser(svc.app);
        const res = await postPassword(browser, email, password);
        expect(res.statusCode).toBe(403);
        expect(res.headers.location).toBeUndefined();
        expect([...browser.cookies.keys()].some((k) => k.endsWith('cxauth_session'))).toBe(false);
        answers.push(stable(res.body));
      }
      expect(answers[0]).toContain('signs you in through its identity provider');
      expect(answers[1]).toBe(answers[0]);
      expect((await svc.storage.signIn.credentials(user.id))?.passwordHash).toBe(stored);
    } finally {
      await admin.setSsoRequired(svc.fixture.tenant.id, false);
    }
    // Without sso_required the same password signs in (and is hashed again with today's parameters).
    const browser = new Browser(svc.app);
    const page = await browser.get(
      `/auth/authorize?${authorizeQuery(app, pkce(), { login_hint: 'x@elsewhere.test' })}`,
    );
    const res = await browser.post('/auth/authorize', {
      ...hiddenInputs(page.body),
      username: email,
      password: PASSWORD,
    });
    expect(res.statusCode).toBe(302);
    expect((await svc.storage.signIn.credentials(user.id))?.passwordHash).not.toBe(stored);
  });
});

describe("domain claims: never another tenant's sign-in", () => {
  it("leaves tenant B's sign-in and passwords alone when tenant A claims B's people's domain", async () => {
    // Tenant A (the fixture) claims acme.test and requires SSO; B has a person of acme.test.
    const email = `b-own.${Date.now()}@acme.test`;
    await signInUser(svc, { tenant: tenantB, email });
    await admin.setSsoRequired(svc.fixture.tenant.id, true);
    try {
      for (const hint of [{ tenantId: tenantB.id }, {}]) {
        const browser = new Browser(svc.app);
        const page = await browser.get(`/auth/authorize?${authorizeQuery(app, pkce(), hint)}`);
        let form = page;
        if (!page.body.includes('type="password"')) {
          // Without a tenant hint the e-mail is asked first (A has an IdP): B's person gets the password form.
          form = await browser.post('/auth/authorize', { ...hiddenInputs(page.body), username: email });
          expect(form.body).toContain('type="password"');
        }
        const res = await browser.post('/auth/authorize', {
          ...hiddenInputs(form.body),
          username: email,
          password: PASSWORD,
        });
        expect(res.statusCode).toBe(302);
        expect(new URL(String(res.headers.location)).searchParams.get('code')).toBeTruthy();
        // And a login_hint never hands them to A's IdP.
        const hinted = await new Browser(svc.app).get(
          `/auth/authorize?${authorizeQuery(app, pkce(), { ...hint, login_hint: email })}`,
        );
        expect(hinted.statusCode).toBe(200);
        expect(hinted.body).toContain('type="password"');
      }
    } finally {
      await admin.setSsoRequired(svc.fixture.tenant.id, false);
    }
  });

  it("never creates or links a user of another tenant through A's IdP", async () => {
    const email = `b-linked.${Date.now()}@acme.test`;
    const { user } = await signInUser(svc, { tenant: tenantB, email });
    fake.account = { sub: `b-sub-${Date.now()}`, email, email_verified: true };
    const browser = new Browser(svc.app);
    const { p, location } = await startWithHint(browser);
    const done = await browser.get(await throughUpstream(location));
    expect(done.statusCode).toBe(302);
    const tokens = await exchange(
      new URL(String(done.headers.location)).searchParams.get('code') as string,
      p.verifier,
    );
    const claims = decodeJwt(tokens.id_token);
    // A's IdP signs its person into A (just in time), never into B's account of the same address.
    const users = await svc.storage.signIn.usersByEmail(email);
    expect(users.map((u) => u.tenantId).sort()).toEqual([svc.fixture.tenant.id, tenantB.id].sort());
    const inA = users.find((u) => u.tenantId === svc.fixture.tenant.id);
    expect(claims.sub).toBe(`user:${inA?.id}`);
    expect(claims.sub).not.toBe(`user:${user.id}`);
  });
});

describe('refusals: a page, never a code', () => {
  it('refuses a tampered state, and a state used twice', async () => {
    account();
    const browser = new Browser(svc.app);
    const { location } = await startWithHint(browser);
    const callback = await throughUpstream(location);
    const tampered = callback.replace(/state=([^&]+)/, (_m, s: string) => `state=${s.slice(0, -2)}xx`);
    expectRefusalPage(await browser.get(tampered));
    expectRefusalPage(await browser.get(callback.replace(/state=[^&]+/, '')));
    // The untouched one still works once, and only once.
    expect((await browser.get(callback)).statusCode).toBe(302);
    expectRefusalPage(await browser.get(callback));
  });

  it.each([
    ['wrong-nonce', 'a wrong nonce'],
    ['other-issuer', "another issuer's id_token"],
    ['other-audience', "another client's id_token"],
  ] as const)('refuses %s (%s)', async (misbehaviour, _what) => {
    account();
    fake.misbehave = misbehaviour;
    const browser = new Browser(svc.app);
    const { location } = await startWithHint(browser);
    const res = await browser.get(await throughUpstream(location));
    expectRefusalPage(res);
  });

  it('delays an address whose IdP answers keep being refused: 429 with Retry-After, the state untouched', async () => {
    account();
    const browser = new Browser(svc.app, '127.0.9.9');
    const { location } = await startWithHint(browser);
    const callback = await throughUpstream(location);
    for (let i = 0; i < svc.config.throttling.addressFailures; i++) {
      expectRefusalPage(await browser.get(`/auth/sso/oidc/${idpId}/callback?state=forged-${i}&code=x`));
    }
    const delayed = await browser.get(callback);
    expect(delayed.statusCode).toBe(429);
    expect(Number(delayed.headers['retry-after'])).toBeGreaterThan(0);
    expectRefusalPage(delayed);
    // Refused before any check: the pending request was not taken, and from another address it works.
    browser.remoteAddress = '127.0.9.10';
    expect((await browser.get(callback)).statusCode).toBe(302);
  });

  it('refuses a callback in another browser than the one that started', async () => {
    account();
    const { location } = await startWithHint(new Browser(svc.app));
    expectRefusalPage(await new Browser(svc.app).get(await throughUpstream(location)));
  });

  it('refuses an error answer of the IdP', async () => {
    const browser = new Browser(svc.app);
    const { location } = await startWithHint(browser);
    const state = new URL(location).searchParams.get('state') as string;
    const res = await browser.get(`/auth/sso/oidc/${idpId}/callback?error=access_denied&state=${state}`);
    expectRefusalPage(res);
  });

  it("never signs anyone into tenant B through tenant A's IdP", async () => {
    const appB = await publicApp(svc, { tenantId: tenantB.id });
    const browser = new Browser(svc.app);
    // The hint of another tenant's IdP is ignored: the page asks as usual (tenant B has no IdP).
    const page = await browser.get(
      `/auth/authorize?${authorizeQuery(appB, pkce(), { idp_hint: idpId, login_hint: 'x@acme.test' })}`,
    );
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('type="password"');
    // A state started for tenant A's app answered at another IdP's callback path is refused too.
    account();
    const b2 = new Browser(svc.app);
    const { location } = await startWithHint(b2);
    const callback = await throughUpstream(location);
    const other = await admin.createIdentityProvider(tenantB.id, {
      kind: 'oidc',
      name: 'B corp',
      domains: ['b.test'],
      oidc: { issuer: fake.issuer, client_id: 'cxauth-client' },
    });
    expectRefusalPage(await b2.get(callback.replace(idpId, other.id)));
  });

  it('audits federated sign-ins and failures', async () => {
    await expect
      .poll(async () => (await svc.storage.auditEvents.list({ type: 'federation.*', limit: 500 })).length, {
        timeout: 5000,
      })
      .toBeGreaterThan(0);
    await expect
      .poll(
        async () =>
          new Set(
            (await svc.storage.auditEvents.list({ type: 'federation.*', limit: 500 })).map((e) => e.type),
          ).size,
        { timeout: 5000 },
      )
      .toBe(2);
    const failures = await svc.storage.auditEvents.list({ type: 'federation.failed', limit: 500 });
    expect(failures.every((e) => e.tenantId === null || typeof e.details['reason'] === 'string')).toBe(true);
  });
});
