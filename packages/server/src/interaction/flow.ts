// One sign-in interaction: the form is shown with the request sealed in it, each post is checked
// (sealed state, CSRF token bound to this interaction and browser, throttling), and a successful
// sign-in ends in a redirect to the app with a code.
import crypto from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServerConfig } from '../config/config.js';
import type { Application, Tenant } from '../domain/types.js';
import type { AuthorizationRequest } from '../endpoints/authorize/request.js';
import { isRegistered, redirectTo } from '../endpoints/authorize/request.js';
import { typeAllows } from '../protocol/app-types.js';
import { generateToken } from '../secrets/random-secrets.js';
import type { Storage } from '../storage/contract/index.js';
import type { SignInThrottle } from '../throttling/sign-in.js';
import { mintAuthorizationCode, UNEXCHANGED_CODES_PER_SIGN_IN } from '../tokens/authorization-code.js';
import type { Hasher } from '../tokens/refresh-token.js';
import type { CookieJar } from './cookies.js';
import { amrOf, checkOtp, checkPassword } from './credentials.js';
import { DEVICE_COOKIE_MAX_AGE, type DeviceCookies } from './device-cookie.js';
import { type Html, sendPage, sendRedirect, styleNonce } from './html.js';
import type { Sealer } from './seal.js';
import type { CurrentSignIn, SignInSessions } from './session.js';

import { errorPage, otpPage, type PageContext, signInPage } from './views.js';

export interface InteractionDeps {
  readonly config: ServerConfig;
  readonly storage: Storage;
  readonly hasher: Hasher;
  readonly kek: Buffer | undefined;
  readonly sealer: Sealer;
  readonly cookies: CookieJar;
  readonly sessions: SignInSessions;
  readonly throttle: SignInThrottle;
  readonly devices: DeviceCookies;
  /** The path the forms post to. */
  readonly action: string;
}

/** What the form carries, sealed. */
interface Interaction {
  readonly id: string;
  /** Epoch milliseconds after which the form is refused. */
  readonly exp: number;
  readonly req: AuthorizationRequest;
  /** After the password: the user who still owes a TOTP code. */
  readonly otpUser?: string;
}

const WRONG = 'The e-mail address or password is not correct.';
const WRONG_OTP = 'That code is not correct, or was used already. Wait for the next code and try again.';
const tooMany = (s: number) => `Too many attempts. Try again in ${s} second${s === 1 ? '' : 's'}.`;

const originOf = (uri: string) => new URL(uri).origin;

/** The browser binding cookie of the CSRF token, set when the browser has none yet. */
function browserId(deps: InteractionDeps, request: FastifyRequest, reply: FastifyReply): string {
  const existing = deps.cookies.read(request, 'browser');
  if (existing) return existing;
  const id = generateToken();
  deps.cookies.set(reply, 'browser', id);
  return id;
}

function pageContext(app: Application, req: AuthorizationRequest, tenant?: Tenant): PageContext {
  return { appName: app.name, tenantName: tenant?.name, display: req.display, nonce: styleNonce() };
}

async function hintedTenant(deps: InteractionDeps, req: AuthorizationRequest): Promise<Tenant | undefined> {
  if (req.tenantId === undefined) return undefined;
  const tenant = await deps.storage.tenants.get(req.tenantId);
  return tenant?.status === 'active' ? tenant : undefined;
}

/** Shows a form of a new interaction (or the next step of one). */
async function showForm(
  deps: InteractionDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  o: {
    app: Application;
    req: AuthorizationRequest;
    now: Date;
    otpUser?: { id: string; tenant: Tenant };
    error?: string;
    status?: number;
    username?: string | undefined;
  },
): Promise<FastifyReply> {
  const interaction: Interaction = {
    id: crypto.randomUUID(),
    exp: o.now.getTime() + deps.config.signIn.interactionTtl * 1000,
    req: o.req,
    ...(o.otpUser ? { otpUser: o.otpUser.id } : {}),
  };
  const browser = browserId(deps, request, reply);
  const state = {
    action: deps.action,
    interaction: deps.sealer.seal(interaction),
    csrf: deps.sealer.csrf(interaction.id, browser),
  };
  const tenant = o.otpUser?.tenant ?? (await hintedTenant(deps, o.req));
  const ctx = pageContext(o.app, o.req, tenant);
  const page: Html = o.otpUser
    ? otpPage(ctx, state, { error: o.error })
    : signInPage(ctx, state, { username: o.username ?? o.req.loginHint, error: o.error });
  return sendPage(reply, o.status ?? 200, page, ctx.nonce, [originOf(o.req.redirectUri)]);
}

/** Starts an interaction: the sign-in form. */
export function showSignIn(
  deps: InteractionDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  app: Application,
  req: AuthorizationRequest,
  now: Date,
): Promise<FastifyReply> {
  return showForm(deps, request, reply, { app, req, now });
}

/** Issues a code for a live sign-in and redirects to the app with it. */
export async function redirectWithCode(
  deps: InteractionDeps,
  reply: FastifyReply,
  req: AuthorizationRequest,
  current: Pick<CurrentSignIn, 'signIn'>,
  now: Date,
): Promise<FastifyReply> {
  const { signIn } = current;
  const { code, record } = mintAuthorizationCode(deps.hasher, {
    clientId: req.clientId,
    redirectUri: req.redirectUri,
    codeChallenge: req.codeChallenge,
    scope: req.scope,
    nonce: req.nonce,
    userId: signIn.userId,
    tenantId: signIn.tenantId,
    signInId: signIn.id,
    authTime: signIn.authTime,
    amr: signIn.amr,
    now,
    ttl: deps.config.signIn.authorizationCodeTtl,
  });
  await deps.storage.signIn.createCode(record, UNEXCHANGED_CODES_PER_SIGN_IN);
  return sendRedirect(reply, redirectTo(req.redirectUri, deps.config.issuer, { code, state: req.state }));
}

