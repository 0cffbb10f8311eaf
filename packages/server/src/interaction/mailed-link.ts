// What the pages behind a mailed link share (a password reset, an invitation, an e-mail verification):
// the page context, the browser's id for the form's CSRF check, the posted fields, no Referer for the
// token in the address, the sealed form the link opens and the page a link that does not work gets.
// The reset and the invitation open a password form; its display and its post are here once.
import crypto from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServerConfig } from '../config/config.js';
import type { Html } from '../domain/html.js';
import type { Tenant, User } from '../domain/types.js';
import { Throttled } from '../protocol/errors.js';
import type { Hasher } from '../secrets/hasher.js';
import { minLengthFor, passwordProblem } from '../secrets/passwords.js';
import { generateToken } from '../secrets/random-secrets.js';
import type { Storage } from '../storage/contract/index.js';
import type { Throttle } from '../throttling/throttle.js';
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

/** Whether a presented token could be one of ours (else it is not looked up). */
export const tokenShaped = (token: string): boolean => /^[A-Za-z0-9_-]{20,100}$/.test(token);

/** The tenant's name and the address, as the page a link opens shows them. */
export interface LinkShown {
  readonly email: string;
  readonly tenantName: string;
  /** The tenant's own shortest password, where it sets one (secrets/passwords.ts `minLengthFor`). */
  readonly passwordMinLength?: number | undefined;
}

/**
 * One kind of mailed link: what its form is sealed as and posts to, what its token finds while the
 * link can be used (`T`), the page that shows it, and the page a link that does not work gets.
 */
export interface MailedLink<T> {
  readonly purpose: SealPurpose;
  readonly action: string;
  usable(token: string, now: Date): Promise<T | undefined>;
  shown(found: T): LinkShown;
  render(ctx: PageContext, state: FormState, o: LinkShown & { error?: string | undefined }): Html;
  refused(reply: FastifyReply): FastifyReply;
  /** The origins the form's post may be redirected to (CSP `form-action`), besides our own. */
  formTargets?(found: T, request: FastifyRequest, now: Date): readonly string[];
}

/** A stored link mailed to one user of one tenant (a reset, a verification). */
export interface UserLinkRecord {
  readonly userId: string;
  readonly tenantId: string;
  readonly usedAt: Date | null;
  readonly expiresAt: Date;
}

/** What a user's link finds while it can be used: the record, its user and tenant. */
export interface FoundUserLink<L> {
  readonly link: L;
  readonly user: User;
  readonly tenant: Tenant;
}

/**
 * A link mailed to one user: usable once, until it expires, and only while its user is active and still
 * in the tenant it was mailed for (a user moved or deactivated since gets nothing), in an active tenant.
 * Its token is looked up by its keyed hash only.
 */
export function userLink<L extends UserLinkRecord>(
  deps: { readonly storage: Storage; readonly hasher: Hasher },
  o: {
    purpose: SealPurpose;
    action: string;
    find: (tokenHash: Buffer) => Promise<L | undefined>;
    render: MailedLink<unknown>['render'];
    formTargets?: MailedLink<FoundUserLink<L>>['formTargets'];
  },
): MailedLink<FoundUserLink<L>> {
  return {
    ...(o.formTargets ? { formTargets: o.formTargets } : {}),
    purpose: o.purpose,
    action: o.action,
    async usable(token, now) {
      if (!tokenShaped(token)) return undefined;
      const link = await o.find(deps.hasher.hash(token));
      if (!link || link.usedAt !== null || link.expiresAt <= now) return undefined;
      const [user, tenant] = await Promise.all([
        deps.storage.users.get(link.userId),
        deps.storage.tenants.get(link.tenantId),
      ]);
      if (user?.status !== 'active' || user.tenantId !== link.tenantId || tenant?.status !== 'active') {
        return undefined;
      }
      return { link, user, tenant };
    },
    shown: ({ user, tenant }) => ({
      email: user.email,
      tenantName: tenant.name,
      passwordMinLength: tenant.passwordMinLength,
    }),
    render: o.render,
    refused: refuseLink,
  };
}

/** The form of a found link (`status` 400 and `error` to show it again). */
export function showLinkForm<T>(
  deps: LinkFormDeps,
  link: MailedLink<T>,
  request: FastifyRequest,
  reply: FastifyReply,
  o: { token: string; found: T; now: Date; status?: number; error?: string },
): FastifyReply {
  const state = linkFormState(deps, request, reply, { ...link, token: o.token, now: o.now });
  const shown = link.shown(o.found);
  const ctx = pageContext(shown.tenantName);
  const page = link.render(ctx, state, { ...shown, error: o.error });
  const targets = link.formTargets?.(o.found, request, o.now) ?? [];
  return sendPage(noReferrer(reply), o.status ?? 200, page, ctx.nonce, targets);
}

/** GET of a mailed link (`?token=`): its form while the link can be used, its refusal otherwise. */
export async function showLink<T>(
  deps: LinkFormDeps & { readonly clock: () => Date },
  link: MailedLink<T>,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const query = (request.query ?? {}) as Record<string, unknown>;
  const token = typeof query['token'] === 'string' ? query['token'] : '';
  const now = deps.clock();
  const found = await link.usable(token, now);
  if (!found) return link.refused(reply);
  return showLinkForm(deps, link, request, reply, { token, found, now });
}

