// The verification page of RFC 8628 device authorization: the person enters the user code (or arrives
// with it pre-filled from `verification_uri_complete`), signs in on the hosted sign-in form unless this
// browser is signed in already, confirms (or consents, for a third-party app) and gets a page naming
// the app. Wrong codes are counted per address; each form is sealed for its purpose and CSRF-bound.
import crypto from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DEVICE_CODE, typeAllows } from '../domain/app-types.js';
import type { DeviceAuthorization } from '../domain/device-authorization.js';
import { mustVerifyEmail } from '../domain/email-verification.js';
import type { Application } from '../domain/types.js';
import type { Audit } from '../observability/audit.js';
import type { AuthorizationRequest } from '../protocol/authorization-request.js';
import { Throttled } from '../protocol/errors.js';
import type { Throttle } from '../throttling/throttle.js';
import { hashUserCode, normalizeUserCode } from '../tokens/device-code.js';
import { needsConsent, rememberConsent, scopesInWords } from './consent.js';
import { deviceConfirmPage, deviceDonePage, userCodePage } from './device-views.js';
import { type DeviceSignIn, handleSignInPost, showSignIn } from './flow.js';
import { sendPage, styleNonce } from './html.js';
import { browserId, type InteractionDeps, refusePage, verificationPending } from './outcome.js';
import type { CurrentSignIn } from './session.js';
import { consentPage, type PageContext } from './views.js';

export interface DeviceVerifyDeps extends InteractionDeps {
  readonly audit: Audit;
  /** The shared throttle: wrong user codes count against the address that typed them. */
  readonly addressThrottle: Throttle;
}

/** What the user code form carries, sealed as `device-code`. */
interface CodeForm {
  readonly id: string;
  readonly exp: number;
}

/** What the confirmation form carries, sealed as `device-confirm`. */
interface ConfirmForm {
  readonly id: string;
  readonly exp: number;
  readonly deviceAuthorizationId: string;
  /** The sign-in it was shown in: the answer counts only in that same, still live, sign-in. */
  readonly signInId: string;
  readonly userId: string;
  /** Shown as the consent page: allowing remembers the consent. */
  readonly consent: boolean;
}

const WRONG_CODE = 'That code is not valid, has expired or was used already. Check the code on your device.';
const tooMany = (s: number) => `Too many attempts. Try again in ${s} second${s === 1 ? '' : 's'}.`;
const MAX_CODE = 32;

/** True when `app` is active and may use the device flow (its registration and its type). */
export function allowsDevice(app: Application | undefined): app is Application {
  return (
    app?.status === 'active' &&
    app.grantTypes.includes(DEVICE_CODE) &&
    typeAllows(app.type, app.tenancy, DEVICE_CODE)
  );
}

const plainContext = (appName = 'cxauth'): PageContext => ({ appName, display: 'page', nonce: styleNonce() });

/** A request still waiting for its answer. */
const open = (record: DeviceAuthorization | undefined, now: Date): record is DeviceAuthorization =>
  record !== undefined && record.status === 'pending' && record.expiresAt > now;

/** A signed-in browser fits a single-tenant app only when it is signed in to that tenant. */
const fitsTenant = (app: Application, current: CurrentSignIn | undefined): current is CurrentSignIn =>
  current !== undefined && (app.tenantId === null || current.tenant.id === app.tenantId);

function showCodeForm(
  deps: DeviceVerifyDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  o: { now: Date; code?: string | undefined; error?: string; status?: number },
): FastifyReply {
  const form: CodeForm = {
    id: crypto.randomUUID(),
    exp: o.now.getTime() + deps.config.signIn.interactionTtl * 1000,
  };
  const state = {
    action: deps.action,
    interaction: deps.sealer.seal('device-code', form),
    csrf: deps.sealer.csrf(form.id, browserId(deps, request, reply)),
  };
  const ctx = plainContext();
  return sendPage(
    reply,
    o.status ?? 200,
    userCodePage(ctx, state, { code: o.code, error: o.error }),
    ctx.nonce,
  );
}

