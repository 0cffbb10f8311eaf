// Self-service password reset (docs/people.md): the e-mail form answers alike whether the e-mail has
// an account or not, and mails each active account of that e-mail a single-use link that expires
// (stored only as a keyed hash). Requests are throttled per e-mail and per address; a throttled request
// gets the same answer and sends nothing. Setting the new password spends the link and the user's other
// links, ends every browser sign-in, session and refresh token of the user, is audited, and mails the
// user a notice.
import crypto from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServerConfig } from '../config/config.js';
import type { Mailer } from '../mail/outbox.js';
import { duration, tenantMail } from '../mail/tenant-templates.js';
import type { Audit } from '../observability/audit.js';
import type { Hasher } from '../secrets/hasher.js';
import { hashPassword } from '../secrets/passwords.js';
import { generateToken } from '../secrets/random-secrets.js';
import type { Storage } from '../storage/contract/index.js';
import type { Throttle } from '../throttling/throttle.js';
import type { CookieJar } from './cookies.js';
import { sendPage } from './html.js';
import {
  browserId,
  mailAllowed,
  noReferrer,
  openPostedForm,
  pageContext,
  postedLinkPassword,
  refuseLink,
  showLink,
  userLink,
  withPolicy,
} from './mailed-link.js';
import { newPasswordPage, passwordChangedPage, resetRequestPage, resetSentPage } from './reset-views.js';
import type { Sealer } from './seal.js';

export interface PasswordResetDeps {
  readonly config: ServerConfig;
  readonly storage: Storage;
  readonly hasher: Hasher;
  readonly sealer: Sealer;
  readonly cookies: CookieJar;
  readonly throttle: Throttle;
  readonly audit: Audit;
  readonly mailer: Mailer | undefined;
  readonly clock: () => Date;
  /** The paths of the request form and of the new-password form (the link's target). */
  readonly requestPath: string;
  readonly confirmPath: string;
}

interface RequestForm {
  id: string;
  exp: number;
}

const normalizeEmail = (email: string) => email.trim().toLowerCase();

export function showResetRequest(
  deps: PasswordResetDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  o: { status?: number; error?: string } = {},
): FastifyReply {
  const now = deps.clock();
  const form: RequestForm = {
    id: crypto.randomUUID(),
    exp: now.getTime() + deps.config.signIn.interactionTtl * 1000,
  };
  const state = {
    action: deps.requestPath,
    interaction: deps.sealer.seal('password-reset', form),
    csrf: deps.sealer.csrf(form.id, browserId(deps.cookies, request, reply)),
  };
  const ctx = pageContext();
  return sendPage(reply, o.status ?? 200, resetRequestPage(ctx, state, { error: o.error }), ctx.nonce);
}

/** Mails a link to each active account of `email` in an active tenant. */
async function mailLinks(
  deps: PasswordResetDeps,
  email: string,
  now: Date,
  address: string,
): Promise<number> {
  const mailer = deps.mailer;
  if (!mailer) return 0;
  const users = (await deps.storage.signIn.usersByEmail(email)).filter((u) => u.status === 'active');
  let sent = 0;
  for (const user of users) {
    const tenant = await deps.storage.tenants.get(user.tenantId);
    if (tenant?.status !== 'active') continue;
    const token = generateToken();
    const ttl = deps.config.mail.resetLinkTtl;
    const link = `${deps.config.issuer}${deps.confirmPath}?token=${encodeURIComponent(token)}`;
    const values = {
      link,
      email: user.email,
      tenant: tenant.name,
      expires: duration(Math.round(ttl / 60), 'minute'),
    };
    const message = await tenantMail(deps.storage, {
      tenantId: tenant.id,
      name: 'password_reset',
      to: user.email,
      values,
      operator: user.operator === true,
    });
    // The link, its mail (the mail outbox) and the event commit together (docs/webhooks.md).
    await deps.audit.within(
      async () => {
        await deps.storage.people.createReset({
          tokenHash: deps.hasher.hash(token),
          userId: user.id,
          tenantId: user.tenantId,
          createdAt: now,
          expiresAt: new Date(now.getTime() + ttl * 1000),
          usedAt: null,
        });
        await mailer.send(message, { template: 'password_reset', tenantId: user.tenantId });
      },
      () => ({
        type: 'user.password_reset_requested',
        actor: `user:${user.id}`,
        subject: `user:${user.id}`,
        tenantId: user.tenantId,
        details: { address },
      }),
    );
    sent++;
  }
  return sent;
}

