// Enterprise sign-in per tenant (docs/sso.md): which identity provider a sign-in goes to (`idp_hint`,
// or the domain of the e-mail given first or as `login_hint`), the hand-over to it with a pending
// request stored under its `state`'s keyed hash and bound to this browser, and the callback that
// takes that request once, checks the upstream's answer, finds or creates the user and signs them in
// through the page's own session, consent and code.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { typeAllows } from '../domain/app-types.js';
import {
  emailDomain,
  type IdentityProvider,
  idpSecretAad,
  oidcCallbackPath,
} from '../domain/identity-providers.js';
import { type AuthMethod, UPSTREAM_AUTH_METHODS } from '../domain/sign-in.js';
import type { Application } from '../domain/types.js';
import { completeAuthorization } from '../interaction/consent.js';
import { sendPage, sendRedirect } from '../interaction/html.js';
import {
  browserId,
  type InteractionDeps,
  pageContext,
  refusePage,
  type SignInFederation,
} from '../interaction/outcome.js';
import { decrypt } from '../keys/kek.js';
import type { Audit } from '../observability/audit.js';
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

/** A checked SAML answer on its way from the cross-site POST to a same-site GET (its cookies). */
interface SamlTicket {
  readonly state: string;
  readonly pending: Pending;
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
  samlMetadata(idp: IdentityProvider): string;
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

const EXPIRED =
  'The sign-in took too long, was used already or was altered. Start again from the application.';
const UNVERIFIED = "Your organization's sign-in answer could not be verified.";

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
  const byEmail = async (email: string, req: AuthorizationRequest) => {
    const domain = emailDomain(email);
    if (domain === undefined) return undefined;
    const found = (await storage.identityProviders.byDomain(domain, req.tenantId)).filter((i) =>
      fits(i, req),
    );
    // A domain two tenants claim is ambiguous without a tenant hint: the password form (docs/sso.md).
    const idp = found.length === 1 ? found[0] : undefined;
    if (!idp || req.tenantId !== undefined) return idp;
    // Domain claims are not verified: without a tenant hint, a person who has an account in another
    // tenant is never sent to this tenant's IdP (the password form, as before).
    const elsewhere = (await storage.signIn.usersByEmail(email.toLowerCase())).some(
      (u) => u.tenantId !== idp.tenantId,
    );
    return elsewhere ? undefined : idp;
  };
  const failed = (
    request: FastifyRequest,
    idp: Pick<IdentityProvider, 'id' | 'tenantId'> | undefined,
    reason: string,
    now: Date,
  ) =>
    f.audit.record({
      type: 'federation.failed',
      at: now,
      tenantId: idp?.tenantId ?? null,
      address: request.ip,
      details: { idp: idp?.id, reason },
    });