/** A password page of a mailed link (reset-views.ts), with the policy's minimum length. */
export type PasswordPage = (
  ctx: PageContext,
  state: FormState,
  o: LinkShown & { minLength: number; error?: string | undefined },
) => Html;

/** The `render` of a link whose form sets a password, within its tenant's policy. */
export const withPolicy =
  (deps: LinkFormDeps, page: PasswordPage): MailedLink<unknown>['render'] =>
  (ctx, state, o) =>
    page(ctx, state, { ...o, minLength: linkMinLength(deps, o) });

/** The shortest password the form of a link shown as `shown` accepts: the tenant's policy. */
const linkMinLength = (deps: LinkFormDeps, shown: LinkShown): number =>
  minLengthFor(shown, deps.config.mail.passwordMinLength);

/** A posted link form opened: its fields and token, or why not (`expired`: the link's refusal page). */
export type OpenedLinkForm = { fields: Record<string, string>; token: string } | 'expired' | 'refused';

/**
 * Opens a posted form sealed for `purpose`: each field once, the seal unexpired (its `id` and `exp`,
 * and whatever `valid` asks of it), and the CSRF token of this browser. A repeated field or another
 * browser's form is answered here (`refused`); an expired or altered one is the caller's to answer.
 */
export function openPostedForm(
  deps: LinkFormDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  o: { purpose: SealPurpose; now: Date; valid?: (form: Record<string, unknown>) => boolean },
): { fields: Record<string, string>; form: Record<string, unknown> } | 'expired' | 'refused' {
  const fields = fieldsOf(request.body);
  if (!fields) {
    refusePage(reply, 400, 'This page is not valid', 'A field is given more than once.');
    return 'refused';
  }
  const form = deps.sealer.open(o.purpose, fields['interaction'] ?? '');
  const id = form?.['id'];
  if (
    !form ||
    typeof id !== 'string' ||
    typeof form['exp'] !== 'number' ||
    form['exp'] <= o.now.getTime() ||
    (o.valid && !o.valid(form))
  ) {
    return 'expired';
  }
  if (!deps.sealer.checkCsrf(fields['csrf'], id, deps.cookies.read(request, 'browser'))) {
    refusePage(reply, 403, 'This page is not valid', 'The form did not come from this browser.');
    return 'refused';
  }
  return { fields, form };
}

/** Opens a posted link form sealed for `purpose` (`openPostedForm`), with the link's token. */
export function openLinkForm(
  deps: LinkFormDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  purpose: SealPurpose,
  now: Date,
): OpenedLinkForm {
  const opened = openPostedForm(deps, request, reply, {
    purpose,
    now,
    valid: (form) => typeof form['token'] === 'string',
  });
  if (typeof opened === 'string') return opened;
  return { fields: opened.fields, token: opened.form['token'] as string };
}

/**
 * A posted password form of a mailed link: opened (`openLinkForm`), the link still usable, and a
 * password within the policy. Otherwise answered here: the link's refusal, or the form again (400)
 * saying what is wrong with the password.
 */
export async function postedLinkPassword<T>(
  deps: LinkFormDeps,
  link: MailedLink<T>,
  request: FastifyRequest,
  reply: FastifyReply,
  now: Date,
): Promise<{ found: T; token: string; password: string } | FastifyReply> {
  const opened = openLinkForm(deps, request, reply, link.purpose, now);
  if (opened === 'refused') return reply;
  if (opened === 'expired') return link.refused(reply);
  const { fields, token } = opened;
  const found = await link.usable(token, now);
  if (!found) return link.refused(reply);
  const password = fields['password'] ?? '';
  const problem = passwordProblem(password, linkMinLength(deps, link.shown(found)));
  if (problem) {
    const error = `Choose another password: ${problem}.`;
    return showLinkForm(deps, link, request, reply, { token, found, now, status: 400, error });
  }
  return { found, token, password };
}

/** An address as a page may show it to whoever typed a password: `j***@example.com`. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 1) return '***';
  return `${email.slice(0, 1)}***${email.slice(at)}`;
}

/**
 * Counts one mail to `email` from `address`, as a failed attempt would count: against the e-mail from
 * this address, from every address, and the address's own counter of `kind` (never its sign-in
 * counter: people behind one NAT must not delay each other's sign-ins). False past the allowance: then
 * nothing is to be mailed, and the answer must not say so.
 */
export async function mailAllowed(
  throttle: Throttle,
  o: { kind: 'password_reset' | 'email_verification'; email: string; address: string },
): Promise<boolean> {
  const identifier = { kind: o.kind, value: o.email };
  try {
    const ticket = await throttle.check({
      identifiers: [identifier],
      address: o.address,
      addressPool: o.kind,
    });
    await throttle.fail(ticket, [identifier]);
    return true;
  } catch (err) {
    if (err instanceof Throttled) return false;
    throw err;
  }
}
