// Consent for applications the platform does not run itself (the model of Keycloak, ORY Hydra and
// Auth0): the hosted page naming the app, its tenant and each scope in words, sealed for its purpose,
// CSRF-bound and throttled like the sign-in form, and the answer remembered per user, app and scopes.
import crypto from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { mustVerifyEmail } from '../domain/email-verification.js';
import type { Application } from '../domain/types.js';
import type { AuthorizationRequest } from '../protocol/authorization-request.js';
import type { Storage } from '../storage/contract/index.js';
import { consentCovers, scopesOf } from './consent-rules.js';
import { sendPage } from './html.js';
import {
  browserId,
  type InteractionDeps,
  originOf,
  pageContext,
  redirectWithCode,
  redirectWithError,
  refusePage,
  type SignInStep,
  verificationPending,
} from './outcome.js';
import type { CurrentSignIn } from './session.js';
import { consentPage } from './views.js';

/** What the consent form carries, sealed for `consent`. */
export interface PendingConsent {
  readonly id: string;
  /** Epoch milliseconds after which the form is refused. */
  readonly exp: number;
  readonly req: AuthorizationRequest;
  /** The sign-in it was shown in: the answer counts only in that same, still live, sign-in. */
  readonly signInId: string;
  readonly userId: string;
}

/** Each scope in words, as the consent page shows it (OIDC Core §5.4 for the profile scopes). */
const SCOPE_WORDS: Record<string, string> = {
  openid: 'Know who you are (your account id)',
  profile: 'See your name',
  email: 'See your e-mail address',
  offline_access: 'Keep access while you are away (stay signed in)',
  admin: 'Manage cxauth with your permissions',
};

const scopeInWords = (scope: string): string => SCOPE_WORDS[scope] ?? `Use "${scope}"`;

/** Each scope of a `scope` value in words, as the consent and device confirmation pages list them. */
export const scopesInWords = (scope: string): string[] => scopesOf(scope).map(scopeInWords);

/**
 * Whether `scope` needs the user's consent: never for a first-party app; always with
 * `prompt=consent`; otherwise unless a remembered consent covers every scope asked for (a subset of
 * what was allowed asks nothing).
 */
export async function needsConsent(
  storage: Storage,
  app: Pick<Application, 'clientId' | 'firstParty'>,
  userId: string,
  req: Pick<AuthorizationRequest, 'scope' | 'consent'>,
): Promise<boolean> {
  if (app.firstParty) return false;
  if (req.consent) return true;
  return !(await consentCovers(storage, app, userId, req.scope));
}

/** Remembers that the user allowed `scope` (added to what was allowed before). */
export async function rememberConsent(
  storage: Storage,
  userId: string,
  clientId: string,
  scope: string,
  now: Date,
): Promise<void> {
  const before = await storage.consents.get(userId, clientId);
  const scopes = [...new Set([...(before?.scopes ?? []), ...scopesOf(scope)])];
  await storage.consents.put({
    userId,
    clientId,
    scopes,
    createdAt: before?.createdAt ?? now,
    updatedAt: now,
  });
}

/** Shows the consent form of `req` for the browser's sign-in `current`. */
export async function showConsent(
  deps: InteractionDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  o: SignInStep & { current: CurrentSignIn; error?: string; status?: number },
): Promise<FastifyReply> {
  const pending: PendingConsent = {
    id: crypto.randomUUID(),
    exp: o.now.getTime() + deps.config.signIn.interactionTtl * 1000,
    req: o.req,
    signInId: o.current.signIn.id,
    userId: o.current.user.id,
  };
  const browser = browserId(deps, request, reply);
  const state = {
    action: deps.action,
    interaction: deps.sealer.seal('consent', pending),
    csrf: deps.sealer.csrf(pending.id, browser),
  };
  const appTenant = o.app.tenantId === null ? undefined : await deps.storage.tenants.get(o.app.tenantId);
  const ctx = pageContext(o.app, o.req, o.current.tenant);
  const page = consentPage(ctx, state, {
    appTenant: o.app.tenantId === null ? undefined : (appTenant?.name ?? o.app.tenantId),
    scopes: scopesInWords(o.req.scope),
    user: o.current.user.email,
    error: o.error,
  });
  return sendPage(reply, o.status ?? 200, page, ctx.nonce, [originOf(o.req.redirectUri)]);
}

