// E-mail verification at sign-in (docs/people.md#e-mail-verification-at-sign-in). A person of a tenant
// that requires it, whose address is not verified, gets no code after signing in: the page says where a
// link went (the address masked) and offers to send it again. Every mail is throttled per e-mail and per
// address, and the page is the same whether a mail went or not. The link is single-use, expiring, and
// stored only as a keyed hash; it opens a form (sealed, CSRF-bound, no Referer sent on) whose post
// verifies the address (audited in the same transaction) and then, in the browser that signed in, goes
// on with that sign-in; elsewhere it says to sign in again.
import crypto from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServerConfig } from '../config/config.js';
import { mustVerifyEmail } from '../domain/email-verification.js';
import type { Tenant, User } from '../domain/types.js';
import type { Mailer } from '../mail/outbox.js';
import { duration, tenantMail } from '../mail/tenant-templates.js';
import type { Audit } from '../observability/audit.js';
import type { AuthorizationRequest } from '../protocol/authorization-request.js';
import type { Hasher } from '../secrets/hasher.js';
import { generateToken } from '../secrets/random-secrets.js';
import type { EmailVerification, Storage } from '../storage/contract/index.js';
import type { Throttle } from '../throttling/throttle.js';
import type { CookieJar } from './cookies.js';
import { sendPage, styleNonce } from './html.js';
import {
  browserId,
  pageContext as linkPageContext,
  mailAllowed,
  maskEmail,
  noReferrer,
  openLinkForm,
  openPostedForm,
  refuseLink,
  showLink,
  userLink,
} from './mailed-link.js';
import { type EmailVerificationGate, refusePage } from './outcome.js';
import type { Sealer } from './seal.js';
import type { CurrentSignIn, SignInSessions } from './session.js';
import { emailVerifiedPage, verificationSentPage, verifyEmailPage } from './verification-views.js';
import type { PageContext } from './views.js';

export interface EmailVerificationDeps {
  readonly config: ServerConfig;
  readonly storage: Storage;
  readonly hasher: Hasher;
  readonly sealer: Sealer;
  readonly cookies: CookieJar;
  readonly sessions: SignInSessions;
  readonly throttle: Throttle;
  readonly audit: Audit;
  readonly mailer: Mailer | undefined;
  readonly clock: () => Date;
  /** The "send it again" form's path and the mailed link's. */
  readonly resendPath: string;
  readonly confirmPath: string;
}

/** A sign-in waiting for its address, sealed as `email-verification` (the resend form, the link's row). */
interface PendingVerification {
  readonly id: string;
  /** Epoch milliseconds after which neither the form nor the link goes on with the sign-in. */
  readonly exp: number;
  readonly userId: string;
  readonly appName: string;
  readonly req: AuthorizationRequest;
}

const browserHash = (deps: Pick<EmailVerificationDeps, 'hasher'>, browser: string) =>
  deps.hasher.hash(`email-verification-browser:${browser}`);

/** A sealed pending sign-in's members, when it has them all. */
function pendingShape(p: Record<string, unknown>): PendingVerification | undefined {
  return typeof p['userId'] === 'string' &&
    typeof p['appName'] === 'string' &&
    typeof (p['req'] as AuthorizationRequest | undefined)?.clientId === 'string'
    ? (p as unknown as PendingVerification)
    : undefined;
}

function openPending(
  deps: EmailVerificationDeps,
  sealed: string,
  now: Date,
): PendingVerification | undefined {
  const p = deps.sealer.open('email-verification', sealed);
  if (!p || typeof p['id'] !== 'string' || typeof p['exp'] !== 'number' || p['exp'] <= now.getTime()) {
    return undefined;
  }
  return pendingShape(p);
}

