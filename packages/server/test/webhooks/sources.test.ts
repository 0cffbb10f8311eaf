// Every source of a change outside the admin service writes the change, its audit event and its webhook
// deliveries in one transaction (docs/webhooks.md "What is guaranteed"), on SQLite and PostgreSQL: with
// the event's insert failing (an injected fault, as in db-faults / device-faults) the request answers 503
// with Retry-After and the change is not there; without it the change, its event and its delivery are.
// A SCIM create reaches a Standard Webhooks receiver as `user.created`.
import crypto from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAdminService, signingKeyAdminOptions } from '../../src/admin/service/admin.js';
import { audited } from '../../src/admin/service/audited.js';
import { WEBHOOK_DEFAULTS } from '../../src/config/webhooks.js';
import { DEVICE_CODE } from '../../src/domain/app-types.js';
import type { Application } from '../../src/domain/types.js';
import { passkeyParty } from '../../src/interaction/passkeys.js';
import { keyReload } from '../../src/keys/rotation.js';
import { DEFAULT_KEY_TIMING } from '../../src/keys/signing-keys.js';
import { type AuditEventType, createAudit } from '../../src/observability/audit.js';
import { generateToken } from '../../src/secrets/random-secrets.js';
import type { AuditEvent, Storage } from '../../src/storage/contract/index.js';
import { StorageUnavailableError } from '../../src/storage/errors.js';
import { hashUserCode, normalizeUserCode } from '../../src/tokens/device-code.js';
import { createWebhookAdmin } from '../../src/webhooks/subscriptions.js';
import { createWebhookWorker } from '../../src/webhooks/worker.js';
import { scim, scimTenant } from '../scim/support.js';
import { adminOf } from '../support/federation.js';
import { FORM, form } from '../support/http.js';
import { startTestService, type TestService } from '../support/service.js';
import {
  authorizeQuery,
  Browser,
  hiddenInputs,
  PASSWORD,
  pkce,
  publicApp,
  signInUser,
} from '../support/sign-in.js';
import { pgUnavailable } from '../support/storage-db.js';
import { startFakeIdp } from '../support/upstream-idp.js';
import { Receiver } from '../support/webhook-receiver.js';

const pgMissing = await pgUnavailable();
if (pgMissing) console.log(`webhooks/sources.test.ts: skipping the PostgreSQL run: ${pgMissing}`);

const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';

