// One sign-in interaction: the form is shown with the request sealed in it (for its purpose: the
// password form, the second factor, consent), each post is checked (sealed state, CSRF token bound to
// this interaction and browser, throttling), and a successful sign-in ends in a redirect to the app
// with a code, once the user has allowed a third-party app (interaction/consent.ts).
import crypto from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { typeAllows } from '../domain/app-types.js';
import { mustVerifyEmail } from '../domain/email-verification.js';
import type { Html } from '../domain/html.js';
import type { AuthMethod } from '../domain/sign-in.js';
import type { Application, Tenant, User } from '../domain/types.js';
import type { AuthorizationRequest } from '../protocol/authorization-request.js';
import { isRegistered } from '../protocol/authorization-request.js';
import { completeAuthorization, handleConsentPost, type PendingConsent } from './consent.js';
import { amrOf, checkOtp, checkPassword } from './credentials.js';
import { DEVICE_COOKIE_MAX_AGE } from './device-cookie.js';
import { sendPage } from './html.js';
import {
  browserId,
  type InteractionDeps,
  originOf,
  pageContext,
  refusePage as refuse,
  type SignInStep,
  verificationPending,
} from './outcome.js';
import { checkPasskey, hasPasskeys, passkeyOffer } from './passkeys.js';
import type { CurrentSignIn } from './session.js';
import { identifierPage, otpPage, signInPage } from './views.js';

export type { InteractionDeps } from './outcome.js';
export { redirectWithCode } from './outcome.js';

/** What the password and second-factor forms carry, sealed (as `sign-in` and `second-factor`). */
interface Interaction {
  readonly id: string;
  /** Epoch milliseconds after which the form is refused. */
  readonly exp: number;
  readonly req: AuthorizationRequest;
  /** After the password: the user who still owes a TOTP code (the `second-factor` form only). */
  readonly otpUser?: string;
  /** The WebAuthn challenge of the form's passkey offer (interaction/passkeys.ts), when it has one. */
  readonly pk?: string;
}

const WRONG = 'The e-mail address or password is not correct.';
const SSO_REQUIRED = 'Your organization signs you in through its identity provider, not with a password.';
const WRONG_OTP = 'That code is not correct, or was used already. Wait for the next code and try again.';
const tooMany = (s: number) => `Too many attempts. Try again in ${s} second${s === 1 ? '' : 's'}.`;

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
  o: SignInStep & {
    otpUser?: { id: string; tenant: Tenant };
    error?: string;
    status?: number;
    username?: string | undefined;
    /** No passkey offer (after a refusal that a passkey would only meet again). */
    noPasskey?: boolean;
  },
): Promise<FastifyReply> {
  const passkey = o.noPasskey ? undefined : await passkeyOffer(deps, o.otpUser?.id);
  const interaction: Interaction = {
    id: crypto.randomUUID(),
    exp: o.now.getTime() + deps.config.signIn.interactionTtl * 1000,
    req: o.req,
    ...(o.otpUser ? { otpUser: o.otpUser.id } : {}),
    ...(passkey ? { pk: passkey.challenge } : {}),
  };
  const browser = browserId(deps, request, reply);
  // Enterprise sign-in (docs/sso.md): the e-mail alone first, when an identity provider may claim it.
  const identifier =
    !o.otpUser &&
    o.username === undefined &&
    o.error === undefined &&
    o.req.loginHint === undefined &&
    deps.federation !== undefined &&
    (await deps.federation.identifierFirst(o.req));
  const state = {
    action: deps.action,
    interaction: deps.sealer.seal(
      o.otpUser ? 'second-factor' : identifier ? 'identifier' : 'sign-in',
      interaction,
    ),
    csrf: deps.sealer.csrf(interaction.id, browser),
  };
  const tenant = o.otpUser?.tenant ?? (await hintedTenant(deps, o.req));
  const ctx = pageContext(o.app, o.req, tenant);
  const totp = o.otpUser
    ? (await deps.storage.signIn.credentials(o.otpUser.id))?.totpSecretEncrypted != null
    : false;
  const page: Html = o.otpUser
    ? otpPage(ctx, state, { error: o.error, passkey, totp })
    : identifier
      ? identifierPage(ctx, state)
      : signInPage(ctx, state, { username: o.username ?? o.req.loginHint, error: o.error, passkey });
  const script = !!passkey && (o.otpUser !== undefined || !identifier);
  return sendPage(reply, o.status ?? 200, page, ctx.nonce, [originOf(o.req.redirectUri)], script);
}