/** Mails `user` a link unless the e-mail or the address is past its allowance (then nothing, silently). */
async function mailLink(
  deps: EmailVerificationDeps,
  request: FastifyRequest,
  o: { user: User; tenant: Tenant; sealed: string; browser: string; now: Date },
): Promise<void> {
  const { mailer } = deps;
  if (!mailer) return;
  const email = o.user.email.toLowerCase();
  if (!(await mailAllowed(deps.throttle, { kind: 'email_verification', email, address: request.ip }))) return;
  // After the answer: the page must not wait for the outbox.
  void (async () => {
    const token = generateToken();
    const ttl = deps.config.mail.resetLinkTtl;
    const link = `${deps.config.issuer}${deps.confirmPath}?token=${encodeURIComponent(token)}`;
    const message = await tenantMail(deps.storage, {
      tenantId: o.tenant.id,
      name: 'email_verification',
      to: o.user.email,
      values: {
        link,
        email: o.user.email,
        tenant: o.tenant.name,
        expires: duration(Math.round(ttl / 60), 'minute'),
      },
      operator: o.user.operator === true,
    });
    // The link and its mail (the mail outbox) commit together: no mail for a link never stored.
    await deps.storage.atomically(async () => {
      await deps.storage.people.createVerification({
        tokenHash: deps.hasher.hash(token),
        userId: o.user.id,
        tenantId: o.tenant.id,
        browserHash: browserHash(deps, o.browser),
        signIn: o.sealed,
        createdAt: o.now,
        expiresAt: new Date(o.now.getTime() + ttl * 1000),
        usedAt: null,
      });
      await mailer.send(message, { template: 'email_verification', tenantId: o.tenant.id });
    });
  })().catch((err: unknown) => request.log.error({ err }, 'could not write e-mail verification mail'));
}

function sentPage(
  deps: EmailVerificationDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  o: { pending: PendingVerification; sealed: string; email: string; tenantName: string; again: boolean },
): FastifyReply {
  const ctx: PageContext = {
    appName: o.pending.appName,
    tenantName: o.tenantName,
    display: o.pending.req.display,
    nonce: styleNonce(),
  };
  const state = {
    action: deps.resendPath,
    interaction: o.sealed,
    csrf: deps.sealer.csrf(o.pending.id, browserId(deps.cookies, request, reply)),
  };
  const page = verificationSentPage(ctx, state, { masked: maskEmail(o.email), again: o.again });
  return sendPage(reply, 200, page, ctx.nonce);
}

/** The gate the sign-in passes before a code (interaction/consent.ts `completeAuthorization`). */
export function emailVerificationGate(deps: EmailVerificationDeps): EmailVerificationGate {
  return {
    async pending(request, reply, { app, req, current, now }) {
      const pending: PendingVerification = {
        id: crypto.randomUUID(),
        exp: now.getTime() + deps.config.signIn.interactionTtl * 1000,
        userId: current.user.id,
        appName: app.name,
        req,
      };
      const sealed = deps.sealer.seal('email-verification', pending);
      const browser = browserId(deps.cookies, request, reply);
      await mailLink(deps, request, { user: current.user, tenant: current.tenant, sealed, browser, now });
      return sentPage(deps, request, reply, {
        pending,
        sealed,
        email: current.user.email,
        tenantName: current.tenant.name,
        again: false,
      });
    },
  };
}

/** POST of "Send the link again": the same page whatever happens (throttled, verified meanwhile). */
export async function handleResend(
  deps: EmailVerificationDeps,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const now = deps.clock();
  const opened = openPostedForm(deps, request, reply, {
    purpose: 'email-verification',
    now,
    valid: (form) => pendingShape(form) !== undefined,
  });
  if (opened === 'refused') return reply;
  if (opened === 'expired') {
    return refusePage(reply, 400, 'This sign-in has expired', 'Start again from the application.');
  }
  const pending = opened.form as unknown as PendingVerification;
  const sealed = opened.fields['interaction'] ?? '';
  const user = await deps.storage.users.get(pending.userId);
  const tenant = user && (await deps.storage.tenants.get(user.tenantId));
  if (!user || !tenant) {
    return refusePage(reply, 400, 'This sign-in has expired', 'Start again from the application.');
  }
  if (user.status === 'active' && tenant.status === 'active' && mustVerifyEmail(user, tenant)) {
    const browser = browserId(deps.cookies, request, reply);
    await mailLink(deps, request, { user, tenant, sealed, browser, now });
  }
  return sentPage(deps, request, reply, {
    pending,
    sealed,
    email: user.email,
    tenantName: tenant.name,
    again: true,
  });
}

