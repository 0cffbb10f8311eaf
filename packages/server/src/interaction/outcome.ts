// What every step of a sign-in interaction shares: its dependencies, the browser binding of the CSRF
// token, and the ways an interaction ends (a code for the app, an error for the app, a refusal page).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServerConfig } from '../config/config.js';
import type { Application, Tenant } from '../domain/types.js';
import type { Audit } from '../observability/audit.js';
import type { AuthorizationRequest } from '../protocol/authorization-request.js';
import { redirectTo } from '../protocol/authorization-request.js';
import type { Hasher } from '../secrets/hasher.js';
import { generateToken } from '../secrets/random-secrets.js';
import type { Storage } from '../storage/contract/index.js';
import type { SignInThrottle } from '../throttling/sign-in.js';
import { mintAuthorizationCode, UNEXCHANGED_CODES_PER_SIGN_IN } from '../tokens/authorization-code.js';
import type { CookieJar } from './cookies.js';
import type { DeviceCookies } from './device-cookie.js';
import { sendPage, sendRedirect, styleNonce } from './html.js';
import type { Sealer } from './seal.js';
import type { CurrentSignIn, SignInSessions } from './session.js';
import { errorPage, type PageContext } from './views.js';

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
  /** Enterprise sign-in (federation/, docs/sso.md); absent: the password form only. */
  readonly federation?: SignInFederation | undefined;
  /** Where passkey uses and refusals are recorded (interaction/passkeys.ts). */
  readonly audit?: Audit | undefined;
  /**
   * E-mail verification at sign-in (interaction/email-verification.ts); absent (no mail): a person
   * who must verify their address gets a page saying sign-in is not available.
   */
  readonly emailVerification?: EmailVerificationGate | undefined;
}

/** What a sign-in of a person who must verify their e-mail gets instead of a code (docs/people.md). */
export interface EmailVerificationGate {
  /** Mails a link (throttled) and shows where it went, with a button to send it again. */
  pending(
    request: FastifyRequest,
    reply: FastifyReply,
    o: { app: Application; req: AuthorizationRequest; current: CurrentSignIn; now: Date },
  ): Promise<FastifyReply>;
}

/**
 * The page instead of a code for a person who must verify their e-mail first (`prompt=none`:
 * `interaction_required`, OIDC Core §3.1.2.6).
 */
export function verificationPending(
  deps: InteractionDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  o: { app: Application; req: AuthorizationRequest; current: CurrentSignIn; now: Date },
): Promise<FastifyReply> | FastifyReply {
  if (o.req.prompt === 'none') {
    return redirectWithError(
      deps,
      reply,
      o.req,
      'interaction_required',
      'the e-mail address is not verified',
    );
  }
  if (!deps.emailVerification) {
    return refusePage(
      reply,
      503,
      'Sign-in is not available',
      'Your organization asks that you verify your e-mail address, and this service sends no mail.',
    );
  }
  return deps.emailVerification.pending(request, reply, o);
}

/** What each step of a sign-in is given: the app, its authorization request, the time of the step. */
export interface SignInStep {
  app: Application;
  req: AuthorizationRequest;
  now: Date;
}

/** How the sign-in page hands a person to their organization's identity provider (docs/sso.md). */
export interface SignInFederation {
  /**
   * A new sign-in whose `idp_hint`, or `login_hint` of a claimed domain, names an identity provider:
   * the redirect to it; undefined otherwise.
   */
  hinted(
    deps: InteractionDeps,
    request: FastifyRequest,
    reply: FastifyReply,
    o: SignInStep,
  ): Promise<FastifyReply | undefined>;
  /** Whether the sign-in page asks for the e-mail address alone first (some IdP could claim it). */
  identifierFirst(req: AuthorizationRequest): Promise<boolean>;
  /** The e-mail given first: a page leading to its IdP, or undefined for the password form. */
  route(
    deps: InteractionDeps,
    request: FastifyRequest,
    reply: FastifyReply,
    o: SignInStep & { email: string },
  ): Promise<FastifyReply | undefined>;
  /** Whether this user may not use a password: the tenant requires SSO for a domain claimed by an IdP. */
  passwordRefused(user: { email: string }, tenant: Tenant): Promise<boolean>;
}

/** The browser binding cookie of the CSRF token, set when the browser has none yet. */
export function browserId(deps: InteractionDeps, request: FastifyRequest, reply: FastifyReply): string {
  const existing = deps.cookies.read(request, 'browser');
  if (existing) return existing;
  const id = generateToken();
  deps.cookies.set(reply, 'browser', id);
  return id;
}

export function pageContext(app: Application, req: AuthorizationRequest, tenant?: Tenant): PageContext {
  return { appName: app.name, tenantName: tenant?.name, display: req.display, nonce: styleNonce() };
}

export const originOf = (uri: string) => new URL(uri).origin;

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
    resource: req.resource,
    dpopJkt: req.dpopJkt,
    userId: signIn.userId,
    tenantId: signIn.tenantId,
    signInId: signIn.id,
    authTime: signIn.authTime,
    amr: signIn.amr,
    idp: signIn.idp,
    now,
    ttl: deps.config.signIn.authorizationCodeTtl,
  });
  await deps.storage.signIn.createCode(record, UNEXCHANGED_CODES_PER_SIGN_IN);
  return sendRedirect(reply, redirectTo(req.redirectUri, deps.config.issuer, { code, state: req.state }));
}

/** An error for the app, by redirect with `state` and `iss` (RFC 6749 §4.1.2.1, RFC 9207). */
export function redirectWithError(
  deps: Pick<InteractionDeps, 'config'>,
  reply: FastifyReply,
  req: Pick<AuthorizationRequest, 'redirectUri' | 'state'>,
  error: string,
  description: string,
): FastifyReply {
  return sendRedirect(
    reply,
    redirectTo(req.redirectUri, deps.config.issuer, {
      error,
      error_description: description,
      state: req.state,
    }),
  );
}

/** A page instead of a redirect: the request cannot go back to the app. */
export function refusePage(
  reply: FastifyReply,
  status: number,
  title: string,
  message: string,
): FastifyReply {
  const nonce = styleNonce();
  return sendPage(reply, status, errorPage({ display: 'page', nonce }, title, message), nonce);
}