/**
 * Ends an authorization for a live sign-in: the e-mail verification page when the person must verify
 * their address first (docs/people.md), a code when no consent is needed, `consent_required` for
 * `prompt=none` (OIDC Core §3.1.2.6), the consent page otherwise.
 */
export async function completeAuthorization(
  deps: InteractionDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  o: { app: Application; req: AuthorizationRequest; current: CurrentSignIn; now: Date },
): Promise<FastifyReply> {
  // A tenant that requires verified addresses: no code before the person verified theirs.
  if (mustVerifyEmail(o.current.user, o.current.tenant)) return verificationPending(deps, request, reply, o);
  if (!(await needsConsent(deps.storage, o.app, o.current.user.id, o.req))) {
    return redirectWithCode(deps, reply, o.req, o.current, o.now);
  }
  if (o.req.prompt === 'none') {
    return redirectWithError(
      deps,
      reply,
      o.req,
      'consent_required',
      'the user has not allowed this application',
    );
  }
  return showConsent(deps, request, reply, o);
}

/** The keyed hash a consent form's id is spent under (apart from any passkey challenge's). */
const consentFormHash = (deps: Pick<InteractionDeps, 'hasher'>, id: string) =>
  deps.hasher.hash(`consent-form:${id}`);

const tooMany = (s: number) => `Too many attempts. Try again in ${s} second${s === 1 ? '' : 's'}.`;

/**
 * Answers a post of the consent form (already opened as `consent`, its CSRF token checked): in the
 * same live sign-in only, `allow` remembers the scopes and issues the code, `deny` goes back to the
 * app with `access_denied` (RFC 6749 §4.1.2.1).
 */
export async function handleConsentPost(
  deps: InteractionDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  o: { pending: PendingConsent; app: Application; decision: string | undefined; now: Date },
): Promise<FastifyReply> {
  const { pending, app, now } = o;
  const current = await deps.sessions.current(request, now);
  if (!current || current.signIn.id !== pending.signInId || current.user.id !== pending.userId) {
    return refusePage(reply, 400, 'This sign-in has ended', 'Start again from the application.');
  }
  // Nothing is guessed here (the sign-in is live and the form CSRF-bound), so nothing is counted;
  // a username delayed at the sign-in form is delayed here too, unless this browser is its device.
  const verdict = await deps.throttle.check({
    factor: 'password',
    name: current.user.email,
    address: request.ip,
    device: deps.devices.verify(deps.cookies.read(request, 'device'), current.user.email),
  });
  if (!verdict.allowed) {
    return showConsent(deps, request, reply, {
      app,
      req: pending.req,
      current,
      now,
      error: tooMany(verdict.retryAfter),
      status: 429,
    });
  }
  if (o.decision !== 'allow' && o.decision !== 'deny') {
    return refusePage(reply, 400, 'This form is not valid', 'Choose Allow or Deny.');
  }
  // A form decides once: re-posted (replayed, or sent again after Deny or after the grant was
  // withdrawn) it neither grants nor mints another code. Its id is spent in the store of single-use
  // values, until the form expires.
  if (
    !(await deps.storage.passkeys.spendChallenge(consentFormHash(deps, pending.id), new Date(pending.exp)))
  ) {
    return refusePage(reply, 400, 'This form was used already', 'Start again from the application.');
  }
  if (o.decision === 'deny') {
    return redirectWithError(deps, reply, pending.req, 'access_denied', 'the user denied the request');
  }
  await rememberConsent(deps.storage, current.user.id, app.clientId, pending.req.scope, now);
  return redirectWithCode(deps, reply, pending.req, current, now);
}