  /** Stores the pending request and sends the browser to the IdP (by a page after a form post). */
  async function handOver(
    deps: InteractionDeps,
    request: FastifyRequest,
    reply: FastifyReply,
    o: {
      app: Application;
      req: AuthorizationRequest;
      idp: IdentityProvider;
      now: Date;
      page: boolean;
      loginHint?: string;
    },
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
      failed(request, idp, err instanceof UpstreamError ? err.reason : 'hand-over failed', now);
      return refusePage(
        reply,
        502,
        'Your organization cannot be reached',
        'Its sign-in service did not answer. Try again later.',
      );
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

  /** The app of the request, read again: one switched off meanwhile gets no code. */
  const availableApp = async (
    getApplication: (clientId: string) => Promise<Application | undefined>,
    req: AuthorizationRequest,
  ) => {
    const app = await getApplication(req.clientId);
    return app?.status === 'active' &&
      isRegistered(app.redirectUris, req.redirectUri) &&
      app.grantTypes.includes('authorization_code') &&
      typeAllows(app.type, app.tenancy, 'authorization_code')
      ? app
      : undefined;
  };
  const appGone = (reply: FastifyReply) =>
    refusePage(reply, 400, 'The application is not available', 'The application is unknown or inactive.');

  /** A checked upstream identity: its user, the sign-in session, the audit event, the code. */
  async function finish(
    deps: InteractionDeps,
    request: FastifyRequest,
    reply: FastifyReply,
    o: {
      idp: IdentityProvider;
      app: Application;
      req: AuthorizationRequest;
      identity: UpstreamIdentity;
      now: Date;
    },
  ): Promise<FastifyReply> {
    const { idp, app, req, identity, now } = o;
    const account = await federatedAccount(storage, idp, identity, now);
    if ('refused' in account) {
      failed(request, idp, account.reason, now);
      return refusePage(reply, 403, 'You were not signed in', account.refused);
    }
    const { user, tenant } = account;
    if (account.how === 'created') {
      f.audit.record({
        type: 'user.created',
        at: now,
        subject: user.id,
        tenantId: tenant.id,
        details: { idp: idp.id, just_in_time: true },
      });
    }
    const signIn = await deps.sessions.authenticated(request, reply, {
      user,
      tenant,
      amr: upstreamAmr(identity.amr),
      now,
      idp: idp.id,
    });
    f.audit.record({
      type: 'federation.signed_in',
      at: now,
      subject: user.id,
      tenantId: tenant.id,
      address: request.ip,
      details: { idp: idp.id, clientId: app.clientId, account: account.how },
    });
    return completeAuthorization(deps, request, reply, { app, req, current: { signIn, user, tenant }, now });
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
      const taken =
        state === '' ? undefined : await storage.identityProviders.takeRequest(f.hasher.hash(state), now);
      const pending = taken
        ? (deps.sealer.open('federation', taken.payloadSealed.toString('utf8')) as Pending | undefined)
        : undefined;
      const idp = await storage.identityProviders.get(idpId);
      if (
        !taken ||
        !pending ||
        taken.idpId !== idpId ||
        pending.idpId !== idpId ||
        typeof pending.req?.clientId !== 'string'
      ) {
        failed(request, idp, 'unknown or used state', now);
        return refusePage(reply, 400, 'This sign-in has expired', EXPIRED);
      }
      if (!deps.sealer.checkCsrf(pending.binding, state, deps.cookies.read(request, 'browser'))) {
        failed(request, idp, 'another browser', now);
        return refusePage(
          reply,
          403,
          'The sign-in could not be verified',
          'It was started in another browser.',
        );
      }
      if (!fits(idp, pending.req) || idp.kind !== 'oidc') {
        failed(request, idp, 'identity provider unavailable', now);
        return refusePage(
          reply,
          400,
          'This sign-in is not available',
          'The identity provider is not available.',
        );
      }
      if (typeof query['error'] === 'string') {
        failed(request, idp, `upstream error ${query['error'].slice(0, 64)}`, now);
        return refusePage(reply, 403, 'You were not signed in', 'Your organization did not sign you in.');
      }
      const app = await availableApp(getApplication, pending.req);
      if (!app) return appGone(reply);
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
        failed(request, idp, err instanceof UpstreamError ? err.reason : 'callback failed', now);
        return refusePage(reply, 400, 'The sign-in could not be verified', UNVERIFIED);
      }
      return finish(deps, request, reply, { idp, app, req: pending.req, identity, now });
    },
    samlMetadata: (idp) => spMetadata(idp, f.issuer),
    async samlAcs(deps, request, reply, { idpId, body, now }) {
      const idp = await storage.identityProviders.get(idpId);
      const state = typeof body['RelayState'] === 'string' ? body['RelayState'] : '';
      const samlResponse = typeof body['SAMLResponse'] === 'string' ? body['SAMLResponse'] : '';
      if (samlResponse === '') {
        failed(request, idp, 'no SAMLResponse', now);
        return refusePage(reply, 400, 'The sign-in could not be verified', UNVERIFIED);
      }
      // IdP-initiated (unsolicited) responses have no request to answer: refused (docs/sso.md).
      const taken =
        state === '' ? undefined : await storage.identityProviders.takeRequest(f.hasher.hash(state), now);
      const pending = taken
        ? (deps.sealer.open('federation', taken.payloadSealed.toString('utf8')) as Pending | undefined)
        : undefined;
      if (
        !idp ||
        !taken ||
        !pending ||
        taken.idpId !== idpId ||
        pending.idpId !== idpId ||
        !pending.requestId
      ) {
        failed(request, idp, state === '' ? 'unsolicited response' : 'unknown or used state', now);
        return refusePage(reply, 400, 'This sign-in has expired', EXPIRED);
      }
      if (!fits(idp, pending.req) || idp.kind !== 'saml') {
        failed(request, idp, 'identity provider unavailable', now);
        return refusePage(
          reply,
          400,
          'This sign-in is not available',
          'The identity provider is not available.',
        );
      }
      let assertion: Awaited<ReturnType<typeof samlValidate>>;
      try {
        assertion = await samlValidate(idp, f.issuer, samlResponse, {
          requestId: pending.requestId,
          createdAt: taken.createdAt,
        });
      } catch (err) {
        failed(request, idp, err instanceof UpstreamError ? err.reason : 'response refused', now);
        return refusePage(reply, 400, 'The sign-in could not be verified', UNVERIFIED);
      }
      const expires = new Date(now.getTime() + ASSERTION_MEMORY_MS);
      if (!(await storage.identityProviders.recordAssertion(idp.id, assertion.assertionId, expires))) {
        failed(request, idp, 'assertion replayed', now);
        return refusePage(reply, 400, 'The sign-in could not be verified', UNVERIFIED);
      }
      // Only what the mapping reads rides along (the ticket travels in a URL).
      const wanted = new Set(Object.values(idp.attributes));
      const identity: UpstreamIdentity = {
        subject: assertion.subject,
        amr: [],
        claims: Object.fromEntries(Object.entries(assertion.claims).filter(([k]) => wanted.has(k))),
      };
      const ticket: SamlTicket = { state, pending, identity, exp: now.getTime() + TICKET_MS };
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
      if (
        !opened ||
        typeof opened.exp !== 'number' ||
        opened.exp <= now.getTime() ||
        opened.pending?.idpId !== idpId
      ) {
        failed(request, idp, 'expired or altered ticket', now);
        return refusePage(reply, 400, 'This sign-in has expired', EXPIRED);
      }
      if (
        !deps.sealer.checkCsrf(opened.pending.binding, opened.state, deps.cookies.read(request, 'browser'))
      ) {
        failed(request, idp, 'another browser', now);
        return refusePage(
          reply,
          403,
          'The sign-in could not be verified',
          'It was started in another browser.',
        );
      }
      if (!fits(idp, opened.pending.req) || idp.kind !== 'saml') {
        failed(request, idp, 'identity provider unavailable', now);
        return refusePage(
          reply,
          400,
          'This sign-in is not available',
          'The identity provider is not available.',
        );
      }
      const app = await availableApp(getApplication, opened.pending.req);
      if (!app) return appGone(reply);
      return finish(deps, request, reply, {
        idp,
        app,
        req: opened.pending.req,
        identity: opened.identity,
        now,
      });
    },
  };
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
