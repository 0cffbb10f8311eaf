// GET|POST /auth/authorize/logout: RP-initiated logout. Ends the browser's sign-in and every grant
// session (refresh token) opened from it; with a valid id_token_hint it goes straight back to a
// post_logout_redirect_uri registered for the hint's app, otherwise it asks for confirmation first.
// An unregistered URI is never redirected to.
import crypto from 'node:crypto';
import type { IdTokenClaims, Verifier } from '@cxauth/verify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Application } from '../domain/types.js';
import { ROUTE } from '../http/routes.js';
import type { CookieJar } from '../interaction/cookies.js';
import { sendPage, sendRedirect, styleNonce } from '../interaction/html.js';
import { refusePage } from '../interaction/outcome.js';
import type { Sealer } from '../interaction/seal.js';
import type { SignInSessions } from '../interaction/session.js';
import { loggedOutPage, logoutConfirmPage } from '../interaction/views.js';
import { hasControlChar, isForm } from '../protocol/params.js';
import type { Services } from '../services/index.js';
import type { Storage } from '../storage/contract/index.js';
import type { Lookups } from '../storage/lookups.js';

export interface LogoutDeps {
  readonly issuer: string;
  readonly storage: Storage;
  readonly lookups: Lookups;
  readonly sessions: SignInSessions;
  readonly sealer: Sealer;
  readonly cookies: CookieJar;
  /** The key ring's verifier: the hint is checked with the keys this issuer publishes now. */
  readonly verifier: Pick<Verifier, 'verifyIdToken'>;
  readonly clock: () => Date;
  readonly interactionTtl: number;
}

/** What the confirmation form carries, sealed. */
interface PendingLogout {
  readonly id: string;
  readonly exp: number;
  readonly logout: true;
  readonly redirect?: string;
  readonly state?: string;
}

type Params = Readonly<Record<string, unknown>>;

function param(params: Params, name: string): string | undefined {
  const value = params[name];
  if (typeof value !== 'string' || value === '' || value.length > 8192 || hasControlChar(value))
    return undefined;
  return value;
}

/** The URI to go back to, with `state` (OIDC RP-Initiated Logout §3). */
function back(uri: string, state: string | undefined): string {
  const url = new URL(uri);
  if (state !== undefined) url.searchParams.append('state', state);
  return url.toString();
}

function signedOut(reply: FastifyReply): FastifyReply {
  const nonce = styleNonce();
  return sendPage(reply, 200, loggedOutPage({ appName: 'cxauth', display: 'page', nonce }), nonce);
}

/**
 * The claims of an id_token_hint this issuer signed with a key it publishes now, for any of its
 * clients; undefined when it is not one (then logout asks for confirmation). An expired hint is
 * accepted: OIDC RP-Initiated Logout §2 expects it (an RP often logs out after its id_token expired),
 * and the hint only names a sign-in to end, it grants nothing.
 * @see OpenID Connect RP-Initiated Logout 1.0 §2
 */
async function readHint(deps: LogoutDeps, token: string): Promise<IdTokenClaims | undefined> {
  try {
    return await deps.verifier.verifyIdToken(token, { acceptExpired: true });
  } catch {
    return undefined;
  }
}

