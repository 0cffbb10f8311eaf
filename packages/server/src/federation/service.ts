// Enterprise sign-in per tenant (docs/sso.md): which identity provider a sign-in goes to (`idp_hint`,
// or the domain of the e-mail given first or as `login_hint`), the hand-over to it with a pending
// request stored under its `state`'s keyed hash and bound to this browser, and the callback that
// takes that request once, checks the upstream's answer, finds or creates the user and signs them in
// through the page's own session, consent and code (or, for a device authorization, its confirmation
// page). A SAML IdP allowed to start sign-ins itself has its unsolicited answers land on a fixed page.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { typeAllows } from '../domain/app-types.js';
import {
  emailDomain,
  type IdentityProvider,
  idpSecretAad,
  oidcCallbackPath,
} from '../domain/identity-providers.js';
import { ModuleUnavailableError } from '../domain/on-demand.js';
import { type AuthMethod, UPSTREAM_AUTH_METHODS } from '../domain/sign-in.js';
import type { Application } from '../domain/types.js';
import { completeAuthorization } from '../interaction/consent.js';
import { allowsDevice, deviceSignedIn } from '../interaction/device-verify.js';
import { sendPage, sendRedirect } from '../interaction/html.js';
import {
  browserId,
  type InteractionDeps,
  pageContext,
  refusePage,
  type SignInFederation,
  type SignInStep,
} from '../interaction/outcome.js';
import type { CurrentSignIn } from '../interaction/session.js';
import { decrypt } from '../keys/kek.js';
import type { Audit, AuditInput } from '../observability/audit.js';
import { type AuthorizationRequest, isRegistered } from '../protocol/authorization-request.js';
import { Throttled } from '../protocol/errors.js';
import { s256 } from '../protocol/pkce.js';
import type { Hasher } from '../secrets/hasher.js';
import { generateToken } from '../secrets/random-secrets.js';
import type { Storage } from '../storage/contract/index.js';
import type { Throttle } from '../throttling/throttle.js';
import { federatedAccount } from './accounts.js';
import { type OidcUpstreams, UpstreamError, type UpstreamIdentity } from './oidc.js';
import { samlAcsPath, samlRedirect, samlValidate, spMetadata } from './saml.js';
import { handOverPage } from './views.js';

export interface FederationDeps {
  readonly storage: Storage;
  readonly hasher: Hasher;
  readonly kek: Buffer | undefined;
  readonly audit: Audit;
  /** The throttle of every credential check: an IdP's answers refused here count against the address. */
  readonly throttle: Throttle;
  readonly issuer: string;
  readonly oidc: OidcUpstreams;
  /** How long a hand-over may take at the IdP, seconds. */
  readonly ttl: number;
}

/** What the pending request carries, sealed: all the callback needs. */
interface Pending {
  readonly idpId: string;
  readonly nonce: string;
  readonly verifier: string;
  /** The CSRF-style binding of the state to the browser cookie. */
  readonly binding: string;
  readonly req: AuthorizationRequest;
  /** SAML: the AuthnRequest's ID, which the response's `InResponseTo` must name. */
  readonly requestId?: string;
}

/**
 * A checked SAML answer on its way from the cross-site POST to a same-site GET (its cookies): of a
 * pending request (`state`, `pending`), or unsolicited (`unsolicited`: the IdP's id and the
 * assertion's, which make the ticket single use, since no browser binding can).
 */
interface SamlTicket {
  readonly state?: string;
  readonly pending?: Pending;
  readonly unsolicited?: { readonly idpId: string; readonly assertionId: string };
  readonly identity: UpstreamIdentity;
  /** Epoch milliseconds. */
  readonly exp: number;
}

/** How long the hop from the ACS post to its GET may take, ms. */
const TICKET_MS = 60_000;
/** How long an accepted assertion id is kept (beyond any assertion's validity window), ms. */
const ASSERTION_MEMORY_MS = 86_400_000;