/** Starts an interaction: the sign-in form (or the hand-over to the IdP a hint names). */
export async function showSignIn(
  deps: InteractionDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  app: Application,
  req: AuthorizationRequest,
  now: Date,
): Promise<FastifyReply> {
  if (deps.federation && req.deviceAuthorizationId === undefined) {
    const hinted = await deps.federation.hinted(deps, request, reply, { app, req, now });
    if (hinted) return hinted;
  }
  return showForm(deps, request, reply, { app, req, now });
}

/**
 * Where the sign-in of an RFC 8628 device authorization leads instead of a code (its request carries
 * `deviceAuthorizationId`): whether the app may still use the flow, and the page after the sign-in.
 */
export interface DeviceSignIn {
  readonly allows: (app: Application) => boolean;
  readonly complete: (o: SignInStep & { current: CurrentSignIn }) => Promise<FastifyReply>;
}

/**
 * Answers a post of a sign-in form. Nothing but a valid sealed interaction with its CSRF token, from
 * the browser it was shown to, reaches the credential checks. With `deviceFlow`, only the sign-in of a
 * device authorization is accepted, and without it only that of an authorization request.
 */
export async function handleSignInPost(
  deps: InteractionDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  body: Readonly<Record<string, string>>,
  getApplication: (clientId: string) => Promise<Application | undefined>,
  now: Date,
  deviceFlow?: DeviceSignIn,
): Promise<FastifyReply> {
  // Each form opens only as what it was sealed for: a logout confirmation's (or any other form's)
  // fields posted here are refused with this page.
  const sealed = body['interaction'] ?? '';
  const asSignIn = deps.sealer.open('sign-in', sealed);
  const asOtp = asSignIn ? undefined : deps.sealer.open('second-factor', sealed);
  const asConsent = asSignIn || asOtp ? undefined : deps.sealer.open('consent', sealed);
  const asIdentifier =
    asSignIn || asOtp || asConsent || !deps.federation ? undefined : deps.sealer.open('identifier', sealed);
  const opened = (asSignIn ?? asOtp ?? asConsent ?? asIdentifier) as
    | (Interaction & Partial<PendingConsent>)
    | undefined;
  if (
    !opened ||
    typeof opened.id !== 'string' ||
    typeof opened.exp !== 'number' ||
    opened.exp <= now.getTime() ||
    typeof opened.req?.clientId !== 'string' ||
    (asOtp !== undefined && typeof opened.otpUser !== 'string') ||
    (deviceFlow === undefined) !== (opened.req.deviceAuthorizationId === undefined) ||
    (deviceFlow !== undefined && asConsent !== undefined)
  ) {
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
  if (!app || (deviceFlow ? app.status !== 'active' || !deviceFlow.allows(app) : !codeFlowAllows(app, req))) {
    return refuse(reply, 400, 'The application is not available', 'The application is unknown or inactive.');
  }
  if (asConsent) {
    return handleConsentPost(deps, request, reply, {
      pending: opened as PendingConsent,
      app,
      decision: body['decision'],
      now,
    });
  }
  if (asIdentifier && deps.federation) {
    const email = (body['username'] ?? '').trim();
    const routed = await deps.federation.route(deps, request, reply, { app, req, email, now });
    return routed ?? showForm(deps, request, reply, { app, req, now, username: email });
  }
  // "Sign in another way" on the passkey step (a browser that cannot use one): the first form again.
  if (asOtp && body['restart'] === '1') return showForm(deps, request, reply, { app, req, now });
  if ((body['passkey'] ?? '') !== '' && !asConsent) {
    // Throttled as passwords are (docs/sign-in.md): a refused assertion counts against the address and
    // the credential ID it names (or, as a second factor, against the user), before any verification.
    const secondFactor = asOtp && typeof opened.otpUser === 'string' ? opened.otpUser : undefined;
    const verdict = await deps.throttle.check({
      factor: secondFactor !== undefined ? 'second_factor' : 'password',
      name: secondFactor ?? `passkey:${credentialIdOf(body['passkey'] ?? '')}`,
      address: request.ip,
    });
    if (!verdict.allowed) {
      return showForm(deps, request, reply, {
        app,
        req,
        now,
        error: tooMany(verdict.retryAfter),
        status: 429,
      });
    }
    const checked = await checkPasskey(deps, {
      posted: body['passkey'] ?? '',
      challenge: opened.pk,
      exp: opened.exp,
      tenantId: req.tenantId,
      secondFactorUser: asOtp ? opened.otpUser : undefined,
      address: request.ip,
      now,
    });
    if (!checked.ok) {
      await deps.throttle.fail(verdict.ticket, secondFactor !== undefined);
      return showForm(deps, request, reply, { app, req, now, error: checked.error });
    }
    await deps.throttle.succeed(verdict.ticket);
    // A tenant that requires SSO signs the people of its claimed domains in through their IdP only: a
    // passkey is a local credential as a password is (a second factor never gets here: its password
    // was refused first).
    if (!asOtp && (await deps.federation?.passwordRefused(checked.user, checked.tenant))) {
      return showForm(deps, request, reply, {
        app,
        req,
        now,
        error: SSO_REQUIRED,
        status: 403,
        noPasskey: true,
      });
    }
    return signedIn(deps, request, reply, { app, req, now, deviceFlow, ...checked });
  }
  const ip = request.ip;
  const deviceCookie = deps.cookies.read(request, 'device');
  if (asOtp && opened.otpUser !== undefined) {
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
    return signedIn(deps, request, reply, { app, req, now, deviceFlow, user, tenant, amr: amrOf(true) });
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
      : await checkPassword(deps.storage, {
          username,
          password,
          tenantId: req.tenantId,
          now,
          ssoOnly: ssoOnly(deps),
        });
  // A tenant that requires SSO: its users of claimed domains are refused before any password of theirs
  // is checked, so neither the answer nor its time says whether it was right (docs/sso.md).
  if (outcome && 'ssoRequired' in outcome) {
    await deps.throttle.fail(verdict.ticket, false);
    return showForm(deps, request, reply, {
      app,
      req,
      now,
      username,
      error: SSO_REQUIRED,
      status: 403,
      noPasskey: true,
    });
  }
  if (!outcome) {
    // The username is never named in the audit trail here: it may be a password typed in its field.
    await deps.throttle.fail(verdict.ticket, false);
    return showForm(deps, request, reply, { app, req, now, username, error: WRONG });
  }
  // The password was right: its failures from here are forgotten even when a second factor follows.
  await deps.throttle.succeed(verdict.ticket);
  if (outcome.needsOtp || (await hasPasskeys(deps, outcome.user.id))) {
    return showForm(deps, request, reply, {
      app,
      req,
      now,
      otpUser: { id: outcome.user.id, tenant: outcome.tenant },
    });
  }
  const { user, tenant } = outcome;
  return signedIn(deps, request, reply, { app, req, now, deviceFlow, user, tenant, amr: amrOf(false) });
}

/** Whether `app` may still get a code for `req` (read again after the person typed or mailed). */
export function codeFlowAllows(app: Application | undefined, req: AuthorizationRequest): app is Application {
  return (
    app?.status === 'active' &&
    isRegistered(app.redirectUris, req.redirectUri) &&
    app.grantTypes.includes('authorization_code') &&
    typeAllows(app.type, app.tenancy, 'authorization_code')
  );
}

/** Whether a user may not use a password (the tenant requires SSO for their domain), when federated. */
function ssoOnly(deps: InteractionDeps): ((user: User) => Promise<boolean>) | undefined {
  const { federation } = deps;
  if (!federation) return undefined;
  return async (user) => {
    const tenant = await deps.storage.tenants.get(user.tenantId);
    return tenant !== undefined && (await federation.passwordRefused(user, tenant));
  };
}

/** A successful sign-in: this browser gets (or renews) the device cookie of this user. */
function rememberDevice(deps: InteractionDeps, reply: FastifyReply, username: string): void {
  deps.cookies.set(reply, 'device', deps.devices.issue(username), DEVICE_COOKIE_MAX_AGE);
}

/**
 * A successful sign-in (password, second factor or passkey): recorded, then the code (or the device's
 * page), unless the person must verify their e-mail first (docs/people.md).
 */
async function signedIn(
  deps: InteractionDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  o: SignInStep & {
    deviceFlow: DeviceSignIn | undefined;
    user: User;
    tenant: Tenant;
    amr: AuthMethod[];
  },
): Promise<FastifyReply> {
  const { app, req, now, user, tenant } = o;
  rememberDevice(deps, reply, user.email);
  const signIn = await deps.sessions.authenticated(request, reply, { user, tenant, amr: o.amr, now });
  const current = { signIn, user, tenant };
  if (o.deviceFlow) {
    if (mustVerifyEmail(user, tenant))
      return verificationPending(deps, request, reply, { app, req, current, now });
    return o.deviceFlow.complete({ app, req, current, now });
  }
  return completeAuthorization(deps, request, reply, { app, req, current, now });
}

/** The credential ID an assertion names, for its throttle counter ('' when it names none). */
function credentialIdOf(posted: string): string {
  try {
    const id = (JSON.parse(posted) as { id?: unknown } | null)?.id;
    return typeof id === 'string' ? id.slice(0, 256) : '';
  } catch {
    return '';
  }
}
