// Passkeys (WebAuthn Level 3) on the sign-in pages: the challenge each form carries, sealed with it,
// and the check of an assertion posted with the form, as a first factor (a discoverable credential,
// offered by autofill on the username field) or in place of the TOTP code; and the self-service page
// where a person recently signed in registers, lists and removes theirs. The RP ID is the issuer's
// host and the origin the issuer's origin; a challenge is spent once, and a signature counter that goes
// back (a cloned authenticator) is refused and audited.
import crypto from 'node:crypto';
import { isIP } from 'node:net';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { html } from '../domain/html.js';
import { onDemand } from '../domain/on-demand.js';
import { PASSKEY_NAME_MAX, type Passkey, passkeyName } from '../domain/passkey.js';
import type { AuthMethod } from '../domain/sign-in.js';
import type { Tenant, User } from '../domain/types.js';
import type { Audit } from '../observability/audit.js';
import { sendPage, styleNonce } from './html.js';
import { browserId, type InteractionDeps } from './outcome.js';
import type { PasskeyOffer } from './passkey-controls.js';
import type { CurrentSignIn } from './session.js';
import { errorBox, layout, type PageContext } from './views.js';

/**
 * @simplewebauthn/server, loaded at the first passkey check rather than at start: with its ASN.1 and
 * COSE dependencies it is about 20 MiB of resident memory that a service without passkeys never uses.
 */
const webauthn = onDemand('the passkey checks', () => import('@simplewebauthn/server'));

/** How recent a sign-in must be to add or remove a passkey, seconds. */
export const RECENT_SIGN_IN = 600;
/** How long the self-service page's form (and its challenge) may be used, ms. */
const PAGE_TTL = 600_000;

/** Why the issuer's host cannot be a WebAuthn RP ID: an IP address, or plain http on a host other than localhost. */
export type PasskeysUnavailable = 'ip_address' | 'not_https';

/** Whether passkeys can be offered under `issuer`, and why not (docs/sign-in.md, "Passkeys"). */
export function passkeySupport(
  issuer: string,
): { readonly rpId: string; readonly origin: string } | { readonly unavailable: PasskeysUnavailable } {
  const url = new URL(issuer);
  const host = url.hostname;
  if (host === '' || isIP(host.replace(/^\[|\]$/g, '')) !== 0) return { unavailable: 'ip_address' };
  const local = host === 'localhost' || host.endsWith('.localhost');
  if (url.protocol !== 'https:' && !local) return { unavailable: 'not_https' };
  return { rpId: host, origin: url.origin };
}

/** Where passkeys are offered: the issuer's host is a domain name (never an IP address), in a secure context. */
export function passkeyParty(issuer: string): { rpId: string; origin: string } | undefined {
  const support = passkeySupport(issuer);
  return 'rpId' in support ? support : undefined;
}

/** What both ceremonies expect of a response: this page's challenge, the issuer's origin and RP ID. */
const expected = (party: { rpId: string; origin: string }, challenge: string) => ({
  expectedChallenge: challenge,
  expectedOrigin: party.origin,
  expectedRPID: party.rpId,
  requireUserVerification: false,
});

const b64u = (b: Buffer) => b.toString('base64url');
const newChallenge = () => b64u(crypto.randomBytes(32));

/**
 * The passkey part of a new sign-in form: none where the issuer cannot be an RP ID, or (for a second
 * factor) when the user has no passkey.
 */
export async function passkeyOffer(
  deps: Pick<InteractionDeps, 'config' | 'storage'>,
  secondFactorUser?: string,
): Promise<PasskeyOffer | undefined> {
  const party = passkeyParty(deps.config.issuer);
  if (!party) return undefined;
  let allow: string[] = [];
  if (secondFactorUser !== undefined) {
    allow = (await deps.storage.passkeys.listForUser(secondFactorUser)).map((p) => p.credentialId);
    if (allow.length === 0) return undefined;
  }
  return { challenge: newChallenge(), rpId: party.rpId, allow };
}

/** Whether a user who typed the right password owes a second factor because of their passkeys. */
export async function hasPasskeys(deps: Pick<InteractionDeps, 'config' | 'storage'>, userId: string) {
  return passkeyParty(deps.config.issuer) !== undefined
    ? (await deps.storage.passkeys.listForUser(userId)).length > 0
    : false;
}

/** The result of an assertion posted with a sign-in form. */
export type PasskeyCheck =
  | { readonly ok: true; readonly user: User; readonly tenant: Tenant; readonly amr: AuthMethod[] }
  | { readonly ok: false; readonly error: string };

export const WRONG_PASSKEY = 'That passkey could not be used here. Try again, or sign in with your password.';

/**
 * Checks the assertion a sign-in form carried (`passkey`), against the challenge sealed with the form.
 * `secondFactorUser`: only that user's passkeys are accepted, and the password came first.
 */
