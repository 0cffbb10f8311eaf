// What the pages behind a mailed link share (a password reset, an invitation): the page context, the
// browser's id for the form's CSRF check, the posted fields, and no Referer for the token in the
// address. Both links open a password form; its display is here once.
import crypto from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServerConfig } from '../config/config.js';
import type { Html } from '../domain/html.js';
import { generateToken } from '../secrets/random-secrets.js';
import type { CookieJar } from './cookies.js';
import { sendPage, styleNonce } from './html.js';
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
    /** The tenant's shortest password (secrets/passwords.ts minLengthFor), shown on the form. */
    minLength: number;
    now: Date;
    status?: number;
    error?: string;
  },
): FastifyReply {
  const form: LinkForm = {
    id: crypto.randomUUID(),
    exp: o.now.getTime() + deps.config.signIn.interactionTtl * 1000,
    token: o.token,
  };
  const state = {
    action: o.action,
    interaction: deps.sealer.seal(o.purpose, form),
    csrf: deps.sealer.csrf(form.id, browserId(deps.cookies, request, reply)),
  };
  const ctx = pageContext(o.tenantName);
  const page = o.render(ctx, state, {
    email: o.email,
    minLength: o.minLength,
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
