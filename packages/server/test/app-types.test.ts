// Application types (SQLite and PostgreSQL): existing rows migrate to `backend`, registration checks
// what each type may be allowed, updates change the lists and grow the revision, and the token
// endpoint refuses a type the grants it may not use, whatever its row says.

import Sqlite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdmin } from '../src/admin/service/admin.js';
import { APP_TYPE_RULES, isGrantName } from '../src/domain/app-types.js';
import { GRANT_TYPES, GRANTS } from '../src/grants/index.js';
import { AdminError } from '../src/protocol/errors.js';
import { initial } from '../src/storage/kysely/migrations/0001_initial.js';
import { revision } from '../src/storage/kysely/migrations/0002_revision.js';
import type { AnyDb } from '../src/storage/kysely/migrations/any-db.js';
import { openStorage, sqlitePath } from '../src/storage/open.js';
import { basic, form, tokenRequest } from './support/http.js';
import { startTestService, type TestService } from './support/service.js';
import { pgUnavailable, tempPostgres, tempSqlite } from './support/storage-db.js';

const pgSkip = await pgUnavailable();
const dialects = pgSkip ? (['sqlite'] as const) : (['sqlite', 'postgres'] as const);

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    if (err instanceof AdminError) return err.code;
    throw err;
  }
}

describe('the one table of application types', () => {
  it('lets some type of application use every grant of the table, and names nothing else', () => {
    for (const g of GRANT_TYPES) expect(isGrantName(g), g).toBe(true);
    const allowed = new Set(Object.values(APP_TYPE_RULES).flatMap((r) => r.grants));
    expect([...allowed].sort()).toEqual([...GRANT_TYPES].sort());
    expect(isGrantName('implicit')).toBe(false);
  });
  it('keys each grant module by its own grant_type', () => {
    for (const [name, grant] of Object.entries(GRANTS)) expect(grant.grantType).toBe(name);
  });
  it('gives only backends password and client_credentials, and a secret to all but public apps', () => {
    expect(APP_TYPE_RULES.public.grants).not.toContain('password');
    expect(APP_TYPE_RULES.confidential.grants).not.toContain('password');
    expect(APP_TYPE_RULES.confidential.grants).not.toContain('client_credentials');
    expect(APP_TYPE_RULES.backend.grants).toContain('client_credentials');
    expect(APP_TYPE_RULES.public.hasSecret).toBe(false);
    expect(APP_TYPE_RULES.backend.hasSecret).toBe(true);
  });
});

describe.each(dialects)('migration 0003 (%s)', (dialect) => {
  it('makes existing applications backend, single when bound to a tenant', async () => {
    const db = dialect === 'postgres' ? await tempPostgres() : tempSqlite();
    const kysely: AnyDb =
      dialect === 'postgres'
        ? new Kysely({ dialect: new PostgresDialect({ pool: new Pool({ connectionString: db.url }) }) })
        : new Kysely({ dialect: new SqliteDialect({ database: new Sqlite(sqlitePath(db.url)) }) });
    const migrator = new Migrator({
      db: kysely,
      provider: {
        getMigrations: async () => ({ '0001_initial': initial(dialect), '0002_revision': revision() }),
      },
    });
    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    const t = { created_at: 1, updated_at: 1 };
    await kysely
      .insertInto('areas')
      .values({
        name: 'na1',
        domain: 'd',
        acd_domain: 'd',
        uh_domain: 'd',
        ui_endpoint: 'u',
        auth_endpoint: 'a',
        api_endpoint: 'p',
        created_at: 1,
      })
      .execute();
    await kysely
      .insertInto('tenants')
      .values({
        id: 't1',
        name: 'acme',
        area: 'na1',
        cluster: 'B32',
        business_unit_id: 1,
        cluster_id: 'DO31',
        is_private: 0,
        status: 'active',
        ...t,
      })
      .execute();
    const app = (id: string, tenant: string | null) => ({
      client_id: id,
      secret_hash: Buffer.alloc(32, 1),
      name: id,
      origins: '[]',
      grant_types: '["password","refresh_token"]',
      redirect_uris: '[]',
      tenant_id: tenant,
      status: 'active',
      ...t,
    });
    await kysely
      .insertInto('applications')
      .values([app('all', null), app('one', 't1')])
      .execute();
    await kysely.destroy();

    const storage = await openStorage(db.url);
    try {
      await storage.migrate();
      const all = await storage.applications.get('all');
      const one = await storage.applications.get('one');
      expect(all).toMatchObject({
        type: 'backend',
        tenancy: 'all',
        tenantId: null,
        postLogoutRedirectUris: [],
      });
      expect(one).toMatchObject({ type: 'backend', tenancy: 'single', tenantId: 't1' });
      expect(all?.scopes).toEqual(['openid', 'profile', 'email', 'offline_access']);
      expect(all?.grantTypes).toEqual(['password', 'refresh_token']);
    } finally {
      await storage.close();
      await db.drop();
    }
  });
});