describe.each([
  { dialect: 'sqlite' as const, skip: false },
  { dialect: 'postgres' as const, skip: pgMissing !== undefined },
])('the events of changes outside the admin service, on $dialect', ({ dialect, skip }) => {
  let svc: TestService;
  let device: Application;
  /** While true, storing an audit event fails as a database that went away does; `refused` counts those. */
  let down = false;
  let refused = 0;
  const subscriptionId = `wh_${crypto.randomBytes(12).toString('hex')}`;

  beforeAll(async () => {
    if (skip) return;
    svc = await startTestService({
      dialect,
      webhooks: false,
      wrapStorage: (storage: Storage) => ({
        ...storage,
        auditEvents: {
          ...storage.auditEvents,
          append: async (events: readonly AuditEvent[]) => {
            if (down) {
              refused += 1;
              throw new StorageUnavailableError('connection refused (audit_events)', 7);
            }
            return storage.auditEvents.append(events);
          },
        },
      }),
    });
    // A platform-wide subscription to every event: each stored event gets a delivery row.
    await svc.storage.webhooks.createSubscription({
      id: subscriptionId,
      tenantId: null,
      url: 'https://receiver.example/hook',
      eventTypes: ['*'],
      enabled: true,
      sealedSecret: Buffer.from('sealed'),
      sealedPrevious: null,
      previousUntil: null,
      failingSince: null,
      disabledReason: null,
      createdAt: svc.clock.now(),
      updatedAt: svc.clock.now(),
    });
    device = await publicApp(svc, { grantTypes: ['authorization_code', 'refresh_token', DEVICE_CODE] });
  });
  afterAll(async () => {
    if (skip) return;
    await svc?.close();
  });

  /** The stored events of `type` about `subject`, each with its delivery (or none). */
  const stored = async (type: AuditEventType, subject: string) => {
    const events = (await svc.storage.auditEvents.list({ type, limit: 500 })).filter(
      (e) => e.subject === subject,
    );
    const deliveries = await svc.storage.webhooks.listDeliveries(subscriptionId, 1000);
    return events.map((e) => ({ event: e, delivery: deliveries.find((d) => d.eventId === e.id) }));
  };
  const expectCommitted = async (type: AuditEventType, subject: string) => {
    const found = await stored(type, subject);
    expect(found).toHaveLength(1);
    expect(found[0]?.delivery).toMatchObject({ eventType: type, state: 'pending' });
  };
  const expect503 = (res: LightMyRequestResponse) => {
    expect(res.statusCode, res.body).toBe(503);
    expect(res.headers['retry-after']).toBe('7');
    expect(res.body).not.toContain('connection refused');
  };
  /** Runs `request` with the event store down, then up again. */
  const faulty = async <T>(request: () => Promise<T>): Promise<T> => {
    down = true;
    try {
      return await request();
    } finally {
      down = false;
    }
  };

  it.skipIf(skip)('SCIM: a user created, changed and deprovisioned', async () => {
    const to = await scimTenant(svc);
    const body = { schemas: [USER_SCHEMA], userName: `scim-${crypto.randomUUID()}@example.com` };
    expect503(await faulty(() => scim(svc.app, to, { method: 'POST', path: '/Users', body })));
    expect(await svc.storage.signIn.usersByEmail(body.userName)).toEqual([]);

    const created = await scim(svc.app, to, { method: 'POST', path: '/Users', body });
    expect(created.statusCode, created.body).toBe(201);
    const id = (created.json() as { id: string }).id;
    await expectCommitted('user.created', `user:${id}`);

    const patch = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', path: 'active', value: false }],
    };
    expect503(await faulty(() => scim(svc.app, to, { method: 'PATCH', path: `/Users/${id}`, body: patch })));
    expect((await svc.storage.users.get(id))?.status).toBe('active');
    expect(await stored('user.changed', `user:${id}`)).toEqual([]);
    const patched = await scim(svc.app, to, { method: 'PATCH', path: `/Users/${id}`, body: patch });
    expect(patched.statusCode, patched.body).toBe(200);
    expect((await svc.storage.users.get(id))?.status).toBe('inactive');
    await expectCommitted('user.changed', `user:${id}`);

    expect503(await faulty(() => scim(svc.app, to, { method: 'DELETE', path: `/Users/${id}` })));
    expect((await svc.storage.scim.getUser(to.tenant.id, id))?.link).toBeTruthy();
    expect((await scim(svc.app, to, { method: 'DELETE', path: `/Users/${id}` })).statusCode).toBe(204);
    expect(await stored('user.changed', `user:${id}`)).toHaveLength(2);
  });

  it.skipIf(skip)("SCIM: a group naming a role changes its members' role with their events", async () => {
    const to = await scimTenant(svc);
    const made = await scim(svc.app, to, {
      method: 'POST',
      path: '/Users',
      body: { schemas: [USER_SCHEMA], userName: `member-${crypto.randomUUID()}@example.com` },
    });
    const id = (made.json() as { id: string }).id;
    const group = { schemas: [GROUP_SCHEMA], displayName: 'Administrator', members: [{ value: id }] };
    expect503(await faulty(() => scim(svc.app, to, { method: 'POST', path: '/Groups', body: group })));
    expect(await svc.storage.scim.listGroups(to.tenant.id)).toEqual([]);
    expect((await svc.storage.users.get(id))?.role.legacyId).toBe('Agent');

    const res = await scim(svc.app, to, { method: 'POST', path: '/Groups', body: group });
    expect(res.statusCode, res.body).toBe(201);
    expect((await svc.storage.users.get(id))?.role.legacyId).toBe('Administrator');
    const [changed] = await stored('user.changed', `user:${id}`);
    expect(changed?.event.details).toMatchObject({ via: 'scim', role: 'Administrator' });
    expect(changed?.delivery).toMatchObject({ eventType: 'user.changed' });
  });

  it.skipIf(skip)('device authorization: approved and denied', async () => {
    const { user } = await signInUser(svc);
    const browser = new Browser(svc.app);
    const start = async () => {
      const res = await svc.app.inject({
        method: 'POST',
        url: '/auth/device',
        headers: { 'content-type': FORM },
        payload: form({ client_id: device.clientId, scope: 'openid' }),
      });
      return res.json() as { device_code: string; user_code: string };
    };
    const confirmPage = async (userCode: string) => {
      const page = await browser.get(`/auth/device/verify?user_code=${encodeURIComponent(userCode)}`);
      let res = await browser.post('/auth/device/verify', {
        ...hiddenInputs(page.body),
        user_code: userCode,
      });
      if (res.body.includes('name="password"')) {
        res = await browser.post('/auth/device/verify', {
          ...hiddenInputs(res.body),
          username: user.email,
          password: PASSWORD,
        });
      }
      expect(res.body).toContain('name="decision"');
      return res;
    };
    const pending = async (code: string) =>
      (
        await svc.storage.deviceAuthorizations.byUserCode(
          hashUserCode(svc.hasher, normalizeUserCode(code) ?? ''),
        )
      )?.status;

    for (const decision of ['allow', 'deny'] as const) {
      const d = await start();
      const confirm = await confirmPage(d.user_code);
      const post = () => browser.post('/auth/device/verify', { ...hiddenInputs(confirm.body), decision });
      expect503(await faulty(post));
      expect(await pending(d.user_code)).toBe('pending');
      const done = await post();
      expect(done.statusCode, done.body).toBe(200);
      expect(await pending(d.user_code)).toBe(decision === 'allow' ? 'approved' : 'denied');
      const type = decision === 'allow' ? 'device.approved' : 'device.denied';
      const events = (await svc.storage.auditEvents.list({ type, limit: 500 })).filter(
        (e) => e.actor === `user:${user.id}`,
      );
      expect(events).toHaveLength(1);
      const deliveries = await svc.storage.webhooks.listDeliveries(subscriptionId, 1000);
      expect(deliveries.some((x) => x.eventId === events[0]?.id)).toBe(true);
    }
  });

  it.skipIf(skip)('password reset: the new password, its ended sessions and its event', async () => {
    const { user } = await signInUser(svc);
    const token = generateToken();
    const now = svc.clock.now();
    await svc.storage.people.createReset({
      tokenHash: svc.hasher.hash(token),
      userId: user.id,
      tenantId: user.tenantId,
      createdAt: now,
      expiresAt: new Date(now.getTime() + 3600_000),
      usedAt: null,
    });
    const browser = new Browser(svc.app);
    const confirm = '/auth/password-reset/confirm';
    const page = await browser.get(`${confirm}?token=${encodeURIComponent(token)}`);
    expect(page.statusCode, page.body).toBe(200);
    const post = () =>
      browser.post(confirm, { ...hiddenInputs(page.body), password: 'a brand new passphrase 7' });
    expect503(await faulty(post));
    // Rolled back: the link still works, the old password still signs in.
    expect(
      await svc.storage.auditEvents.list({ type: 'user.password_reset', limit: 500 }),
    ).not.toContainEqual(expect.objectContaining({ subject: `user:${user.id}` }));
    const ok = await post();
    expect(ok.statusCode, ok.body).toBe(200);
    await expectCommitted('user.password_reset', `user:${user.id}`);
  });

  it.skipIf(skip)('password reset: a requested link, its mail and its event', async () => {
    const { user } = await signInUser(svc);
    const request = async () => {
      const browser = new Browser(svc.app);
      const page = await browser.get('/auth/password-reset');
      expect(page.statusCode, page.body).toBe(200);
      return () => browser.post('/auth/password-reset', { ...hiddenInputs(page.body), email: user.email });
    };
    const requested = () => stored('user.password_reset_requested', `user:${user.id}`);
    const mails = await svc.storage.people.pendingMail();
    // The link is written after the answer (whose time must not tell whether the e-mail has an account):
    // the answer is the same, and the link, its mail and its event are rolled back together.
    const post = await request();
    down = true;
    const before = refused;
    try {
      expect((await post()).statusCode).toBe(200);
      await vi.waitFor(() => expect(refused).toBeGreaterThan(before));
    } finally {
      down = false;
    }
    expect(await svc.storage.people.pendingMail()).toBe(mails);
    expect(await requested()).toEqual([]);
    const ok = await (await request())();
    expect(ok.statusCode, ok.body).toBe(200);
    await vi.waitFor(async () => expect(await requested()).toHaveLength(1));
    expect(await svc.storage.people.pendingMail()).toBe(mails + 1);
    await expectCommitted('user.password_reset_requested', `user:${user.id}`);
  });

  it.skipIf(skip)('invitation: accepted, with the user it created', async () => {
    const token = generateToken();
    const now = svc.clock.now();
    const invitation = {
      id: crypto.randomUUID(),
      tokenHash: svc.hasher.hash(token),
      tenantId: svc.fixture.tenant.id,
      email: `invited-${crypto.randomUUID()}@example.com`,
      role: 'Agent',
      invitedBy: 'cli',
      createdAt: now,
      expiresAt: new Date(now.getTime() + 3600_000),
      usedAt: null,
      revokedAt: null,
    };
    await svc.storage.people.createInvitation(invitation);
    const browser = new Browser(svc.app);
    const accept = '/auth/invitation';
    const page = await browser.get(`${accept}?token=${encodeURIComponent(token)}`);
    expect(page.statusCode, page.body).toBe(200);
    const post = () =>
      browser.post(accept, { ...hiddenInputs(page.body), password: 'an invited passphrase 9' });
    expect503(await faulty(post));
    expect(await svc.storage.signIn.usersByEmail(invitation.email)).toEqual([]);
    expect((await svc.storage.people.getInvitation(invitation.id))?.usedAt).toBeNull();

    const ok = await post();
    expect(ok.statusCode, ok.body).toBe(200);
    const [user] = await svc.storage.signIn.usersByEmail(invitation.email);
    if (!user) throw new Error('no user created');
    await expectCommitted('invitation.accepted', `invitation:${invitation.id}`);
    await expectCommitted('user.created', `user:${user.id}`);
  });

  it.skipIf(skip)('passkeys: a passkey removed on the passkeys page', async () => {
    const { user } = await signInUser(svc);
    const browser = new Browser(svc.app);
    const p = pkce();
    const signIn = await browser.get(`/auth/authorize?${authorizeQuery(device, p)}`);
    await browser.post('/auth/authorize', {
      ...hiddenInputs(signIn.body),
      username: user.email,
      password: PASSWORD,
    });
    const passkey = {
      id: crypto.randomUUID(),
      userId: user.id,
      tenantId: user.tenantId,
      credentialId: `cred-${crypto.randomUUID()}`,
      publicKey: Buffer.from('public key'),
      counter: 0,
      name: 'Laptop',
      transports: [],
      backupEligible: false,
      backedUp: false,
      createdAt: svc.clock.now(),
      lastUsedAt: null,
    };
    expect(await svc.storage.passkeys.create(passkey)).toBe(true);
    const page = await browser.get('/auth/passkeys');
    expect(page.statusCode, page.body).toBe(200);
    const post = () =>
      browser.post('/auth/passkeys', { ...hiddenInputs(page.body), op: 'remove', id: passkey.id });
    expect503(await faulty(post));
    expect(await svc.storage.passkeys.listForUser(user.id)).toHaveLength(1);
    const ok = await post();
    expect(ok.statusCode, ok.body).toBe(200);
    expect(await svc.storage.passkeys.listForUser(user.id)).toEqual([]);
    const [removed] = await stored('passkey.removed', `user:${user.id}`);
    expect(removed?.event.details).toMatchObject({ passkeyId: passkey.id });
    expect(removed?.delivery).toMatchObject({ eventType: 'passkey.removed' });
  });

  it.skipIf(skip)('passkeys: a passkey registered on the passkeys page', async () => {
    const { user } = await signInUser(svc);
    const party = passkeyParty(svc.config.issuer);
    if (!party) throw new Error('the issuer has no passkey party');
    const browser = new Browser(svc.app);
    const p = pkce();
    const signIn = await browser.get(`/auth/authorize?${authorizeQuery(device, p)}`);
    await browser.post('/auth/authorize', {
      ...hiddenInputs(signIn.body),
      username: user.email,
      password: PASSWORD,
    });
    const jwk = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
    const b64 = (x: string | undefined) => Buffer.from(x ?? '', 'base64url');
    const cose = Buffer.concat([
      Buffer.from([0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21, 0x58, 0x20]),
      b64(jwk.x),
      Buffer.from([0x22, 0x58, 0x20]),
      b64(jwk.y),
    ]);
    const credential = crypto.randomBytes(16);
    /** The page's form and a `none` attestation (WebAuthn §8.7) of a new credential for its challenge. */
    const register = async () => {
      const page = await browser.get('/auth/passkeys');
      const challenge = page.body.match(/data-challenge="([^"]+)"/)?.[1];
      if (!challenge) throw new Error('the passkeys page has no challenge');
      const clientData = Buffer.from(
        JSON.stringify({ type: 'webauthn.create', challenge, origin: party.origin, crossOrigin: false }),
      );
      const length = Buffer.alloc(2);
      length.writeUInt16BE(credential.length);
      const authData = Buffer.concat([
        crypto.createHash('sha256').update(party.rpId).digest(),
        Buffer.from([0x45, 0, 0, 0, 0]),
        Buffer.alloc(16),
        length,
        credential,
        cose,
      ]);
      const text = (t: string) => Buffer.concat([Buffer.from([0x60 + t.length]), Buffer.from(t)]);
      const attestation = Buffer.concat([
        Buffer.from([0xa3]),
        text('fmt'),
        text('none'),
        text('attStmt'),
        Buffer.from([0xa0]),
        text('authData'),
        Buffer.from([0x58, authData.length]),
        authData,
      ]);
      const id = credential.toString('base64url');
      const response = {
        id,
        rawId: id,
        type: 'public-key',
        response: {
          clientDataJSON: clientData.toString('base64url'),
          attestationObject: attestation.toString('base64url'),
          transports: ['usb'],
        },
        clientExtensionResults: {},
      };
      return () =>
        browser.post('/auth/passkeys', {
          ...hiddenInputs(page.body),
          name: 'Security key',
          credential: JSON.stringify(response),
        });
    };
    expect503(await faulty(await register()));
    expect(await svc.storage.passkeys.listForUser(user.id)).toEqual([]);
    const ok = await (await register())();
    expect(ok.statusCode, ok.body).toBe(200);
    expect(await svc.storage.passkeys.listForUser(user.id)).toHaveLength(1);
    await expectCommitted('passkey.registered', `user:${user.id}`);
  });

  it.skipIf(skip)('passkeys: a sign-in with a passkey, and a cloned authenticator refused', async () => {
    const { user } = await signInUser(svc);
    const party = passkeyParty(svc.config.issuer);
    if (!party) throw new Error('the issuer has no passkey party');
    const key = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = key.publicKey.export({ format: 'jwk' });
    const b64 = (x: string | undefined) => Buffer.from(x ?? '', 'base64url');
    // The COSE_Key of an ES256 public key (RFC 9053 §7.1.1): {1: 2, 3: -7, -1: 1, -2: x, -3: y}.
    const cose = Buffer.concat([
      Buffer.from([0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21, 0x58, 0x20]),
      b64(jwk.x),
      Buffer.from([0x22, 0x58, 0x20]),
      b64(jwk.y),
    ]);
    const credentialId = crypto.randomBytes(16).toString('base64url');
    const passkey = {
      id: crypto.randomUUID(),
      userId: user.id,
      tenantId: user.tenantId,
      credentialId,
      publicKey: cose,
      counter: 5,
      name: 'Key',
      transports: [],
      backupEligible: false,
      backedUp: false,
      createdAt: svc.clock.now(),
      lastUsedAt: null,
    };
    expect(await svc.storage.passkeys.create(passkey)).toBe(true);
    /** The authorize page's form, and an assertion of its challenge by the authenticator at `counter`. */
    const signIn = async (counter: number) => {
      const browser = new Browser(svc.app);
      const page = await browser.get(`/auth/authorize?${authorizeQuery(device, pkce())}`);
      const challenge = page.body.match(/data-challenge="([^"]+)"/)?.[1];
      if (!challenge) throw new Error('the sign-in page offers no passkey');
      const clientData = Buffer.from(
        JSON.stringify({ type: 'webauthn.get', challenge, origin: party.origin, crossOrigin: false }),
      );
      const count = Buffer.alloc(4);
      count.writeUInt32BE(counter);
      const rpIdHash = crypto.createHash('sha256').update(party.rpId).digest();
      const authData = Buffer.concat([rpIdHash, Buffer.from([0x05]), count]);
      const signed = Buffer.concat([authData, crypto.createHash('sha256').update(clientData).digest()]);
      const assertion = {
        id: credentialId,
        rawId: credentialId,
        type: 'public-key',
        response: {
          clientDataJSON: clientData.toString('base64url'),
          authenticatorData: authData.toString('base64url'),
          signature: crypto.sign('sha256', signed, key.privateKey).toString('base64url'),
          userHandle: Buffer.from(user.id).toString('base64url'),
        },
        clientExtensionResults: {},
      };
      return () =>
        browser.post('/auth/authorize', { ...hiddenInputs(page.body), passkey: JSON.stringify(assertion) });
    };
    const counter = async () => (await svc.storage.passkeys.listForUser(user.id))[0]?.counter;

    expect503(await faulty(await signIn(6)));
    expect(await counter()).toBe(5);
    expect(await stored('passkey.used', `user:${user.id}`)).toEqual([]);
    const used = await (await signIn(6))();
    expect(used.statusCode, used.body).toBe(302);
    expect(await counter()).toBe(6);
    const [event] = await stored('passkey.used', `user:${user.id}`);
    expect(event?.delivery).toMatchObject({ eventType: 'passkey.used' });

    // A copy of the authenticator, its counter behind: refused, and the refusal stored before the answer.
    expect503(await faulty(await signIn(6)));
    expect(await stored('passkey.refused', `user:${user.id}`)).toEqual([]);
    const cloned = await (await signIn(6))();
    expect(cloned.statusCode).not.toBe(302);
    const [refused] = await stored('passkey.refused', `user:${user.id}`);
    expect(refused?.event.details).toMatchObject({ passkeyId: passkey.id, reason: 'counter_went_back' });
    expect(refused?.delivery).toMatchObject({ eventType: 'passkey.refused' });
    expect(await counter()).toBe(6);
  });

  it.skipIf(skip)('signing keys: an automatic rotation and its event', async () => {
    const failing = {
      ...svc.storage.auditEvents,
      append: async () => {
        throw new StorageUnavailableError('connection refused (audit_events)', 7);
      },
    };
    const reload = (store: Storage['auditEvents']) =>
      keyReload({
        storage: svc.storage,
        kek: svc.kek,
        alg: 'ES256',
        timing: DEFAULT_KEY_TIMING,
        // Due at once: the newest key is older than a day from now on.
        rotationDays: 1,
        clock: () => new Date(Date.now() + 3 * 86_400_000),
        log: { info: () => undefined },
        audit: createAudit({ store, atomically: svc.storage.atomically }),
      });
    const before = (await svc.storage.signingKeys.list()).length;
    await expect(reload(failing)()).rejects.toThrow(StorageUnavailableError);
    expect(await svc.storage.signingKeys.list()).toHaveLength(before);

    await reload(svc.storage.auditEvents)();
    const keys = await svc.storage.signingKeys.list();
    expect(keys).toHaveLength(before + 1);
    await expectCommitted('signing_key.rotated', `signing_key:${keys[0]?.kid}`);
  });
  it.skipIf(skip)('signing keys: a rotation through the admin service (API, CLI) and its event', async () => {
    const admin = (store: Storage['auditEvents']) =>
      audited(
        createAdminService(svc.storage, svc.hasher, () => svc.clock.now(), {
          signing: signingKeyAdminOptions(svc.config, svc.kek),
        }),
        createAudit({ store, atomically: svc.storage.atomically }),
        'cli',
      );
    const failing = {
      ...svc.storage.auditEvents,
      append: async () => {
        throw new StorageUnavailableError('connection refused (audit_events)', 7);
      },
    };
    const before = (await svc.storage.signingKeys.list()).length;
    await expect(admin(failing).rotateSigningKey()).rejects.toThrow(StorageUnavailableError);
    expect(await svc.storage.signingKeys.list()).toHaveLength(before);
    const made = await admin(svc.storage.auditEvents).rotateSigningKey();
    expect(await svc.storage.signingKeys.list()).toHaveLength(before + 1);
    await expectCommitted('signing_key.rotated', `signing_key:${made.kid}`);
  });

  // Last: once an identity provider exists, the sign-in page asks for the e-mail address first.
  it.skipIf(skip)('federation: a user created just in time, and the sign-in', async () => {
    const fake = await startFakeIdp({ clientId: 'cxauth-client' });
    try {
      const domain = `${crypto.randomBytes(4).toString('hex')}.test`;
      // A tenant of its own: the fixture tenant's sign-in page stays as the other tests know it.
      const tenant = await svc.addTenant();
      const idp = await adminOf(svc).createIdentityProvider(tenant.id, {
        kind: 'oidc',
        name: 'Upstream',
        domains: [domain],
        oidc: { issuer: fake.issuer, client_id: 'cxauth-client', client_secret: 'upstream-secret' },
      });
      const email = `jit-${crypto.randomUUID()}@${domain}`;
      fake.account = { sub: `sub-${crypto.randomUUID()}`, email, email_verified: true };
      // The upstream signs with the wall clock; the service's checks follow it.
      svc.clock.current = new Date();
      const callback = async () => {
        const browser = new Browser(svc.app);
        const res = await browser.get(
          `/auth/authorize?${authorizeQuery(device, pkce(), { idp_hint: idp.id })}`,
        );
        expect(res.statusCode, res.body).toBe(302);
        const upstream = await fetch(String(res.headers.location), { redirect: 'manual' });
        const back = new URL(String(upstream.headers.get('location')));
        return () => browser.get(`${back.pathname}${back.search}`);
      };
      expect503(await faulty(await callback()));
      expect(await svc.storage.signIn.usersByEmail(email)).toEqual([]);

      const ok = await (await callback())();
      expect(ok.statusCode, ok.body).toBe(302);
      const [user] = await svc.storage.signIn.usersByEmail(email);
      if (!user) throw new Error('no user created');
      const [created] = await stored('user.created', `user:${user.id}`);
      expect(created?.event.details).toMatchObject({ idp: idp.id, just_in_time: true });
      // The person who signed in created the account: the actor, as on every other page.
      expect(created?.event.actor).toBe(`user:${user.id}`);
      expect(created?.delivery).toMatchObject({ eventType: 'user.created' });
      await expectCommitted('federation.signed_in', `user:${user.id}`);
      const [signedIn] = await stored('federation.signed_in', `user:${user.id}`);
      expect(signedIn?.event.actor).toBe(`user:${user.id}`);
    } finally {
      await fake.close();
    }
  });
});