/** The sign-in a link may go on with: this browser's, still unexpired, of the link's user. */
function pendingOf(
  deps: EmailVerificationDeps,
  link: EmailVerification,
  request: FastifyRequest,
  now: Date,
): PendingVerification | undefined {
  const browser = deps.cookies.read(request, 'browser');
  if (link.signIn === null || link.browserHash === null || browser === undefined) return undefined;
  const mine = browserHash(deps, browser);
  if (link.browserHash.length !== mine.length || !crypto.timingSafeEqual(link.browserHash, mine)) {
    return undefined;
  }
  const pending = openPending(deps, link.signIn, now);
  return pending?.userId === link.userId ? pending : undefined;
}

/**
 * The mailed link opens one button, so that a mail scanner fetching links verifies nothing. In the
 * browser that signed in, its post may be answered by the redirect to the app (CSP `form-action`).
 */
const verificationLink = (deps: EmailVerificationDeps) =>
  userLink(deps, {
    purpose: 'email-verification-confirm',
    action: deps.confirmPath,
    find: (tokenHash) => deps.storage.people.getVerification(tokenHash),
    render: verifyEmailPage,
    formTargets: ({ link }, request, now) => {
      const pending = pendingOf(deps, link, request, now);
      return pending ? [new URL(pending.req.redirectUri).origin] : [];
    },
  });

/** GET of the mailed link. */
export const showVerify = (deps: EmailVerificationDeps, request: FastifyRequest, reply: FastifyReply) =>
  showLink(deps, verificationLink(deps), request, reply);

/** Goes on with a sign-in in this browser (its code or consent page); undefined when it cannot. */
export type ResumeSignIn = (o: {
  req: AuthorizationRequest;
  current: CurrentSignIn;
  now: Date;
}) => Promise<FastifyReply | undefined>;

/**
 * POST of the mailed link's form: spends the link (of two posts, one verifies), marks the address
 * verified and spends the user's other links, with the audit event, in one transaction; then goes on
 * with the sign-in this browser started, if it still can, or says to sign in again.
 */
export async function handleVerify(
  deps: EmailVerificationDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  resume: ResumeSignIn,
): Promise<FastifyReply> {
  const now = deps.clock();
  const opened = openLinkForm(deps, request, reply, 'email-verification-confirm', now);
  if (opened === 'refused') return reply;
  if (opened === 'expired') return refuseLink(reply);
  const found = await verificationLink(deps).usable(opened.token, now);
  if (!found) return refuseLink(reply);
  const { link, user, tenant } = found;
  const verified = await deps.audit.within(
    async () => {
      if (!(await deps.storage.people.useVerification(link.tokenHash, now))) return false;
      await deps.storage.people.markEmailVerified(user.id);
      await deps.storage.people.endVerifications(user.id, now);
      return true;
    },
    (done) =>
      done
        ? {
            type: 'user.email_verified',
            at: now,
            actor: `user:${user.id}`,
            subject: `user:${user.id}`,
            tenantId: tenant.id,
            address: request.ip,
          }
        : undefined,
  );
  if (!verified) return refuseLink(reply);
  const pending = pendingOf(deps, link, request, now);
  if (pending) {
    const current = await deps.sessions.current(request, now);
    if (current?.user.id === user.id) {
      const resumed = await resume({ req: pending.req, current, now });
      if (resumed) return resumed;
    }
  }
  const ctx = linkPageContext(tenant.name);
  return sendPage(noReferrer(reply), 200, emailVerifiedPage(ctx, { email: user.email }), ctx.nonce);
}
