// Audit events (docs/operations.md "Audit events"): one for each kind of refusal, throttling, refresh
// reuse and admin change, stored and logged as one JSON line each, and never a secret in either.
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdmin } from '../src/admin/service/admin.js';
import { basic, tokenRequest } from './support/http.js';
import { startTestService, type TestService } from './support/service.js';

describe('audit events', () => {
  let svc: TestService;
  const lines: string[] = [];
  beforeAll(async () => {
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
    svc = await startTestService({ logger: { stream } });
  });
  afterAll(async () => svc?.close());

  it('records refusals, throttling, refresh reuse and admin changes, with no secret anywhere', async () => {
    const { fixture } = svc;
    const auth = { authorization: basic(fixture.clientId, fixture.clientSecret) };
    const secrets: string[] = [
      fixture.clientSecret,
      fixture.accessKeySecret,
      'wrong-client-secret-1',
      'wrong-key-secret-2',
    ];
    // A wrong client secret, then wrong access-key secrets until the key is throttled.
    const badClient = { authorization: basic(fixture.clientId, 'wrong-client-secret-1') };
    expect(
      (await tokenRequest(svc.app, { grant_type: 'password', username: 'a', password: 'b' }, badClient))
        .statusCode,
    ).toBe(401);
    // Five wrong secrets of the key from this address: that pair is delayed (the client's one wrong
    // secret counts only against the client).
    for (let i = 0; i < 5; i++) {
      const res = await tokenRequest(
        svc.app,
        { grant_type: 'password', username: fixture.accessKeyId, password: 'wrong-key-secret-2' },
        auth,
      );
      expect(res.statusCode).toBe(400);
    }
    svc.clock.advance(3600 * 2);
    // A refresh token presented twice: the second is a reuse.
    const login = await tokenRequest(
      svc.app,
      { grant_type: 'password', username: fixture.accessKeyId, password: fixture.accessKeySecret },
      auth,
    );
    const { refresh_token: refreshToken, access_token: accessToken } = login.json();
    secrets.push(refreshToken, accessToken);
    const first = await tokenRequest(
      svc.app,
      { grant_type: 'refresh_token', refresh_token: refreshToken },
      auth,
    );
    expect(first.statusCode).toBe(200);
    secrets.push(first.json().refresh_token);
    const replay = await tokenRequest(
      svc.app,
      { grant_type: 'refresh_token', refresh_token: refreshToken },
      auth,
    );
    expect(replay.statusCode).toBe(400);
    // Admin changes.
    const admin = createAdmin(svc.storage, svc.hasher, svc.clock.now);
    const tenant = await admin.createTenant({ name: 'Audited', area: fixture.area.name });
    const user = await admin.createUser({ tenantId: tenant.id, email: 'a@example.com' });
    const app = await admin.createApplication({ name: 'Audited app' });
    const key = await admin.createAccessKey({ userId: user.id });
    await admin.setAccessKeyStatus(key.accessKeyId, 'inactive');
    await admin.setTenantStatus(tenant.id, 'inactive');
    secrets.push(app.client_secret, key.accessKeySecret);

    await svc.app.close(); // stores what is pending
    const events = await svc.storage.auditEvents.list({ limit: 1000 });
    const types = new Set(events.map((e) => e.type));
    for (const type of [
      'client.authentication_failed',
      'grant.refused',
      'throttle.engaged',
      'refresh_token.reused',
      'tenant.created',
      'tenant.changed',
      'user.created',
      'application.created',
      'access_key.created',
      'access_key.changed',
    ]) {
      expect(types, type).toContain(type);
    }
    const reuse = events.find((e) => e.type === 'refresh_token.reused');
    expect(reuse?.subject).toMatch(/^session:/);
    expect(events.find((e) => e.type === 'access_key.created')?.subject).toBe(
      `access_key:${key.accessKeyId}`,
    );
    const throttled = events.find((e) => e.type === 'throttle.engaged');
    expect(throttled?.details['retryAfterSeconds']).toBe(1);
    // The counter is named by the key it belongs to (the access key id and the address), no secret.
    expect(throttled?.address).toBe('127.0.0.1');
    expect(throttled?.details['delayed']).toBe('access_key/pair');
    expect(throttled?.details['counters']).toBe(`access_key=${fixture.accessKeyId}@127.0.0.1`);

    // One JSON line per event in the log, each carrying the stored event.
    const logged = lines.map((l) => JSON.parse(l)).filter((l) => l.audit);
    const loggedIds = new Set(logged.map((l) => l.audit.id));
    // The service logs what it records; the admin service here (as in the CLI) only stores.
    const served = events.filter((e) => e.actor !== 'cli');
    expect(served.length).toBeGreaterThanOrEqual(4);
    for (const event of served) expect(loggedIds.has(event.id), event.type).toBe(true);
    // No secret, token or hash in any stored row or any log line.
    const stored = JSON.stringify(events);
    const hashes = [fixture.app.secretHash, fixture.key.secretHash].flatMap((h) =>
      h === null ? [] : [h.toString('hex'), h.toString('base64')],
    );
    for (const secret of [...secrets, ...hashes]) {
      expect(stored.includes(secret), 'stored events').toBe(false);
      expect(
        lines.some((l) => l.includes(secret)),
        'log lines',
      ).toBe(false);
    }
  });
});