/** The sign-in request of a device authorization: it ends here, at the confirmation page. */
function signInRequest(
  deps: InteractionDeps,
  app: Application,
  record: DeviceAuthorization,
): AuthorizationRequest {
  return {
    clientId: app.clientId,
    redirectUri: `${deps.config.issuer}${deps.action}`,
    scope: record.scope,
    codeChallenge: '',
    display: 'page',
    tenantId: app.tenantId ?? undefined,
    deviceAuthorizationId: record.id,
  };
}

async function showConfirm(
  deps: InteractionDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  o: {
    app: Application;
    record: DeviceAuthorization;
    /** The device's sign-in request, as sealed when its sign-in began. */
    req: AuthorizationRequest;
    current: CurrentSignIn;
    now: Date;
  },
): Promise<FastifyReply> {
  // A person whose tenant asks for a verified e-mail address verifies it before answering: the
  // token endpoint would refuse the device anyway, after the answer had spent its code.
  if (mustVerifyEmail(o.current.user, o.current.tenant)) {
    return verificationPending(deps, request, reply, {
      app: o.app,
      req: o.req,
      current: o.current,
      now: o.now,
    });
  }
  const consent = await needsConsent(deps.storage, o.app, o.current.user.id, { scope: o.record.scope });
  const form: ConfirmForm = {
    id: crypto.randomUUID(),
    exp: o.now.getTime() + deps.config.signIn.interactionTtl * 1000,
    deviceAuthorizationId: o.record.id,
    signInId: o.current.signIn.id,
    userId: o.current.user.id,
    consent,
  };
  const state = {
    action: deps.action,
    interaction: deps.sealer.seal('device-confirm', form),
    csrf: deps.sealer.csrf(form.id, browserId(deps, request, reply)),
  };
  const ctx: PageContext = { ...plainContext(o.app.name), tenantName: o.current.tenant.name };
  const scopes = scopesInWords(o.record.scope);
  if (!consent) {
    const page = deviceConfirmPage(ctx, state, { user: o.current.user.email, scopes });
    return sendPage(reply, 200, page, ctx.nonce);
  }
  const appTenant = o.app.tenantId === null ? undefined : await deps.storage.tenants.get(o.app.tenantId);
  const page = consentPage(ctx, state, {
    appTenant: o.app.tenantId === null ? undefined : (appTenant?.name ?? o.app.tenantId),
    scopes,
    user: o.current.user.email,
  });
  return sendPage(reply, 200, page, ctx.nonce);
}

/** After a valid code (or a sign-in for it): the confirmation when the browser fits, else sign-in. */
async function proceed(
  deps: DeviceVerifyDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  o: { app: Application; record: DeviceAuthorization; now: Date },
): Promise<FastifyReply> {
  const current = await deps.sessions.current(request, o.now);
  const req = signInRequest(deps, o.app, o.record);
  if (fitsTenant(o.app, current)) return showConfirm(deps, request, reply, { ...o, req, current });
  return showSignIn(deps, request, reply, o.app, req, o.now);
}

/** GET: the user code form, pre-filled from `user_code` (never submitted for the person, RFC 8628 §5.4). */
export function showVerification(
  deps: DeviceVerifyDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  query: Readonly<Record<string, unknown>>,
  now: Date,
): FastifyReply {
  const code = query['user_code'];
  const prefill = typeof code === 'string' && code.length <= MAX_CODE ? code : undefined;
  return showCodeForm(deps, request, reply, { now, code: prefill });
}

const expired = (reply: FastifyReply) =>
  refusePage(reply, 400, 'This page has expired', 'The form is too old or was altered. Start again.');

/** Whether a posted form's CSRF token is bound to this browser (its `browser` cookie). */
const fromThisBrowser = (
  deps: DeviceVerifyDeps,
  request: FastifyRequest,
  body: Readonly<Record<string, string>>,
  formId: string,
) => deps.sealer.checkCsrf(body['csrf'], formId, deps.cookies.read(request, 'browser'));

