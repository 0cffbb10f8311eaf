// What the pages behind a mailed link share (a password reset, an invitation, an e-mail verification):
// the page context, the browser's id for the form's CSRF check, the posted fields, no Referer for the
// token in the address, the sealed form the link opens and the page a link that does not work gets.
// The reset and the invitation open a password form; its display and its post are here once.
import crypto from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServerConfig } from '../config/config.js';
import { passwordProblem } from '../secrets/passwords.js';
import { generateToken } from '../secrets/random-secrets.js';
import type { CookieJar } from './cookies.js';
import { type Html, sendPage, styleNonce } from './html.js';
import { refusePage } from './outcome.js';
import type { Sealer, SealPurpose } from './seal.js';
import type { FormState, PageContext } from './views.js';

/** A hosted page's context, naming the tenant when known. */
export const pageContext = (tenantName?: string): PageContext => ({
  appName: 'cxauth',
  display: 'page',
  nonce: styleNonce(),
  ...(tenantName ? { tenantName } : {}),
});

/** Each field once, as text; undefined when a field is repeated or not text. */
export function fieldsOf(body: unknown): Record<string, string> | undefined {
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries((body ?? {}) as Record<string, unknown>)) {
    if (typeof value !== 'string') return undefined;
    fields[name] = value;
  }
  return fields;
}

/** The browser's id (its `browser` cookie), set now when it has none. */
export function browserId(cookies: CookieJar, request: FastifyRequest, reply: FastifyReply): string {
  const existing = cookies.read(request, 'browser');
  if (existing) return existing;
  const id = generateToken();
  cookies.set(reply, 'browser', id);
  return id;
}

/** The link's token is in the address: no page of ours may send it on. */
export const noReferrer = (reply: FastifyReply): FastifyReply =>
  reply.header('Referrer-Policy', 'no-referrer');

/** The sealed form of a mailed link: its token travels in the form, never in a cookie. */
export interface LinkForm {
  id: string;
  exp: number;
  token: string;
}

export interface LinkFormDeps {
  readonly config: ServerConfig;
  readonly sealer: Sealer;
  readonly cookies: CookieJar;
}

type PasswordPage = (
  ctx: PageContext,
  state: FormState,
  o: { email: string; minLength: number; error?: string | undefined },
) => Html;

/** The sealed form a mailed link opens: its token inside, sealed for `purpose`, posted to `action`. */
export function linkFormState(
  deps: LinkFormDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  o: { purpose: SealPurpose; action: string; token: string; now: Date },
): FormState {
  const form: LinkForm = {
    id: crypto.randomUUID(),
    exp: o.now.getTime() + deps.config.signIn.interactionTtl * 1000,
    token: o.token,
  };
  return {
    action: o.action,
    interaction: deps.sealer.seal(o.purpose, form),
    csrf: deps.sealer.csrf(form.id, browserId(deps.cookies, request, reply)),
  };
}

/** What a link used already, expired or unknown gets (a reset's or a verification's). */
export const refuseLink = (reply: FastifyReply): FastifyReply =>
  refusePage(
    noReferrer(reply),
    400,
    'This link does not work',
    'The link was used already, has expired, or is not one of ours. Ask for a new one from the sign-in page.',
  );

/** The password form of a mailed link, sealed for `purpose` and posted to `action`. */
export function showLinkPasswordForm(
  deps: LinkFormDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  o: {
    purpose: SealPurpose;
    action: string;
    render: PasswordPage;
    token: string;
    email: string;
    tenantName: string;
    now: Date;
    status?: number;
    error?: string;
  },
): FastifyReply {
  const state = linkFormState(deps, request, reply, o);
  const ctx = pageContext(o.tenantName);
  const page = o.render(ctx, state, {
    email: o.email,
    minLength: deps.config.mail.passwordMinLength,
    error: o.error,
  });
  return sendPage(noReferrer(reply), o.status ?? 200, page, ctx.nonce);
}

/** A posted link form opened: its fields and token, or why not (`expired`: the link's refusal page). */
export type OpenedLinkForm = { fields: Record<string, string>; token: string } | 'expired' | 'refused';

/**
 * Opens a posted link form sealed for `purpose`: each field once, the seal unexpired, and the CSRF
 * token of this browser. A repeated field or another browser's form is answered here (`refused`).
 */
export function openLinkForm(
  deps: LinkFormDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  purpose: SealPurpose,
  now: Date,
): OpenedLinkForm {
  const fields = fieldsOf(request.body);
  if (!fields) {
    refusePage(reply, 400, 'This page is not valid', 'A field is given more than once.');
    return 'refused';
  }
  const form = deps.sealer.open(purpose, fields['interaction'] ?? '');
  const id = typeof form?.['id'] === 'string' ? form['id'] : undefined;
  const token = typeof form?.['token'] === 'string' ? form['token'] : undefined;
  if (!form || !id || !token || typeof form['exp'] !== 'number' || form['exp'] <= now.getTime()) {
    return 'expired';
  }
  if (!deps.sealer.checkCsrf(fields['csrf'], id, deps.cookies.read(request, 'browser'))) {
    refusePage(reply, 403, 'This page is not valid', 'The form did not come from this browser.');
    return 'refused';
  }
  return { fields, token };
}

/**
 * A posted password form of a mailed link: opened (`openLinkForm`), its link still `usable`, and a
 * password within the policy. Otherwise answered here: the link's refusal, or the form again (400)
 * saying what is wrong with the password.
 */
export async function postedLinkPassword<T>(
  deps: LinkFormDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  o: {
    purpose: SealPurpose;
    now: Date;
    usable: (token: string) => Promise<T | undefined>;
    refused: (reply: FastifyReply) => FastifyReply;
    again: (token: string, found: T, error: string) => FastifyReply;
  },
): Promise<{ found: T; token: string; password: string } | FastifyReply> {
  const opened = openLinkForm(deps, request, reply, o.purpose, o.now);
  if (opened === 'refused') return reply;
  if (opened === 'expired') return o.refused(reply);
  const { fields, token } = opened;
  const found = await o.usable(token);
  if (!found) return o.refused(reply);
  const password = fields['password'] ?? '';
  const problem = passwordProblem(password, deps.config.mail.passwordMinLength);
  if (problem) return o.again(token, found, `Choose another password: ${problem}.`);
  return { found, token, password };
}

/** An address as a page may show it to whoever typed a password: `j***@example.com`. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 1) return '***';
  return `${email.slice(0, 1)}***${email.slice(at)}`;
}