describe.each(dialects)('registration and update (%s)', (dialect) => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService({ dialect });
  });
  afterAll(async () => svc?.close());
  const admin = () => createAdmin(svc.storage, svc.hasher);

  it('gives a public application no secret, and the others one', async () => {
    const pub = await admin().createApplication({
      name: 'spa',
      type: 'public',
      redirectUris: ['https://spa.example/cb', 'http://127.0.0.1:4000/cb', 'com.example.app:/cb'],
    });
    expect(pub).not.toHaveProperty('client_secret');
    expect(pub).toMatchObject({
      type: 'public',
      tenancy: 'all',
      grant_types: ['authorization_code', 'refresh_token'],
    });
    expect((await svc.storage.applications.get(pub.client_id))?.secretHash).toBeNull();
    const conf = await admin().createApplication({ name: 'web', type: 'confidential' });
    expect(conf.client_secret).toMatch(/./);
    const backend = await admin().createApplication({
      name: 'b',
      tenantId: svc.fixture.tenant.id,
      grantTypes: ['client_credentials'],
    });
    expect(backend).toMatchObject({
      type: 'backend',
      tenancy: 'single',
      grant_types: ['client_credentials'],
    });
  });

  it('refuses each type the grants it may not use, and client_credentials without a tenant', async () => {
    expect(
      await code(admin().createApplication({ name: 'x', type: 'public', grantTypes: ['password'] })),
    ).toBe('invalid_value');
    expect(
      await code(
        admin().createApplication({ name: 'x', type: 'public', grantTypes: ['client_credentials'] }),
      ),
    ).toBe('invalid_value');
    expect(
      await code(admin().createApplication({ name: 'x', type: 'confidential', grantTypes: ['password'] })),
    ).toBe('invalid_value');
    expect(
      await code(
        admin().createApplication({ name: 'x', type: 'backend', grantTypes: ['authorization_code'] }),
      ),
    ).toBe('invalid_value');
    expect(await code(admin().createApplication({ name: 'x', grantTypes: ['client_credentials'] }))).toBe(
      'invalid_value',
    );
    expect(await code(admin().createApplication({ name: 'x', type: 'robot' }))).toBe('invalid_value');
    expect(await code(admin().createApplication({ name: 'x', scopes: ['superuser'] }))).toBe('invalid_value');
  });

  it('accepts only redirect URIs that cannot be hijacked', async () => {
    const bad = (uri: string, type = 'confidential') =>
      code(admin().createApplication({ name: 'x', type, redirectUris: [uri] }));
    expect(await bad('/relative')).toBe('invalid_value');
    expect(await bad('https://a.example/cb#frag')).toBe('invalid_value');
    expect(await bad('http://a.example/cb')).toBe('invalid_value');
    expect(await bad('com.example.app:/cb')).toBe('invalid_value');
    expect(await bad('myapp:/cb', 'public')).toBe('invalid_value');
    expect(await bad('javascript:alert(1)', 'public')).toBe('invalid_value');
    expect(await bad('https://user:pw@a.example/cb')).toBe('invalid_value');
    expect(
      await code(admin().createApplication({ name: 'x', postLogoutRedirectUris: ['http://evil.example/'] })),
    ).toBe('invalid_value');
    expect(await bad('http://localhost:8080/cb')).toBe('ok');
  });

  it('updates the lists (not the type) and grows the revision', async () => {
    const app = await admin().createApplication({
      name: 'web',
      type: 'confidential',
      origins: ['https://a.example'],
    });
    const before = await svc.storage.revision();
    const updated = await admin().updateApplication(app.client_id, {
      origins: ['https://b.example'],
      redirectUris: ['https://b.example/cb'],
      postLogoutRedirectUris: ['https://b.example/bye'],
      grantTypes: ['authorization_code', 'urn:ietf:params:oauth:grant-type:token-exchange'],
      scopes: ['openid', 'admin'],
      firstParty: true,
    });
    expect(updated).toMatchObject({
      type: 'confidential',
      origins: ['https://b.example'],
      redirect_uris: ['https://b.example/cb'],
      post_logout_redirect_uris: ['https://b.example/bye'],
      grant_types: ['authorization_code', 'urn:ietf:params:oauth:grant-type:token-exchange'],
      scopes: ['openid', 'admin'],
    });
    expect(await svc.storage.revision()).toBeGreaterThan(before);
    expect(await code(admin().updateApplication(app.client_id, { grantTypes: ['password'] }))).toBe(
      'invalid_value',
    );
    expect(await code(admin().updateApplication('nope', { name: 'n' }))).toBe('not_found');
    const kept = await admin().updateApplication(app.client_id, { name: 'renamed' });
    expect(kept).toMatchObject({
      name: 'renamed',
      origins: ['https://b.example'],
      scopes: ['openid', 'admin'],
    });
  });
});