export interface Federation extends SignInFederation {
  /** GET {@link oidcCallbackPath}: the IdP's answer. */
  oidcCallback(
    deps: InteractionDeps,
    request: FastifyRequest,
    reply: FastifyReply,
    o: {
      idpId: string;
      getApplication: (clientId: string) => Promise<Application | undefined>;
      now: Date;
    },
  ): Promise<FastifyReply>;
  /** GET /auth/sso/saml/{idpId}/metadata: the SP metadata document of a SAML IdP. */
  samlMetadata(idp: IdentityProvider): Promise<string>;
  /** POST /auth/sso/saml/{idpId}/acs: the IdP's HTTP-POST answer, checked, then on to a same-site GET. */
  samlAcs(
    deps: InteractionDeps,
    request: FastifyRequest,
    reply: FastifyReply,
    o: { idpId: string; body: Readonly<Record<string, unknown>>; now: Date },
  ): Promise<FastifyReply>;
  /** GET /auth/sso/saml/{idpId}/acs?ticket=: the checked answer in the browser that started, signed in. */
  samlContinue(
    deps: InteractionDeps,
    request: FastifyRequest,
    reply: FastifyReply,
    o: {
      idpId: string;
      ticket: string;
      getApplication: (clientId: string) => Promise<Application | undefined>;
      now: Date;
    },
  ): Promise<FastifyReply>;
}

/** Where an IdP-initiated sign-in lands when its IdP names no page: the console (docs/console.md). */
const CONSOLE_PATH = '/console/';

/** The refusals of an IdP's answer: each a page (never a code), with its status, title and message. */
const REFUSALS = {
  expired: [
    400,
    'This sign-in has expired',
    'The sign-in took too long, was used already or was altered. Start again from the application.',
  ],
  browser: [403, 'The sign-in could not be verified', 'It was started in another browser.'],
  unavailable: [400, 'This sign-in is not available', 'The identity provider is not available.'],
  unverified: [
    400,
    'The sign-in could not be verified',
    "Your organization's sign-in answer could not be verified.",
  ],
  upstream: [403, 'You were not signed in', 'Your organization did not sign you in.'],
  unreachable: [
    502,
    'Your organization cannot be reached',
    'Its sign-in service did not answer. Try again later.',
  ],
  unsolicited: [
    400,
    'Sign in from the application',
    "This service does not accept sign-ins started at your organization's portal. Open the application and sign in there.",
  ],
  app: [400, 'The application is not available', 'The application is unknown or inactive.'],
} as const satisfies Record<string, readonly [number, string, string]>;
type Refusal = keyof typeof REFUSALS;

/** The RFC 8176 values of an upstream `amr` (anything else is dropped). */
function upstreamAmr(amr: readonly string[]): AuthMethod[] {
  const known = new Set<string>(['pwd', 'otp', 'mfa', ...UPSTREAM_AUTH_METHODS]);
  return [...new Set(amr.filter((v) => known.has(v)))] as AuthMethod[];
}