const foreign = (reply: FastifyReply) =>
  refusePage(reply, 403, 'The form could not be verified', 'The form did not come from this browser.');

/** A post of one of this page's own forms: the sealed form as opened, and the fields beside it. */
interface PostedForm {
  form: Record<string, unknown>;
  body: Readonly<Record<string, string>>;
  getApplication: GetApplication;
  now: Date;
}

async function handleCodePost(
  deps: DeviceVerifyDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  o: PostedForm,
): Promise<FastifyReply> {
  const { form, body, now } = o;
  if (typeof form['id'] !== 'string' || typeof form['exp'] !== 'number' || form['exp'] <= now.getTime()) {
    return expired(reply);
  }
  if (!fromThisBrowser(deps, request, body, form['id'])) return foreign(reply);
  const typed = (body['user_code'] ?? '').slice(0, MAX_CODE);
  let ticket: Awaited<ReturnType<Throttle['check']>>;
  try {
    ticket = await deps.addressThrottle.check({ identifiers: [], address: request.ip });
  } catch (err) {
    if (!(err instanceof Throttled)) throw err;
    return showCodeForm(deps, request, reply, {
      now,
      code: typed,
      error: tooMany(err.retryAfter),
      status: 429,
    });
  }
  const normalized = normalizeUserCode(typed);
  const record =
    normalized === undefined
      ? undefined
      : await deps.storage.deviceAuthorizations.byUserCode(hashUserCode(deps.hasher, normalized));
  const app = open(record, now) ? await o.getApplication(record.clientId) : undefined;
  if (!open(record, now) || !allowsDevice(app)) {
    // Single use: a code answered once (or expired) is as wrong as a made-up one, and counts alike.
    await deps.addressThrottle.fail(ticket, []);
    deps.audit.record({
      type: 'device.user_code_refused',
      address: request.ip,
      details: { reason: record === undefined ? 'unknown' : record.status },
    });
    return showCodeForm(deps, request, reply, { now, code: typed, error: WRONG_CODE });
  }
  await deps.addressThrottle.succeed(ticket);
  return proceed(deps, request, reply, { app, record, now });
}

async function handleConfirmPost(
  deps: DeviceVerifyDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  o: PostedForm,
): Promise<FastifyReply> {
  const { body, now } = o;
  const form = o.form as Partial<ConfirmForm>;
  if (
    typeof form.id !== 'string' ||
    typeof form.exp !== 'number' ||
    form.exp <= now.getTime() ||
    typeof form.deviceAuthorizationId !== 'string' ||
    typeof form.signInId !== 'string' ||
    typeof form.userId !== 'string'
  ) {
    return expired(reply);
  }
  if (!fromThisBrowser(deps, request, body, form.id)) return foreign(reply);
  const current = await deps.sessions.current(request, now);
  if (!current || current.signIn.id !== form.signInId || current.user.id !== form.userId) {
    return refusePage(reply, 400, 'This sign-in has ended', 'Enter the code from your device again.');
  }
  const record = await deps.storage.deviceAuthorizations.get(form.deviceAuthorizationId);
  const app = record ? await o.getApplication(record.clientId) : undefined;
  if (!open(record, now) || !allowsDevice(app) || !fitsTenant(app, current)) {
    return refusePage(
      reply,
      400,
      'This code has expired',
      'The code has expired or was used. Start again on your device.',
    );
  }
  const audited = {
    actor: `user:${current.user.id}`,
    tenantId: current.tenant.id,
    address: request.ip,
    details: { clientId: app.clientId, scope: record.scope },
  };
  const ctx = plainContext(app.name);
  if (body['decision'] === 'deny') {
    // The answer and its event commit together (docs/webhooks.md).
    const denied = await deps.audit.within(
      () => deps.storage.deviceAuthorizations.deny(record.id, now),
      (done) => (done ? { type: 'device.denied', ...audited } : undefined),
    );
    if (!denied) {
      return refusePage(reply, 400, 'This code has expired', 'The code has expired or was used.');
    }
    return sendPage(reply, 200, deviceDonePage(ctx, false), ctx.nonce);
  }
  if (body['decision'] !== 'allow')
    return refusePage(reply, 400, 'This form is not valid', 'Choose Allow or Deny.');
  // Deny needs nothing more; Allow waits for an address the tenant began to require after the form
  // was shown.
  if (mustVerifyEmail(current.user, current.tenant)) {
    const req = signInRequest(deps, app, record);
    return verificationPending(deps, request, reply, { app, req, current, now });
  }
  const { signIn } = current;
  const approval = {
    userId: current.user.id,
    tenantId: current.tenant.id,
    signInId: signIn.id,
    authTime: signIn.authTime,
    amr: signIn.amr,
  };
  const approved = await deps.audit.within(
    async () => {
      if (!(await deps.storage.deviceAuthorizations.approve(record.id, approval, now))) return false;
      if (form.consent === true)
        await rememberConsent(deps.storage, current.user.id, app.clientId, record.scope, now);
      return true;
    },
    (done) => (done ? { type: 'device.approved', ...audited } : undefined),
  );
  if (!approved) {
    return refusePage(reply, 400, 'This code has expired', 'The code has expired or was used.');
  }
  return sendPage(reply, 200, deviceDonePage(ctx, true), ctx.nonce);
}