describe.each(dialects)('the token endpoint per application type (%s)', (dialect) => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService({ dialect });
  });
  afterAll(async () => svc?.close());
  const passwordGrant = () => ({
    grant_type: 'password',
    username: svc.fixture.accessKeyId,
    password: svc.fixture.accessKeySecret,
  });

  it('refuses password to a confidential application even when its row lists it', async () => {
    const { clientId, clientSecret } = await svc.addApplication({
      type: 'confidential',
      grantTypes: ['password'],
    });
    const res = await tokenRequest(svc.app, passwordGrant(), {
      authorization: basic(clientId, clientSecret),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('unauthorized_client');
  });

  it('authenticates a public application by client_id alone (none) and refuses it password', async () => {
    const { clientId } = await svc.addApplication({
      type: 'public',
      secretHash: null,
      grantTypes: ['authorization_code', 'refresh_token'],
    });
    const res = await tokenRequest(svc.app, { ...passwordGrant(), client_id: clientId });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('unauthorized_client');
    // A secret for an application that has none fails like a wrong one.
    const withSecret = await tokenRequest(svc.app, {
      ...passwordGrant(),
      client_id: clientId,
      client_secret: 'x',
    });
    expect(withSecret.statusCode).toBe(401);
    expect(withSecret.json().error).toBe('invalid_client');
  });

  it('refuses client_id alone for an application that has a secret', async () => {
    const res = await tokenRequest(svc.app, { ...passwordGrant(), client_id: svc.fixture.clientId });
    expect(res.statusCode).toBe(401);
    expect(res.json().error).toBe('invalid_client');
  });

  it('grants a scope only to applications registered with it (admin, offline_access)', async () => {
    const auth = { authorization: basic(svc.fixture.clientId, svc.fixture.clientSecret) };
    const offline = await tokenRequest(svc.app, { ...passwordGrant(), scope: 'openid offline_access' }, auth);
    expect(offline.statusCode).toBe(200);
    expect(offline.json()).toMatchObject({
      scope: 'openid offline_access',
      refresh_token: expect.any(String),
    });
    const denied = await tokenRequest(svc.app, { ...passwordGrant(), scope: 'openid admin' }, auth);
    expect(denied.json().error).toBe('invalid_scope');
    const { clientId, clientSecret } = await svc.addApplication({
      scopes: ['openid', 'admin'],
      firstParty: true,
    });
    const ok = await tokenRequest(svc.app, form({ ...passwordGrant(), scope: 'admin' }), {
      authorization: basic(clientId, clientSecret),
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().scope).toBe('admin');
  });
});