export async function checkPasskey(
  deps: Pick<InteractionDeps, 'config' | 'storage' | 'hasher'> & { readonly audit?: Audit | undefined },
  o: {
    posted: string;
    challenge: unknown;
    exp: number;
    tenantId?: string | undefined;
    secondFactorUser?: string | undefined;
    address: string;
    now: Date;
  },
): Promise<PasskeyCheck> {
  const fail = { ok: false, error: WRONG_PASSKEY } as const;
  const party = passkeyParty(deps.config.issuer);
  if (!party || typeof o.challenge !== 'string') return fail;
  let response: AuthenticationResponseJSON;
  try {
    response = JSON.parse(o.posted) as AuthenticationResponseJSON;
  } catch {
    return fail;
  }
  if (typeof response?.id !== 'string') return fail;
  const passkey = await deps.storage.passkeys.byCredentialId(response.id);
  if (!passkey) {
    // A credential this service never registered (another RP's, or one removed): audited too, without
    // a subject (the credential ID the browser sent names no one here).
    deps.audit?.record({
      type: 'passkey.refused',
      tenantId: o.tenantId ?? null,
      address: o.address,
      details: { reason: 'unknown_credential' },
    });
    return fail;
  }
  if (o.secondFactorUser !== undefined && passkey.userId !== o.secondFactorUser) return fail;
  if (o.tenantId !== undefined && passkey.tenantId !== o.tenantId) return fail;
  const user = await deps.storage.users.get(passkey.userId);
  const tenant = user ? await deps.storage.tenants.get(user.tenantId) : undefined;
  if (user?.status !== 'active' || tenant?.status !== 'active') return fail;
  // Loaded before the challenge is spent: should the load fail (503), the same form may be sent again.
  const { verifyAuthenticationResponse } = await webauthn();
  // Single use: the challenge is spent before the signature is even checked.
  if (!(await deps.storage.passkeys.spendChallenge(challengeHash(deps, o.challenge), new Date(o.exp)))) {
    return fail;
  }
  // Past the spent challenge a refusal is stored before the answer (a cloned authenticator's counter
  // among them): each costs a write already, so an event costs no one a new one.
  const refused = async (reason: string) => {
    const event = {
      type: 'passkey.refused',
      subject: `user:${user.id}`,
      tenantId: user.tenantId,
      address: o.address,
      details: { passkeyId: passkey.id, reason },
    } as const;
    await deps.audit?.within(
      async () => undefined,
      () => event,
    );
    return fail;
  };
  let verification: Awaited<ReturnType<typeof verifyAuthenticationResponse>>;
  try {
    verification = await verifyAuthenticationResponse({
      response,
      ...expected(party, o.challenge),
      credential: {
        id: passkey.credentialId,
        publicKey: new Uint8Array(passkey.publicKey),
        counter: passkey.counter,
      },
    });
  } catch (err) {
    // WebAuthn §6.1.1: a counter that does not grow means the authenticator may have been cloned.
    return refused(/counter/i.test((err as Error).message) ? 'counter_went_back' : 'invalid_assertion');
  }
  if (!verification.verified) return refused('invalid_assertion');
  const info = verification.authenticationInfo;
  const use = {
    expected: passkey.counter,
    counter: info.newCounter,
    backedUp: info.credentialBackedUp,
    at: o.now,
  };
  const used = {
    type: 'passkey.used',
    actor: `user:${user.id}`,
    subject: `user:${user.id}`,
    tenantId: user.tenantId,
    address: o.address,
    // `passkeyId`: a detail whose name ends in `key` is never kept (observability/audit.ts).
    details: {
      passkeyId: passkey.id,
      user_verified: info.userVerified,
      factor: o.secondFactorUser ? 'second' : 'first',
    },
  } as const;
  // The new counter and its event commit together (docs/webhooks.md).
  const recorded = deps.audit
    ? await deps.audit.within(
        () => deps.storage.passkeys.recordUse(passkey.id, use),
        (done) => (done ? used : undefined),
      )
    : await deps.storage.passkeys.recordUse(passkey.id, use);
  if (!recorded) return refused('counter_went_back');
  // RFC 8176: `hwk` for the key; `mfa` when the authenticator verified the user (something they have
  // and something they know or are), or after the password.
  const amr: AuthMethod[] = o.secondFactorUser
    ? ['pwd', 'hwk', 'mfa']
    : info.userVerified
      ? ['hwk', 'mfa']
      : ['hwk'];
  return { ok: true, user, tenant, amr };
}

const challengeHash = (deps: Pick<InteractionDeps, 'hasher'>, challenge: string) =>
  deps.hasher.hash(`passkey-challenge:${challenge}`);

// ---- The self-service page: /auth/passkeys ----