describe('a committed SCIM create reaches a Standard Webhooks receiver', () => {
  let svc: TestService;
  let receiver: Receiver;
  beforeAll(async () => {
    svc = await startTestService({ webhooks: false });
    receiver = await Receiver.start();
  });
  afterAll(async () => {
    await receiver?.close();
    await svc?.close();
  });

  it('as user.created, signed, with the SCIM user as its subject', async () => {
    const to = await scimTenant(svc);
    const audit = createAudit({ store: svc.storage.auditEvents, atomically: svc.storage.atomically });
    const { secret } = await createWebhookAdmin({
      storage: svc.storage,
      kek: svc.kek,
      clock: svc.clock.now,
      audit,
      allowPrivate: true,
    }).create(to.tenant.id, { url: receiver.url, eventTypes: ['user.created'] }, { actor: 'cli' });
    const res = await scim(svc.app, to, {
      method: 'POST',
      path: '/Users',
      body: { schemas: [USER_SCHEMA], userName: `hooked-${crypto.randomUUID()}@example.com` },
    });
    expect(res.statusCode).toBe(201);
    const id = (res.json() as { id: string }).id;
    // No flush: the answered create has its delivery stored already.
    const worker = createWebhookWorker({
      storage: svc.storage,
      kek: svc.kek,
      config: { ...WEBHOOK_DEFAULTS, allowPrivate: true, timeoutMs: 2000 },
      clock: svc.clock.now,
      audit,
    });
    expect(await worker.runOnce()).toBe(1);
    const [got] = receiver.verified(secret);
    expect(got?.payload).toMatchObject({
      type: 'user.created',
      data: { subject: `user:${id}`, tenantId: to.tenant.id, actor: `scim_token:${to.tokenId}` },
    });
  });
});