export function createFederation(f: FederationDeps): Federation {
  const { storage } = f;
  const secretOf = (idp: IdentityProvider): string | undefined => {
    if (!idp.secretSealed) return undefined;
    if (!f.kek) throw new UpstreamError('no KEK to open the identity provider secret');
    return decrypt(f.kek, idp.secretSealed, idpSecretAad(idp.id)).toString('utf8');
  };
  const fits = (idp: IdentityProvider | undefined, req: AuthorizationRequest): idp is IdentityProvider =>
    idp?.enabled === true && (req.tenantId === undefined || idp.tenantId === req.tenantId);
  /**
   * The IdP an e-mail address goes to: the one IdP claiming its domain, of the request's tenant when it
   * names one. Without a tenant hint, a person with accounts goes only to an IdP of the one tenant they
   * have accounts in: a claim, never verified by cxauth, diverts nobody of another tenant (docs/sso.md).
   */
  const byEmail = async (email: string, req: AuthorizationRequest) => {
    const domain = emailDomain(email);
    if (domain === undefined) return undefined;
    const found = (await storage.identityProviders.byDomain(domain, req.tenantId)).filter((i) =>
      fits(i, req),
    );
    const only = (idps: IdentityProvider[]) => (idps.length === 1 ? idps[0] : undefined);
    if (found.length === 0 || req.tenantId !== undefined) return only(found);
    const tenants = new Set((await storage.signIn.usersByEmail(email.toLowerCase())).map((u) => u.tenantId));
    // No account anywhere: the one claim (a just-in-time user); two tenants' claims: the password form.
    if (tenants.size === 0) return only(found);
    // Accounts in several tenants: the password form, which finds the one the password is of.
    if (tenants.size > 1) return undefined;
    return only(found.filter((i) => tenants.has(i.tenantId)));
  };
  /** Refuses an IdP's answer with a page, recorded as `federation.failed` with its reason. */
  const refuse = (
    request: FastifyRequest,
    reply: FastifyReply,
    o: { idp: Pick<IdentityProvider, 'id' | 'tenantId'> | undefined; reason: string; now: Date },
    refusal: Refusal,
    message?: string,
  ): FastifyReply => {
    f.audit.record({
      type: 'federation.failed',
      at: o.now,
      tenantId: o.idp?.tenantId ?? null,
      address: request.ip,
      details: { idp: o.idp?.id, reason: o.reason },
    });
    const [status, title, text] = REFUSALS[refusal];
    return refusePage(reply, status, title, message ?? text);
  };
  /**
   * The reason a refusal records for an upstream step that failed. A part of the service that could not
   * be loaded is no refusal but a fault (503, not counted against the address): it is thrown on.
   */
  const reasonOf = (err: unknown, otherwise: string) => {
    if (err instanceof ModuleUnavailableError) throw err;
    return err instanceof UpstreamError ? err.reason : otherwise;
  };

  /** The pending request a `state` names, taken once (a second take finds nothing). */
  const takePending = async (deps: InteractionDeps, state: string, now: Date) => {
    const taken =
      state === '' ? undefined : await storage.identityProviders.takeRequest(f.hasher.hash(state), now);
    const pending = taken
      ? (deps.sealer.open('federation', taken.payloadSealed.toString('utf8')) as Pending | undefined)
      : undefined;
    return taken && pending && typeof pending.req?.clientId === 'string' ? { taken, pending } : undefined;
  };
  /** The same browser and an IdP still fit for the request: undefined, or the refusal (a page). */
  const checkPending = (
    deps: InteractionDeps,
    request: FastifyRequest,
    reply: FastifyReply,
    o: {
      idp: IdentityProvider | undefined;
      kind: IdentityProvider['kind'];
      state: string;
      pending: Pending;
      now: Date;
    },
  ): FastifyReply | undefined => {
    const { idp, now } = o;
    if (!deps.sealer.checkCsrf(o.pending.binding, o.state, deps.cookies.read(request, 'browser')))
      return refuse(request, reply, { idp, reason: 'another browser', now }, 'browser');
    if (!fits(idp, o.pending.req) || idp.kind !== o.kind)
      return refuse(request, reply, { idp, reason: 'identity provider unavailable', now }, 'unavailable');
    return undefined;
  };

  /** Stores the pending request and sends the browser to the IdP (by a page after a form post). */
  async function handOver(
    deps: InteractionDeps,
    request: FastifyRequest,
    reply: FastifyReply,
    o: SignInStep & { idp: IdentityProvider; page: boolean; loginHint?: string },
  ): Promise<FastifyReply> {
    const { idp, now } = o;
    const state = generateToken();
    const nonce = generateToken();
    const verifier = generateToken();
    let pending: Pending = {
      idpId: idp.id,
      nonce,
      verifier,
      binding: deps.sealer.csrf(state, browserId(deps, request, reply)),
      req: o.req,
    };
    let url: URL;
    try {
      if (idp.kind === 'saml') {
        const redirect = await samlRedirect(idp, f.issuer, state);
        url = new URL(redirect.url);
        pending = { ...pending, requestId: redirect.requestId };
      } else {
        url = await f.oidc.authorizationUrl(idp, secretOf(idp), {
          redirectUri: `${f.issuer}${oidcCallbackPath(idp.id)}`,
          state,
          nonce,
          codeChallenge: s256(verifier),
          ...(o.loginHint === undefined ? {} : { loginHint: o.loginHint }),
        });
      }
    } catch (err) {
      return refuse(request, reply, { idp, reason: reasonOf(err, 'hand-over failed'), now }, 'unreachable');
    }
    await storage.identityProviders.createRequest({
      stateHash: f.hasher.hash(state),
      idpId: idp.id,
      payloadSealed: Buffer.from(deps.sealer.seal('federation', pending), 'utf8'),
      createdAt: now,
      expiresAt: new Date(now.getTime() + f.ttl * 1000),
    });
    if (!o.page) return sendRedirect(reply, url.href);
    const ctx = pageContext(o.app, o.req);
    return sendPage(reply, 200, handOverPage(ctx, idp.name, url.href), ctx.nonce);
  }

  /**
   * The app of the request, read again: one switched off meanwhile gets no code. The sign-in of a
   * device authorization needs the device flow, not the code flow.
   */
  const availableApp = async (
    getApplication: (clientId: string) => Promise<Application | undefined>,
    req: AuthorizationRequest,
  ) => {
    const app = await getApplication(req.clientId);
    if (req.deviceAuthorizationId !== undefined) return allowsDevice(app) ? app : undefined;
    return app?.status === 'active' &&
      isRegistered(app.redirectUris, req.redirectUri) &&
      app.grantTypes.includes('authorization_code') &&
      typeAllows(app.type, app.tenancy, 'authorization_code')
      ? app
      : undefined;
  };

  /** A checked upstream identity: its user and the sign-in session (or the refusal page). */
  async function signInAs(
    deps: InteractionDeps,
    request: FastifyRequest,
    reply: FastifyReply,
    o: { idp: IdentityProvider; identity: UpstreamIdentity; clientId: string | null; now: Date },
  ): Promise<FastifyReply | CurrentSignIn> {
    const { idp, identity, now } = o;
    // The just-in-time user or link, the sign-in and their events commit together (docs/webhooks.md).
    const done = await f.audit.within(
      async () => {
        const account = await federatedAccount(storage, idp, identity, now);
        if ('refused' in account) return { refusal: account } as const;
        const signIn = await deps.sessions.authenticated(request, reply, {
          user: account.user,
          tenant: account.tenant,
          amr: upstreamAmr(identity.amr),
          now,
          idp: idp.id,
        });
        return { account, signIn } as const;
      },
      (result): AuditInput[] => {
        if (result.refusal) return [];
        const { account } = result;
        const { user, tenant } = account;
        // The person acting on the pages is the actor, as for a passkey or a device answer.
        const person = `user:${user.id}` as const;
        const signedIn: AuditInput = {
          type: 'federation.signed_in',
          at: now,
          actor: person,
          subject: person,
          tenantId: tenant.id,
          address: request.ip,
          details: { idp: idp.id, clientId: o.clientId, account: account.how },
        };
        if (account.how !== 'created') return [signedIn];
        const created: AuditInput = {
          type: 'user.created',
          at: now,
          actor: person,
          subject: person,
          tenantId: tenant.id,
          address: request.ip,
          details: { idp: idp.id, just_in_time: true },
        };
        return [created, signedIn];
      },
    );
    if (done.refusal) {
      const { reason, refused } = done.refusal;
      return refuse(request, reply, { idp, reason, now }, 'upstream', refused);
    }
    return { signIn: done.signIn, user: done.account.user, tenant: done.account.tenant };
  }

  /** A checked answer to a pending request: signed in, then the code (or the device's confirmation). */
  async function finish(
    deps: InteractionDeps,
    request: FastifyRequest,
    reply: FastifyReply,
    o: SignInStep & { idp: IdentityProvider; identity: UpstreamIdentity },
  ): Promise<FastifyReply> {
    const { app, req, now } = o;
    const current = await signInAs(deps, request, reply, { ...o, clientId: app.clientId });
    if (!('signIn' in current)) return current;
    if (req.deviceAuthorizationId !== undefined)
      return deviceSignedIn(deps, request, reply, { app, req, current, now });
    return completeAuthorization(deps, request, reply, { app, req, current, now });
  }

  /**
   * An IdP's answer (OIDC callback, SAML ACS and its continuation) through the address throttle, as the
   * sign-in form's passwords are: each answer refused with a page counts as a failure of the address it
   * came from, so a flood of forged or replayed responses (each an XML signature or a token request to
   * check) is delayed; a delayed address gets 429 with Retry-After before any of that work.
   */
  async function throttled(
    request: FastifyRequest,
    reply: FastifyReply,
    answer: () => Promise<FastifyReply>,
  ): Promise<FastifyReply> {
    let ticket: Awaited<ReturnType<Throttle['check']>>;
    try {
      ticket = await f.throttle.check({ identifiers: [], address: request.ip });
    } catch (err) {
      if (!(err instanceof Throttled)) throw err;
      reply.header('retry-after', String(err.retryAfter));
      return refusePage(
        reply,
        429,
        'Too many attempts',
        `Too many sign-in answers from your address were refused. Try again in ${err.retryAfter} second${err.retryAfter === 1 ? '' : 's'}.`,
      );
    }
    const sent = await answer();
    if (reply.statusCode >= 400) await f.throttle.fail(ticket, []);
    else await f.throttle.succeed(ticket);
    return sent;
  }

  const federation: Federation = {
    async hinted(deps, request, reply, { app, req, now }) {
      if (req.idpHint !== undefined) {
        const idp = await storage.identityProviders.get(req.idpHint);
        // A hint of an unknown IdP, or of another tenant's, is ignored: the page asks as usual.
        if (fits(idp, req)) return handOver(deps, request, reply, { app, req, idp, now, page: false });
      }
      if (req.loginHint !== undefined) {
        const idp = await byEmail(req.loginHint, req);
        if (idp)
          return handOver(deps, request, reply, {
            app,
            req,
            idp,
            now,
            page: false,
            loginHint: req.loginHint,
          });
      }
      return undefined;
    },
    identifierFirst: (req) => storage.identityProviders.anyEnabled(req.tenantId),
    async route(deps, request, reply, { app, req, email, now }) {
      const idp = await byEmail(email, req);
      return idp
        ? handOver(deps, request, reply, { app, req, idp, now, page: true, loginHint: email })
        : undefined;
    },
    async passwordRefused(user, tenant) {
      if (tenant.ssoRequired !== true) return false;
      const domain = emailDomain(user.email);
      if (domain === undefined) return false;
      return (await storage.identityProviders.byDomain(domain, tenant.id)).length > 0;
    },
    async oidcCallback(deps, request, reply, { idpId, getApplication, now }) {
      const query = (request.query ?? {}) as Record<string, unknown>;
      const state = typeof query['state'] === 'string' ? query['state'] : '';
      const found = await takePending(deps, state, now);
      const idp = await storage.identityProviders.get(idpId);
      if (!found || found.taken.idpId !== idpId || found.pending.idpId !== idpId)
        return refuse(request, reply, { idp, reason: 'unknown or used state', now }, 'expired');
      const { pending } = found;
      const refused = checkPending(deps, request, reply, { idp, kind: 'oidc', state, pending, now });
      if (refused || !idp) return refused ?? reply;
      if (typeof query['error'] === 'string') {
        const reason = `upstream error ${query['error'].slice(0, 64)}`;
        return refuse(request, reply, { idp, reason, now }, 'upstream');
      }
      const app = await availableApp(getApplication, pending.req);
      if (!app) return refuse(request, reply, { idp, reason: 'application unavailable', now }, 'app');
      const callback = new URL(`${f.issuer}${oidcCallbackPath(idp.id)}`);
      const raw = request.url.indexOf('?');
      if (raw !== -1) callback.search = request.url.slice(raw);
      let identity: UpstreamIdentity;
      try {
        identity = await f.oidc.complete(idp, secretOf(idp), callback, {
          state,
          nonce: pending.nonce,
          verifier: pending.verifier,
        });
      } catch (err) {
        return refuse(request, reply, { idp, reason: reasonOf(err, 'callback failed'), now }, 'unverified');
      }
      return finish(deps, request, reply, { idp, app, req: pending.req, identity, now });
    },
    samlMetadata: (idp) => spMetadata(idp, f.issuer),
    async samlAcs(deps, request, reply, { idpId, body, now }) {
      const idp = await storage.identityProviders.get(idpId);
      const state = typeof body['RelayState'] === 'string' ? body['RelayState'] : '';
      const samlResponse = typeof body['SAMLResponse'] === 'string' ? body['SAMLResponse'] : '';
      if (samlResponse === '')
        return refuse(request, reply, { idp, reason: 'no SAMLResponse', now }, 'unverified');
      const found = await takePending(deps, state, now);
      // No request of ours: unsolicited (IdP-initiated), refused unless the IdP may start sign-ins,
      // and then only without an `InResponseTo` (docs/sso.md).
      const unsolicited = found === undefined;
      if (unsolicited && !(idp?.enabled && idp.kind === 'saml' && idp.saml?.allowIdpInitiated === true)) {
        const reason = state === '' ? 'unsolicited response' : 'unknown or used state';
        return refuse(request, reply, { idp, reason, now }, state === '' ? 'unsolicited' : 'expired');
      }
      if (
        !idp ||
        (found && (found.taken.idpId !== idpId || found.pending.idpId !== idpId || !found.pending.requestId))
      )
        return refuse(request, reply, { idp, reason: 'unknown or used state', now }, 'expired');
      if (found && (!fits(idp, found.pending.req) || idp.kind !== 'saml'))
        return refuse(request, reply, { idp, reason: 'identity provider unavailable', now }, 'unavailable');
      let assertion: Awaited<ReturnType<typeof samlValidate>>;
      try {
        assertion = await samlValidate(
          idp,
          f.issuer,
          samlResponse,
          found && { requestId: found.pending.requestId as string, createdAt: found.taken.createdAt },
        );
      } catch (err) {
        return refuse(request, reply, { idp, reason: reasonOf(err, 'response refused'), now }, 'unverified');
      }
      const expires = new Date(now.getTime() + ASSERTION_MEMORY_MS);
      if (!(await storage.identityProviders.recordAssertion(idp.id, assertion.assertionId, expires)))
        return refuse(request, reply, { idp, reason: 'assertion replayed', now }, 'unverified');
      // Only what the mapping reads rides along (the ticket travels in a URL).
      const wanted = new Set(Object.values(idp.attributes));
      const identity: UpstreamIdentity = {
        subject: assertion.subject,
        amr: [],
        claims: Object.fromEntries(Object.entries(assertion.claims).filter(([k]) => wanted.has(k))),
      };
      const exp = now.getTime() + TICKET_MS;
      const ticket: SamlTicket = found
        ? { state, pending: found.pending, identity, exp }
        : { unsolicited: { idpId: idp.id, assertionId: assertion.assertionId }, identity, exp };
      // The IdP's cross-site POST carries none of our (SameSite=Lax) cookies: the browser binding is
      // checked on the same-site GET this sends it to.
      return reply
        .code(303)
        .header('Cache-Control', 'no-store')
        .header('Referrer-Policy', 'no-referrer')
        .header('Location', `${samlAcsPath(idp.id)}?ticket=${deps.sealer.seal('saml-ticket', ticket)}`)
        .send();
    },
    async samlContinue(deps, request, reply, { idpId, ticket, getApplication, now }) {
      const opened = deps.sealer.open('saml-ticket', ticket) as SamlTicket | undefined;
      const idp = await storage.identityProviders.get(idpId);
      const live = opened !== undefined && typeof opened.exp === 'number' && opened.exp > now.getTime();
      if (live && opened.unsolicited?.idpId === idpId && idp)
        return landUnsolicited(deps, request, reply, { idp, ticket: opened, now });
      const { pending, state } = (live ? opened : {}) as Partial<SamlTicket>;
      if (!live || pending?.idpId !== idpId || typeof state !== 'string')
        return refuse(request, reply, { idp, reason: 'expired or altered ticket', now }, 'expired');
      const refused = checkPending(deps, request, reply, { idp, kind: 'saml', state, pending, now });
      if (refused || !idp) return refused ?? reply;
      const app = await availableApp(getApplication, pending.req);
      if (!app) return refuse(request, reply, { idp, reason: 'application unavailable', now }, 'app');
      return finish(deps, request, reply, { idp, app, req: pending.req, identity: opened.identity, now });
    },
  };

  /**
   * An IdP-initiated sign-in, checked at the ACS: once (the ticket is spent), by an IdP still allowed to
   * start sign-ins, signed in and sent to its landing page (no app asked: no code, no consent).
   */
  async function landUnsolicited(
    deps: InteractionDeps,
    request: FastifyRequest,
    reply: FastifyReply,
    o: { idp: IdentityProvider; ticket: SamlTicket; now: Date },
  ): Promise<FastifyReply> {
    const { idp, ticket, now } = o;
    if (!(idp.enabled && idp.kind === 'saml' && idp.saml?.allowIdpInitiated === true))
      return refuse(request, reply, { idp, reason: 'unsolicited response', now }, 'unsolicited');
    const spent = `ticket:${ticket.unsolicited?.assertionId}`;
    if (
      !(await storage.identityProviders.recordAssertion(
        idp.id,
        spent,
        new Date(now.getTime() + ASSERTION_MEMORY_MS),
      ))
    )
      return refuse(request, reply, { idp, reason: 'ticket used', now }, 'expired');
    const current = await signInAs(deps, request, reply, {
      idp,
      identity: ticket.identity,
      clientId: null,
      now,
    });
    if (!('signIn' in current)) return current;
    return sendRedirect(reply, idp.saml.idpInitiatedUrl ?? `${f.issuer}${CONSOLE_PATH}`);
  }

  return {
    ...federation,
    oidcCallback: (deps, request, reply, o) =>
      throttled(request, reply, () => federation.oidcCallback(deps, request, reply, o)),
    samlAcs: (deps, request, reply, o) =>
      throttled(request, reply, () => federation.samlAcs(deps, request, reply, o)),
    samlContinue: (deps, request, reply, o) =>
      throttled(request, reply, () => federation.samlContinue(deps, request, reply, o)),
  };
}