function refuse(reply: FastifyReply, status: number, title: string, message: string): FastifyReply {
  const nonce = styleNonce();
  return sendPage(reply, status, errorPage({ display: 'page', nonce }, title, message), nonce);
}

/**
 * Answers a post of a sign-in form. Nothing but a valid sealed interaction with its CSRF token, from
 * the browser it was shown to, reaches the credential checks.
 */
export async function handleSignInPost(
  deps: InteractionDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  body: Readonly<Record<string, string>>,
  getApplication: (clientId: string) => Promise<Application | undefined>,
  now: Date,
): Promise<FastifyReply> {
  const opened = deps.sealer.open(body['interaction'] ?? '') as Interaction | undefined;
  if (!opened || typeof opened.exp !== 'number' || opened.exp <= now.getTime()) {
    return refuse(reply, 400, 'This sign-in has expired', 'The sign-in form is too old or was altered.');
  }
  if (!deps.sealer.checkCsrf(body['csrf'], opened.id, deps.cookies.read(request, 'browser'))) {
    return refuse(
      reply,
      403,
      'The sign-in could not be verified',
      'The form did not come from this sign-in.',
    );
  }
  const { req } = opened;
  const app = await getApplication(req.clientId);
  // Read again, as at /auth/authorize: an app switched off, or no longer allowed the code flow, while
  // its user was typing gets no code.
  if (
    app?.status !== 'active' ||
    !isRegistered(app.redirectUris, req.redirectUri) ||
    !app.grantTypes.includes('authorization_code') ||
    !typeAllows(app.type, app.tenancy, 'authorization_code')
  ) {
    return refuse(reply, 400, 'The application is not available', 'The application is unknown or inactive.');
  }
  const ip = request.ip;
  const deviceCookie = deps.cookies.read(request, 'device');
  if (opened.otpUser !== undefined) {
    const user = await deps.storage.users.get(opened.otpUser);
    const tenant = user ? await deps.storage.tenants.get(user.tenantId) : undefined;
    if (user?.status !== 'active' || tenant?.status !== 'active') {
      return showForm(deps, request, reply, { app, req, now, error: WRONG });
    }
    const otpUser = { id: user.id, tenant };
    const verdict = await deps.throttle.check({
      factor: 'second_factor',
      name: user.id,
      address: ip,
      device: deps.devices.verify(deviceCookie, user.email),
    });
    if (!verdict.allowed) {
      return showForm(deps, request, reply, {
        app,
        req,
        now,
        otpUser,
        error: tooMany(verdict.retryAfter),
        status: 429,
      });
    }
    if (!(await checkOtp(deps.storage, deps.kek, { userId: user.id, otp: body['otp'] ?? '', now }))) {
      await deps.throttle.fail(verdict.ticket, true);
      return showForm(deps, request, reply, { app, req, now, otpUser, error: WRONG_OTP });
    }
    await deps.throttle.succeed(verdict.ticket);
    rememberDevice(deps, reply, user.email);
    const signIn = await deps.sessions.authenticated(request, reply, { user, tenant, amr: amrOf(true), now });
    return redirectWithCode(deps, reply, req, { signIn }, now);
  }
  const username = (body['username'] ?? '').trim();
  const password = body['password'] ?? '';
  const verdict = await deps.throttle.check({
    factor: 'password',
    name: username,
    address: ip,
    device: deps.devices.verify(deviceCookie, username),
  });
  if (!verdict.allowed) {
    return showForm(deps, request, reply, {
      app,
      req,
      now,
      username,
      error: tooMany(verdict.retryAfter),
      status: 429,
    });
  }
  const outcome =
    username === '' || password === ''
      ? undefined
      : await checkPassword(deps.storage, { username, password, tenantId: req.tenantId, now });
  if (!outcome) {
    // The username is never named in the audit trail here: it may be a password typed in its field.
    await deps.throttle.fail(verdict.ticket, false);
    return showForm(deps, request, reply, { app, req, now, username, error: WRONG });
  }
  // The password was right: its failures from here are forgotten even when a second factor follows.
  await deps.throttle.succeed(verdict.ticket);
  if (outcome.needsOtp) {
    return showForm(deps, request, reply, {
      app,
      req,
      now,
      otpUser: { id: outcome.user.id, tenant: outcome.tenant },
    });
  }
  const { user, tenant } = outcome;
  rememberDevice(deps, reply, user.email);
  const signIn = await deps.sessions.authenticated(request, reply, { user, tenant, amr: amrOf(false), now });
  return redirectWithCode(deps, reply, req, { signIn }, now);
}

/** A successful sign-in: this browser gets (or renews) the device cookie of this user. */
function rememberDevice(deps: InteractionDeps, reply: FastifyReply, username: string): void {
  deps.cookies.set(reply, 'device', deps.devices.issue(username), DEVICE_COOKIE_MAX_AGE);
}

export { refuse as refusePage };
