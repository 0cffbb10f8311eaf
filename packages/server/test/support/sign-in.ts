// Sign-in helpers for tests: users with a password (and TOTP), public and confidential apps with
// redirect URIs, and a small cookie-keeping browser over Fastify's inject that reads the forms.
import crypto from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { Application, Tenant, User } from '../../src/domain/types.js';
import { totpAad } from '../../src/interaction/credentials.js';
import { encrypt } from '../../src/keys/kek.js';
import { s256 } from '../../src/protocol/pkce.js';
import { hashPassword } from '../../src/secrets/passwords.js';
import { generateTotpSecret } from '../../src/secrets/totp.js';
import { FORM, form, tokenRequest } from './http.js';
import type { TestService } from './service.js';

export const REDIRECT = 'http://127.0.0.1:9999/callback';
export const POST_LOGOUT = 'http://127.0.0.1:9999/signed-out';
export const PASSWORD = 'correct horse battery staple';

/** A user of `tenant` with {@link PASSWORD} (and a TOTP secret when asked). */
export async function signInUser(
  svc: TestService,
  o: { tenant?: Tenant; email?: string; totp?: boolean } = {},
): Promise<{ user: User; totpSecret?: Buffer }> {
  const user = await svc.addUser(o.tenant ?? svc.fixture.tenant, {
    email: o.email ?? `u${crypto.randomUUID()}@example.com`,
  });
  await svc.storage.signIn.setPassword(user.id, await hashPassword(PASSWORD), svc.clock.now());
  if (!o.totp) return { user };
  const totpSecret = generateTotpSecret();
  await svc.storage.signIn.setTotp(user.id, encrypt(svc.kek, totpSecret, totpAad(user.id)), svc.clock.now());
  return { user, totpSecret };
}

/**
 * A public app (no secret) with {@link REDIRECT} and {@link POST_LOGOUT} registered. First-party
 * unless `o` says otherwise, so tests of other steps meet no consent page (consent.test.ts has those).
 */
export async function publicApp(svc: TestService, o: Partial<Application> = {}): Promise<Application> {
  const { app } = await svc.addApplication({
    type: 'public',
    secretHash: null,
    name: 'Example App',
    grantTypes: ['authorization_code', 'refresh_token'],
    redirectUris: [REDIRECT],
    postLogoutRedirectUris: [POST_LOGOUT],
    firstParty: true,
    ...o,
  });
  return app;
}

export interface Pkce {
  verifier: string;
  challenge: string;
}

export function pkce(): Pkce {
  const verifier = crypto.randomBytes(32).toString('base64url');
  return { verifier, challenge: s256(verifier) };
}

/** The query of an authorization request for `app` (override or drop members with `o`). */
export function authorizeQuery(
  app: Application,
  p: Pkce,
  o: Record<string, string | undefined> = {},
): string {
  const params: Record<string, string | undefined> = {
    response_type: 'code',
    client_id: app.clientId,
    redirect_uri: REDIRECT,
    scope: 'openid profile',
    state: 'st-123',
    nonce: 'n-456',
    code_challenge: p.challenge,
    code_challenge_method: 'S256',
    ...o,
  };
  const defined = Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined)) as Record<
    string,
    string
  >;
  return new URLSearchParams(defined).toString();
}

/** The hidden inputs and their values of the first form of a page. */
export function hiddenInputs(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    out[m[1] as string] = (m[2] as string).replace(/&amp;/g, '&').replace(/&quot;/g, '"');
  }
  return out;
}

/** A browser: keeps the cookies the server sets and sends them back. */
export class Browser {
  readonly cookies = new Map<string, string>();
  /** `remoteAddress`: the client address its requests come from (light-my-request's default otherwise). */
  constructor(
    readonly app: FastifyInstance,
    public remoteAddress?: string,
  ) {}

  get #from(): { remoteAddress?: string } {
    return this.remoteAddress === undefined ? {} : { remoteAddress: this.remoteAddress };
  }

  #keep(res: LightMyRequestResponse): LightMyRequestResponse {
    for (const c of res.cookies as { name: string; value: string; maxAge?: number }[]) {
      if (c.value === '' || c.maxAge === 0) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    return res;
  }

  get cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async get(url: string): Promise<LightMyRequestResponse> {
    return this.#keep(
      await this.app.inject({ method: 'GET', url, headers: { cookie: this.cookieHeader }, ...this.#from }),
    );
  }

  async post(url: string, params: Record<string, string>): Promise<LightMyRequestResponse> {
    return this.#keep(
      await this.app.inject({
        method: 'POST',
        url,
        headers: { 'content-type': FORM, cookie: this.cookieHeader },
        payload: form(params),
        ...this.#from,
      }),
    );
  }
}

/** The query parameters of a redirect's Location. */
export function redirectParams(res: LightMyRequestResponse): URLSearchParams {
  return new URL(String(res.headers.location)).searchParams;
}

/** A browser signed in through the code flow, and the tokens the code was exchanged for. */
export interface SignedIn {
  browser: Browser;
  body: { id_token: string; access_token: string; refresh_token: string };
}

/** A new user's sign-in on the hosted page: the browser, the PKCE pair, the page and the answer. */
export interface PageSignIn {
  browser: Browser;
  p: Pkce;
  page: LightMyRequestResponse;
  /** The answer to the posted form: a redirect with a code, or the next page (consent, TOTP). */
  res: LightMyRequestResponse;
}

/** Signs a new user in to public `app` on the hosted page (the code is not exchanged). */
export async function signInOnPage(svc: TestService, app: Application): Promise<PageSignIn> {
  const { user } = await signInUser(svc);
  const browser = new Browser(svc.app);
  const p = pkce();
  const page = await browser.get(`/auth/authorize?${authorizeQuery(app, p)}`);
  const res = await browser.post('/auth/authorize', {
    ...hiddenInputs(page.body),
    username: user.email,
    password: PASSWORD,
  });
  return { browser, p, page, res };
}

/** Signs a new user in to public `app` on the hosted page and exchanges the code, which must work. */
export async function signInWithCode(svc: TestService, app: Application): Promise<SignedIn> {
  const { browser, p, res } = await signInOnPage(svc, app);
  const tokens = await tokenRequest(svc.app, {
    grant_type: 'authorization_code',
    code: redirectParams(res).get('code') as string,
    redirect_uri: REDIRECT,
    code_verifier: p.verifier,
    client_id: app.clientId,
  });
  expect(tokens.statusCode).toBe(200);
  return { browser, body: tokens.json() as SignedIn['body'] };
}

/** The status of a refresh-token grant by public `app`: 200 while the sign-in lasts. */
export async function refreshStatus(
  svc: TestService,
  app: Application,
  refreshToken: string,
): Promise<number> {
  const res = await tokenRequest(svc.app, {
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
    client_id: app.clientId,
  });
  return res.statusCode;
}