export interface PasskeyPageDeps extends InteractionDeps {
  readonly audit: Audit;
}

interface PageState {
  readonly id: string;
  readonly exp: number;
  readonly userId: string;
  readonly challenge: string;
}

const dateText = (d: Date | null) => (d ? d.toISOString().slice(0, 16).replace('T', ' ') : 'never');

function recent(current: CurrentSignIn | undefined, now: Date): current is CurrentSignIn {
  return current !== undefined && now.getTime() - current.signIn.authTime.getTime() <= RECENT_SIGN_IN * 1000;
}

/** The page: the user's passkeys with a rename form and a remove button each, and the form that adds one. */
export async function showPasskeyPage(
  deps: PasskeyPageDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  now: Date,
  o: { error?: string; notice?: string; status?: number } = {},
): Promise<FastifyReply> {
  const nonce = styleNonce();
  const ctx: PageContext = { appName: 'cxauth', display: 'page', nonce };
  const support = passkeySupport(deps.config.issuer);
  const party = 'rpId' in support ? support : undefined;
  const current = await deps.sessions.current(request, now);
  if (!party) {
    const why =
      'unavailable' in support && support.unavailable === 'not_https'
        ? 'is plain http on a host other than localhost, and browsers offer passkeys only over HTTPS'
        : 'is an IP address, and browsers accept only a domain name for passkeys';
    return sendPage(
      reply,
      403,
      layout(
        ctx,
        'Passkeys',
        html`<h1>Passkeys</h1>
<p class="error" role="alert">Passkeys are not available here: the service's address, ${deps.config.issuer}, ${why}. Its operator turns them on with CXAUTH_ISSUER=http://localhost:&lt;port&gt; or an HTTPS domain name.</p>`,
      ),
      nonce,
    );
  }
  if (!recent(current, now)) {
    return sendPage(
      reply,
      403,
      layout(
        ctx,
        'Passkeys',
        html`<h1>Passkeys</h1>
<p class="error" role="alert">To change your passkeys, sign in again (within the last ${RECENT_SIGN_IN / 60} minutes), then come back to this page.</p>`,
      ),
      nonce,
    );
  }
  const { user } = current;
  const passkeys = await deps.storage.passkeys.listForUser(user.id);
  const state: PageState = {
    id: crypto.randomUUID(),
    exp: now.getTime() + PAGE_TTL,
    userId: user.id,
    challenge: newChallenge(),
  };
  const sealed = deps.sealer.seal('passkeys', state);
  const csrf = deps.sealer.csrf(state.id, browserId(deps, request, reply));
  const hiddenState = html`<input type="hidden" name="interaction" value="${sealed}">
<input type="hidden" name="csrf" value="${csrf}">`;
  const page = layout(
    ctx,
    'Passkeys',
    html`<h1>Passkeys</h1>
<p class="context">Signed in as <strong>${user.email}</strong></p>
${errorBox(o.error)}${o.notice ? html`<p class="context done" role="status">${o.notice}</p>` : ''}
${
  passkeys.length === 0
    ? html`<p class="hint">You have no passkey yet.</p>`
    : html`<ul class="passkeys">
${passkeys.map(
  (
    p,
    i,
  ) => html`<li><strong>${p.name}</strong> · added ${dateText(p.createdAt)} · last used ${dateText(p.lastUsedAt)}${
    p.backedUp ? ' · synced' : ''
  }
<form method="post" action="${deps.action}">
${hiddenState}
<input type="hidden" name="op" value="rename">
<input type="hidden" name="id" value="${p.id}">
<label for="rename-${i}">New name for passkey ${p.name}</label>
<input id="rename-${i}" name="name" type="text" maxlength="${PASSKEY_NAME_MAX}" required value="${p.name}">
<button type="submit" class="secondary">Rename<span class="sr-only"> passkey ${p.name}</span></button>
</form>
<form method="post" action="${deps.action}">
${hiddenState}
<input type="hidden" name="op" value="remove">
<input type="hidden" name="id" value="${p.id}">
<button type="submit" class="secondary">Remove<span class="sr-only"> passkey ${p.name}</span></button>
</form></li>
`,
)}</ul>`
}
<form method="post" action="${deps.action}" data-passkey="create" data-challenge="${state.challenge}" data-rp-id="${party.rpId}" data-user-id="${b64u(Buffer.from(user.id))}" data-user-name="${user.email}" data-exclude="${JSON.stringify(passkeys.map((p) => p.credentialId))}">
${hiddenState}
<input type="hidden" name="op" value="register">
<input type="hidden" name="credential" value="">
<label for="passkey-name">Name of the new passkey</label>
<input id="passkey-name" name="name" type="text" maxlength="${PASSKEY_NAME_MAX}" required value="Passkey ${passkeys.length + 1}">
<p id="passkey-status" class="hint" role="status" aria-live="polite">Adding a passkey needs JavaScript.</p>
<button type="submit" id="passkey-button">Add a passkey</button>
</form>
<script src="/auth/passkeys.js" nonce="${nonce}" defer></script>`,
  );
  return sendPage(reply, o.status ?? 200, page, nonce, [], true);
}