async function start(
  deps: LogoutDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  params: Params,
  getApplication: (clientId: string) => Promise<Application | undefined>,
): Promise<FastifyReply> {
  const now = deps.clock();
  const rawHint = param(params, 'id_token_hint');
  const hint = rawHint === undefined ? undefined : await readHint(deps, rawHint);
  const clientId = typeof hint?.['aud'] === 'string' ? hint['aud'] : param(params, 'client_id');
  if (hint && param(params, 'client_id') !== undefined && param(params, 'client_id') !== clientId) {
    return refusePage(
      reply,
      400,
      'This sign-out link is not valid',
      'The client_id does not match the id_token_hint.',
    );
  }
  const uri = param(params, 'post_logout_redirect_uri');
  const state = param(params, 'state');
  let redirect: string | undefined;
  if (uri !== undefined) {
    const app = clientId === undefined ? undefined : await getApplication(clientId);
    if (app?.status !== 'active' || !app.postLogoutRedirectUris.includes(uri)) {
      return refusePage(
        reply,
        400,
        'This sign-out link is not valid',
        'The post_logout_redirect_uri is not registered for this application.',
      );
    }
    redirect = uri;
  }
  if (hint) {
    // The hint's own sign-in ends, even when this browser holds no cookie for it.
    const sid = hint['sid'];
    const link = typeof sid === 'string' ? await deps.storage.signIn.sessionSignIn(sid) : undefined;
    if (link) {
      for (const sessionId of await deps.storage.signIn.endSignIn(link.signInId, now)) {
        await deps.storage.sessions.revoke(sessionId, 'logout', now);
      }
    }
    // The browser's sign-in ends at once only when it is the hint's (or there is none): a hint of
    // another sign-in, the attacker's own id_token in a link, must not sign a visitor out unasked
    // (RP-Initiated Logout §2: the OP MUST ask when the token is not of the current session).
    const current = await deps.sessions.current(request, now);
    if (current === undefined || current.signIn.id === link?.signInId) {
      await deps.sessions.end(request, reply, now, 'logout');
      return redirect === undefined ? signedOut(reply) : sendRedirect(reply, back(redirect, state));
    }
  }
  const pending: PendingLogout = {
    id: crypto.randomUUID(),
    exp: now.getTime() + deps.interactionTtl * 1000,
    logout: true,
    ...(redirect === undefined ? {} : { redirect }),
    ...(state === undefined ? {} : { state }),
  };
  let browser = deps.cookies.read(request, 'browser');
  if (!browser) {
    browser = crypto.randomBytes(32).toString('base64url');
    deps.cookies.set(reply, 'browser', browser);
  }
  const nonce = styleNonce();
  const page = logoutConfirmPage(
    { appName: 'cxauth', display: 'page', nonce },
    {
      action: ROUTE.logout.path,
      interaction: deps.sealer.seal('logout', pending),
      csrf: deps.sealer.csrf(pending.id, browser),
    },
  );
  return sendPage(reply, 200, page, nonce, redirect === undefined ? [] : [new URL(redirect).origin]);
}

async function confirm(deps: LogoutDeps, request: FastifyRequest, reply: FastifyReply, params: Params) {
  const now = deps.clock();
  const pending = deps.sealer.open('logout', param(params, 'interaction') ?? '') as PendingLogout | undefined;
  if (pending?.logout !== true || typeof pending.exp !== 'number' || pending.exp <= now.getTime()) {
    return refusePage(reply, 400, 'This sign-out has expired', 'Start the sign-out again.');
  }
  if (!deps.sealer.checkCsrf(param(params, 'csrf'), pending.id, deps.cookies.read(request, 'browser'))) {
    return refusePage(
      reply,
      403,
      'The sign-out could not be verified',
      'The form did not come from this sign-out.',
    );
  }
  await deps.sessions.end(request, reply, now, 'logout');
  return pending.redirect === undefined
    ? signedOut(reply)
    : sendRedirect(reply, back(pending.redirect, pending.state));
}

/**
 * Registers the end-session endpoint.
 * @see OpenID Connect RP-Initiated Logout 1.0 §2–§3
 */
export function registerLogout(
  app: FastifyInstance,
  services: Pick<Services, 'config' | 'storage' | 'lookups' | 'signIn' | 'ring' | 'clock'>,
): void {
  const { config, signIn } = services;
  const deps: LogoutDeps = {
    issuer: config.issuer,
    storage: services.storage,
    lookups: services.lookups,
    sessions: signIn.sessions,
    sealer: signIn.sealer,
    cookies: signIn.cookies,
    verifier: services.ring.verifier,
    clock: services.clock,
    interactionTtl: config.signIn.interactionTtl,
  };
  const handle = async (request: FastifyRequest, reply: FastifyReply, params: Params) => {
    const view = await deps.lookups.current(request);
    if (request.method === 'POST' && params['interaction'] !== undefined)
      return confirm(deps, request, reply, params);
    return start(deps, request, reply, params, view.application);
  };
  app.get(ROUTE.logout.path, (request, reply) => handle(request, reply, (request.query ?? {}) as Params));
  app.post(ROUTE.logout.path, async (request, reply) => {
    if (!isForm(request.headers['content-type'])) {
      return refusePage(reply, 415, 'This sign-out link is not valid', 'The form was not sent as a form.');
    }
    return handle(request, reply, (request.body ?? {}) as Params);
  });
}