type GetApplication = (clientId: string) => Promise<Application | undefined>;

/**
 * The sign-in of a device authorization done (at the password form, or at the person's identity
 * provider, federation/): the confirmation page of its code, which posts to the verification page the
 * request names as its redirect URI ({@link signInRequest}).
 */
export async function deviceSignedIn(
  deps: InteractionDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  o: {
    app: Application;
    req: AuthorizationRequest;
    current: CurrentSignIn;
    now: Date;
    /** The sign-in went on from an e-mail verification link: the refusal says the address is verified. */
    emailVerified?: boolean;
  },
): Promise<FastifyReply> {
  const { app, req, current, now } = o;
  const id = req.deviceAuthorizationId;
  const record = id === undefined ? undefined : await deps.storage.deviceAuthorizations.get(id);
  if (!open(record, now) || record.clientId !== app.clientId) {
    const verified = o.emailVerified === true ? 'Your e-mail address is verified, but the' : 'The';
    return refusePage(
      reply,
      400,
      'This code has expired',
      `${verified} code has expired or was used. Start again on your device.`,
    );
  }
  if (!fitsTenant(app, current)) {
    return refusePage(
      reply,
      400,
      'The application is not available',
      'The application is not available to this account.',
    );
  }
  const action = new URL(req.redirectUri).pathname;
  return showConfirm({ ...deps, action }, request, reply, { app, record, req, current, now });
}

/**
 * POST: the user code form, the confirmation, or a step of the sign-in of a device authorization
 * (each form opens only as what it was sealed for).
 * @see RFC 8628 §3.3, §5.1 (brute forcing), §5.4 (remote phishing)
 */
export async function handleVerificationPost(
  deps: DeviceVerifyDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  body: Readonly<Record<string, string>>,
  getApplication: GetApplication,
  now: Date,
): Promise<FastifyReply> {
  const sealed = body['interaction'] ?? '';
  const codeForm = deps.sealer.open('device-code', sealed);
  if (codeForm) return handleCodePost(deps, request, reply, { form: codeForm, body, getApplication, now });
  const confirmForm = deps.sealer.open('device-confirm', sealed);
  if (confirmForm)
    return handleConfirmPost(deps, request, reply, { form: confirmForm, body, getApplication, now });
  const device: DeviceSignIn = {
    allows: allowsDevice,
    complete: (o) => deviceSignedIn(deps, request, reply, o),
  };
  return handleSignInPost(deps, request, reply, body, getApplication, now, device);
}