/** A post of the page: registers the new passkey, or renames or removes one. */
export async function handlePasskeyPagePost(
  deps: PasskeyPageDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  body: Readonly<Record<string, string>>,
  now: Date,
): Promise<FastifyReply> {
  const party = passkeyParty(deps.config.issuer);
  const opened = deps.sealer.open('passkeys', body['interaction'] ?? '') as Partial<PageState> | undefined;
  const current = await deps.sessions.current(request, now);
  const again = (error: string, status = 400) =>
    showPasskeyPage(deps, request, reply, now, { error, status });
  if (
    !party ||
    !opened ||
    typeof opened.id !== 'string' ||
    typeof opened.exp !== 'number' ||
    typeof opened.challenge !== 'string' ||
    opened.exp <= now.getTime() ||
    !deps.sealer.checkCsrf(body['csrf'], opened.id, deps.cookies.read(request, 'browser'))
  ) {
    return again('The form is too old or did not come from this page. Try again.');
  }
  if (!recent(current, now) || current.user.id !== opened.userId) {
    return showPasskeyPage(deps, request, reply, now);
  }
  const { user } = current;
  const audited = {
    actor: `user:${user.id}`,
    subject: `user:${user.id}` as const,
    tenantId: user.tenantId,
    address: request.ip,
  };
  if (body['op'] === 'remove') {
    const removed = await deps.audit.within(
      () => deps.storage.passkeys.remove(user.id, body['id'] ?? ''),
      (done) => done && { type: 'passkey.removed', ...audited, details: { passkeyId: done.id } },
    );
    if (!removed) return again('That passkey is not yours, or was removed already.', 404);
    return showPasskeyPage(deps, request, reply, now, { notice: `Removed the passkey ${removed.name}.` });
  }
  if (body['op'] === 'rename') {
    const checked = passkeyName(body['name'] ?? '');
    if ('problem' in checked) return again(checked.problem);
    const id = body['id'] ?? '';
    const renamed = await deps.audit.within(
      () => deps.storage.passkeys.rename(user.id, id, checked.name),
      (done) => (done ? { type: 'passkey.renamed', ...audited, details: { passkeyId: id } } : undefined),
    );
    if (!renamed) return again('That passkey is not yours, or was removed already.', 404);
    return showPasskeyPage(deps, request, reply, now, { notice: `Renamed the passkey to ${checked.name}.` });
  }
  const named = passkeyName((body['name'] ?? '').trim() || 'Passkey');
  if ('problem' in named) return again(named.problem);
  const { name } = named;
  let response: RegistrationResponseJSON;
  try {
    response = JSON.parse(body['credential'] ?? '') as RegistrationResponseJSON;
  } catch {
    return again(
      'No passkey was created. Adding a passkey needs JavaScript and a browser that supports passkeys.',
    );
  }
  // Loaded before the challenge is spent: should the load fail (503), the same form may be sent again.
  const { verifyRegistrationResponse } = await webauthn();
  if (
    !(await deps.storage.passkeys.spendChallenge(challengeHash(deps, opened.challenge), new Date(opened.exp)))
  ) {
    return again('This form was used already. Try again.');
  }
  let verification: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
  try {
    verification = await verifyRegistrationResponse({ response, ...expected(party, opened.challenge) });
  } catch {
    return again('The passkey could not be verified. Try again.');
  }
  if (!verification.verified || !verification.registrationInfo) {
    return again('The passkey could not be verified. Try again.');
  }
  const info = verification.registrationInfo;
  const passkey: Passkey = {
    id: crypto.randomUUID(),
    userId: user.id,
    tenantId: user.tenantId,
    credentialId: info.credential.id,
    publicKey: Buffer.from(info.credential.publicKey),
    counter: info.credential.counter,
    name,
    transports: (response.response.transports ?? []).filter((t) => typeof t === 'string').slice(0, 8),
    backupEligible: info.credentialDeviceType === 'multiDevice',
    backedUp: info.credentialBackedUp,
    createdAt: now,
    lastUsedAt: null,
  };
  const registered = await deps.audit.within(
    () => deps.storage.passkeys.create(passkey),
    (created) =>
      created ? { type: 'passkey.registered', ...audited, details: { passkeyId: passkey.id } } : undefined,
  );
  if (!registered) return again('This passkey is registered already.', 409);
  return showPasskeyPage(deps, request, reply, now, { notice: `Added the passkey ${name}.` });
}