export async function handleResetRequest(
  deps: PasswordResetDeps,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const now = deps.clock();
  const opened = openPostedForm(deps, request, reply, { purpose: 'password-reset', now });
  if (opened === 'refused') return reply;
  if (opened === 'expired') {
    return showResetRequest(deps, request, reply, {
      status: 400,
      error: 'This form expired. Please try again.',
    });
  }
  const { fields } = opened;
  const email = normalizeEmail(fields['email'] ?? '');
  if (email === '' || email.length > 320 || !email.includes('@')) {
    return showResetRequest(deps, request, reply, { status: 400, error: 'Enter your e-mail address.' });
  }
  // Every request counts (mailAllowed): past the allowance, nothing more is mailed, and the answer
  // stays the same.
  if (await mailAllowed(deps.throttle, { kind: 'password_reset', email, address: request.ip })) {
    // After the answer, not before it: the time taken must not tell whether the e-mail has an account.
    void mailLinks(deps, email, now, request.ip).catch((err: unknown) =>
      request.log.error({ err }, 'could not write password reset mail'),
    );
  }
  const ctx = pageContext();
  return sendPage(reply, 200, resetSentPage(ctx), ctx.nonce);
}

/** A reset link: for its own user, once, until it expires; its form sets a password. */
const resetLink = (deps: PasswordResetDeps) =>
  userLink(deps, {
    purpose: 'password-reset-confirm',
    action: deps.confirmPath,
    find: (tokenHash) => deps.storage.people.getReset(tokenHash),
    render: withPolicy(deps, newPasswordPage),
  });

export const showConfirm = (deps: PasswordResetDeps, request: FastifyRequest, reply: FastifyReply) =>
  showLink(deps, resetLink(deps), request, reply);

export async function handleConfirm(
  deps: PasswordResetDeps,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const now = deps.clock();
  const posted = await postedLinkPassword(deps, resetLink(deps), request, reply, now);
  if (!('found' in posted)) return posted;
  const { user, tenant } = posted.found;
  const { token, password } = posted;
  const hash = await hashPassword(password);
  const changedMail =
    deps.mailer &&
    (await tenantMail(deps.storage, {
      tenantId: tenant.id,
      name: 'password_changed',
      to: user.email,
      values: { email: user.email, tenant: tenant.name, time: now.toISOString() },
      operator: user.operator === true,
    }));
  // The new password, the links, sign-ins and sessions it ends, its mail and its event commit together
  // (docs/webhooks.md): a fault in any rolls all back, and the link stays usable.
  const reset = await deps.audit.within(
    async () => {
      // Spent first: of two posts of one link, one sets the password.
      if (!(await deps.storage.people.useReset(deps.hasher.hash(token), now))) return undefined;
      await deps.storage.signIn.setPassword(user.id, hash, now);
      // The user's other links (an earlier mail) are spent too: none sets the password again.
      await deps.storage.people.endResets(user.id, now);
      // The link came by mail to this address: it is the person's (OIDC Core §5.1 `email_verified`).
      await deps.storage.people.markEmailVerified(user.id);
      await deps.storage.people.endSignIns(user.id, now);
      const ended = await deps.storage.sessions.revokeByUser(user.id, 'password reset', now);
      if (deps.mailer && changedMail) {
        await deps.mailer.send(changedMail, { template: 'password_changed', tenantId: user.tenantId });
      }
      return { ended };
    },
    (done) =>
      done && {
        type: 'user.password_reset',
        actor: `user:${user.id}`,
        subject: `user:${user.id}`,
        tenantId: user.tenantId,
        details: { sessionsEnded: done.ended },
      },
  );
  if (!reset) return refuseLink(reply);
  deps.cookies.clear(reply, 'session');
  const ctx = pageContext(tenant.name);
  return sendPage(noReferrer(reply), 200, passwordChangedPage(ctx), ctx.nonce);
}
