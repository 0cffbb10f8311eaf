// Userinfo refuses at once a token whose session, application, access key, user or tenant has ended,
// on SQLite and PostgreSQL, and refuses an application-subject token (there is no user to describe).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JwsSigner } from '../src/keys/signer.js';
import { adminResource } from '../src/protocol/resource.js';
import { TokenIssuer } from '../src/tokens/issuer.js';
import { basic, tokenRequest } from './support/http.js';
import { startTestService, type TestService } from './support/service.js';
import { pgUnavailable } from './support/storage-db.js';

const pgReason = await pgUnavailable();
if (pgReason) console.log(`userinfo on PostgreSQL skipped: ${pgReason}`);

interface Grant {
  access_token: string;
  refresh_token: string;
  id_token?: string;
}

describe.each([
  ['SQLite', 'sqlite' as const, false],
  ['PostgreSQL', 'postgres' as const, pgReason !== undefined],
])('userinfo after deactivation or revocation (%s)', (_label, dialect, skip) => {
  let svc: TestService;
  beforeAll(async () => {
    if (!skip) svc = await startTestService({ dialect });
  });
  afterAll(async () => svc?.close());

  /** A fresh user with its own key, signed in through its own application, and that grant. */
  async function signIn() {
    const user = await svc.addUser(svc.fixture.tenant);
    const key = await svc.addAccessKey(user);
    const client = await svc.addApplication();
    const res = await tokenRequest(
      svc.app,
      { grant_type: 'password', username: key.id, password: key.secret, scope: 'openid' },
      { authorization: basic(client.clientId, client.clientSecret) },
    );
    expect(res.statusCode).toBe(200);
    return { user, key, client, grant: res.json() as Grant };
  }

  const userinfo = (token: string) =>
    svc.app.inject({ url: '/auth/userinfo', headers: { authorization: `Bearer ${token}` } });

  async function expectRefused(token: string) {
    const res = await userinfo(token);
    expect(res.statusCode).toBe(401);
    expect(res.json().error).toBe('invalid_token');
    expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="cxauth", error="invalid_token"/);
  }

  const sidOf = (jwt: string) =>
    JSON.parse(Buffer.from(jwt.split('.')[1] as string, 'base64url').toString())['sid'] as string;

  it.skipIf(skip)('refuses a token whose session was revoked', async () => {
    const { grant } = await signIn();
    expect((await userinfo(grant.access_token)).statusCode).toBe(200);
    await svc.storage.sessions.revoke(sidOf(grant.access_token), 'logged out', svc.clock.now());
    await expectRefused(grant.access_token);
  });

  it.skipIf(skip)('refuses every token of a session ended by refresh-token reuse', async () => {
    const { grant, client } = await signIn();
    const auth = { authorization: basic(client.clientId, client.clientSecret) };
    const refresh = (token: string) =>
      tokenRequest(svc.app, { grant_type: 'refresh_token', refresh_token: token }, auth);
    const second = await refresh(grant.refresh_token);
    expect(second.statusCode).toBe(200);
    const renewed = second.json() as Grant;
    expect((await userinfo(renewed.access_token)).statusCode).toBe(200);
    expect((await refresh(grant.refresh_token)).statusCode).toBe(400);
    await expectRefused(renewed.access_token);
    await expectRefused(grant.access_token);
  });

  it.skipIf(skip)('refuses a token of a deactivated access key', async () => {
    const { grant, key } = await signIn();
    expect((await userinfo(grant.access_token)).statusCode).toBe(200);
    // The key alone, without revoking its sessions: its status is checked on every call.
    await svc.storage.accessKeys.setStatus(key.id, 'inactive', svc.clock.now());
    await expectRefused(grant.access_token);
  });

  it.skipIf(skip)('refuses a token of a deactivated application', async () => {
    const { grant, client } = await signIn();
    expect((await userinfo(grant.access_token)).statusCode).toBe(200);
    await svc.storage.applications.setStatus(client.clientId, 'inactive', svc.clock.now());
    await expectRefused(grant.access_token);
  });

  it.skipIf(skip)('refuses a token of a deactivated user', async () => {
    const { grant, user } = await signIn();
    expect((await userinfo(grant.access_token)).statusCode).toBe(200);
    await svc.storage.users.setStatus(user.id, 'inactive', svc.clock.now());
    await expectRefused(grant.access_token);
  });

  it.skipIf(skip)('refuses a token of a user of a deactivated tenant', async () => {
    const tenant = await svc.addTenant();
    const user = await svc.addUser(tenant);
    const key = await svc.addAccessKey(user);
    const res = await tokenRequest(
      svc.app,
      { grant_type: 'password', username: key.id, password: key.secret, scope: 'openid' },
      { authorization: basic(svc.fixture.clientId, svc.fixture.clientSecret) },
    );
    const token = res.json().access_token as string;
    expect((await userinfo(token)).statusCode).toBe(200);
    await svc.storage.tenants.setStatus(tenant.id, 'inactive', svc.clock.now());
    await expectRefused(token);
  });

  it.skipIf(skip)('refuses an application-subject token: there is no user', async () => {
    const issuer = new TokenIssuer({
      signer: new JwsSigner(svc.keys.active),
      issuer: svc.config.issuer,
      resources: { shared: svc.config.tokens.audience, admin: adminResource(svc.config.issuer) },
      accessTokenTtl: 3600,
    });
    const { access_token } = await issuer.issue({
      clientId: svc.fixture.clientId,
      subject: { kind: 'app', application: svc.fixture.app, tenant: svc.fixture.tenant },
      scope: 'openid',
      now: svc.clock.now(),
    });
    await expectRefused(access_token);
  });
});
