// Bulk import of users on SQLite and PostgreSQL (docs/people.md, "Bulk import"): each imported hash
// format signs in with its old password on the hosted page and is then stored in the service's own
// format; a wrong password is refused; a dry run writes nothing; a second import creates nothing;
// absurd cost parameters and malformed rows are reported per row; another tenant's Administrator, a
// plain user and a malformed request are refused; one audit event per import, never a hash.
import crypto from 'node:crypto';
import { PassThrough } from 'node:stream';
import { hash as argon2Hash } from '@node-rs/argon2';
import { hash as bcryptHash } from '@node-rs/bcrypt';
import Sqlite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../src/domain/types.js';
import { hashPassword, verifyPassword } from '../src/secrets/passwords.js';
import { sqlitePath } from '../src/storage/open.js';
import { type Actor, ADMIN_APP, actor, call, role } from './support/admin.js';
import { startTestService, type TestService } from './support/service.js';
import { authorizeQuery, Browser, hiddenInputs, pkce, publicApp, REDIRECT } from './support/sign-in.js';
import { pgUnavailable } from './support/storage-db.js';
import { user as newUser } from './support/storage-factories.js';

const pgSkip = await pgUnavailable();
if (pgSkip) console.log(`user import on PostgreSQL not run: ${pgSkip}`);
const dialects = pgSkip ? (['sqlite'] as const) : (['sqlite', 'postgres'] as const);

const OLD = 'the old system password';

/** passlib's adapted base64: standard base64 with `.` for `+`, no padding. */
const ab64 = (b: Buffer) => b.toString('base64').replace(/=+$/, '').replace(/\+/g, '.');
const pbkdf2 = (password: string, salt: Buffer, iterations: number) =>
  crypto.pbkdf2Sync(password, salt, iterations, 32, 'sha256');

/** One hash of {@link OLD} in each accepted format, as the systems that write them do. */
async function hashes(): Promise<Record<string, string>> {
  const salt = crypto.randomBytes(16);
  const djangoSalt = crypto.randomBytes(12).toString('base64url');
  const bcrypt2b = await bcryptHash(OLD, { cost: 5 });
  return {
    bcrypt2a: await bcryptHash(OLD, { cost: 5, version: '2a' }),
    bcrypt2b,
    bcrypt2y: bcrypt2b.replace(/^\$2b\$/, '$2y$'),
    scrypt: await hashPassword(OLD, { ln: 12, r: 8, p: 1 }),
    argon2id: await argon2Hash(OLD, { memoryCost: 4096, timeCost: 2, parallelism: 1 }),
    passlib: `$pbkdf2-sha256$29000$${ab64(salt)}$${ab64(pbkdf2(OLD, salt, 29000))}`,
    phcPbkdf2: `$pbkdf2-sha256$i=10000$${salt.toString('base64').replace(/=+$/, '')}$${pbkdf2(
      OLD,
      salt,
      10000,
    )
      .toString('base64')
      .replace(/=+$/, '')}`,
    django: `pbkdf2_sha256$20000$${djangoSalt}$${pbkdf2(OLD, Buffer.from(djangoSalt), 20000).toString('base64')}`,
  };
}

/** Signs `email` in on the hosted page: true when the answer is the redirect with a code. */
async function signsIn(svc: TestService, app: Application, email: string, password: string) {
  const browser = new Browser(svc.app);
  const page = await browser.get(`/auth/authorize?${authorizeQuery(app, pkce())}`);
  const res = await browser.post('/auth/authorize', {
    ...hiddenInputs(page.body),
    username: email,
    password,
  });
  const location = String(res.headers.location ?? '');
  return res.statusCode === 302 && location.startsWith(REDIRECT) && location.includes('code=');
}

describe.each(dialects)('user import (%s)', (dialect) => {
  let svc: TestService;
  let admin: Actor;
  let otherAdmin: Actor;
  let operator: Actor;
  let agent: Actor;
  let app: Application;
  beforeAll(async () => {
    svc = await startTestService({ dialect, application: ADMIN_APP });
    admin = await actor(svc, svc.fixture.tenant);
    otherAdmin = await actor(svc, await svc.addTenant());
    operator = await actor(svc, await svc.addTenant(), { operator: true, role: role('Agent') });
    agent = await actor(svc, svc.fixture.tenant, { role: role('Agent') }, 'openid');
    app = await publicApp(svc);
  });
  afterAll(async () => svc?.close());

  const importAs = (who: Actor, users: unknown[], o: { dry_run?: boolean; tenant?: string } = {}) =>
    call(svc, who, 'POST', `/tenants/${o.tenant ?? svc.fixture.tenant.id}/users:import`, {
      users,
      ...(o.dry_run === undefined ? {} : { dry_run: o.dry_run }),
    });
  const unique = (name: string) => `${name}-${crypto.randomUUID().slice(0, 8)}@example.com`;
  const storedHash = async (email: string) => {
    const [user] = await svc.storage.signIn.usersByEmail(email);
    return user ? (await svc.storage.signIn.credentials(user.id))?.passwordHash : undefined;
  };

  it('signs in with each format’s old password, then keeps the service’s own hash', async () => {
    const formats = await hashes();
    const rows = Object.entries(formats).map(([format, password_hash]) => ({
      email: unique(format),
      given_name: 'Imported',
      family_name: format,
      password_hash,
    }));
    const res = await importAs(admin, rows);
    expect(res.statusCode).toBe(200);
    const report = res.json();
    expect(report).toMatchObject({ dry_run: false, created: rows.length, exists: 0, invalid: 0 });
    // The report never holds a hash.
    for (const hash of Object.values(formats)) expect(res.body).not.toContain(hash);
    for (const row of rows) {
      const before = await storedHash(row.email);
      expect(before, row.family_name).toBe(row.password_hash);
      expect(await signsIn(svc, app, row.email, `${OLD}!`), `${row.family_name} wrong password`).toBe(false);
      expect(await signsIn(svc, app, row.email, OLD), row.family_name).toBe(true);
      const after = (await storedHash(row.email)) as string;
      expect(after, row.family_name).toMatch(/^\$scrypt\$ln=15,r=8,p=1\$/);
      expect(await verifyPassword(OLD, after)).toEqual({ ok: true, rehash: false });
      expect(await signsIn(svc, app, row.email, OLD), `${row.family_name} after upgrade`).toBe(true);
    }
    // 24 sign-ins of a scrypt each: tens of seconds on a loaded 2-core machine.
  }, 120_000);

  it('reports a second import of the same rows as existing and changes nothing', async () => {
    const rows = [
      { email: unique('again'), role: 'Supervisor' },
      { email: unique('again'), password_hash: (await hashes())['bcrypt2b'] },
    ];
    const first = (await importAs(admin, rows)).json();
    expect(first).toMatchObject({ created: 2, exists: 0 });
    const before = await svc.storage.users.list({ tenantId: svc.fixture.tenant.id });
    const second = await importAs(admin, [{ ...rows[0], email: rows[0]?.email.toUpperCase() }, rows[1]]);
    expect(second.statusCode).toBe(200);
    expect(second.json()).toMatchObject({
      created: 0,
      exists: 2,
      rows: [
        { row: 1, email: rows[0]?.email, outcome: 'exists' },
        { row: 2, email: rows[1]?.email, outcome: 'exists' },
      ],
    });
    expect(await svc.storage.users.list({ tenantId: svc.fixture.tenant.id })).toEqual(before);
    const [user] = await svc.storage.signIn.usersByEmail(rows[0]?.email as string);
    expect(user?.role.legacyId).toBe('Supervisor');
  });

  it('creates each user once when two imports of the same rows run at the same time', async () => {
    const rows = Array.from({ length: 50 }, (_, i) => ({ email: unique(`race${i}`) }));
    const [a, b] = await Promise.all([importAs(admin, rows), importAs(admin, rows)]);
    expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
    const reports = [a.json(), b.json()];
    expect(reports[0].created + reports[1].created).toBe(50);
    expect(reports[0].exists + reports[1].exists).toBe(50);
    for (const row of rows) expect(await svc.storage.signIn.usersByEmail(row.email)).toHaveLength(1);
  });

  it('stores many users in one transaction: the revision grows once, a taken e-mail is skipped', async () => {
    const repo = svc.storage.users;
    const tenantId = svc.fixture.tenant.id;
    const [a, b, c] = [newUser(tenantId), newUser(tenantId), newUser(tenantId)];
    await repo.create(a);
    expect(await repo.emailsTaken(tenantId, [a.email.toUpperCase(), b.email])).toEqual(new Set([a.email]));
    expect(await repo.emailsTaken((await svc.addTenant()).id, [a.email])).toEqual(new Set());
    const before = await svc.storage.revision();
    const again = { ...newUser(tenantId), email: a.email };
    const stored = await repo.createMany(
      [
        { user: again, passwordHash: 'hash-of-a' },
        { user: b, passwordHash: 'hash-of-b' },
        { user: c, passwordHash: null },
      ],
      svc.clock.now(),
    );
    expect(stored).toEqual(new Set([b.id, c.id]));
    expect(await svc.storage.revision()).toBe(before + 1);
    expect(await repo.get(again.id)).toBeUndefined();
    expect(await repo.get(b.id)).toEqual(b);
    expect((await svc.storage.signIn.credentials(b.id))?.passwordHash).toBe('hash-of-b');
    expect(await svc.storage.signIn.credentials(c.id)).toBeUndefined();
    expect(await svc.storage.signIn.credentials(a.id)).toBeUndefined();
    expect(await repo.createMany([], svc.clock.now())).toEqual(new Set());
    expect(await svc.storage.revision()).toBe(before + 1);
  });

  it('checks every row in a dry run and writes nothing, not even an audit event', async () => {
    const email = unique('dry');
    const audits = (await svc.storage.auditEvents.list({ type: 'user.imported', limit: 1000 })).length;
    const revision = await svc.storage.revision();
    const res = await importAs(admin, [{ email }, { email: 'not-an-email' }], { dry_run: true });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      tenantId: svc.fixture.tenant.id,
      dry_run: true,
      created: 1,
      exists: 0,
      invalid: 1,
      rows: [
        { row: 1, email, outcome: 'created' },
        {
          row: 2,
          email: 'not-an-email',
          outcome: 'invalid',
          reason: 'email must look like name@example.com',
        },
      ],
    });
    expect(await svc.storage.signIn.usersByEmail(email)).toEqual([]);
    expect(await svc.storage.revision()).toBe(revision);
    expect(await svc.storage.auditEvents.list({ type: 'user.imported', limit: 1000 })).toHaveLength(audits);
  });

  it('reports malformed rows and absurd cost parameters per row, never quoting the hash', async () => {
    const salt = crypto.randomBytes(16).toString('base64').replace(/=+$/, '');
    const huge = {
      bcrypt: `$2b$31$${'a'.repeat(53)}`,
      argon2: `$argon2id$v=19$m=4194304,t=3,p=1$${salt}$${salt}${salt}`,
      scrypt: `$scrypt$ln=22,r=8,p=1$${salt}$${salt}${salt}`,
      pbkdf2: `pbkdf2_sha256$100000000$somesalt$${crypto.randomBytes(32).toString('base64')}`,
      unknown: '5f4dcc3b5aa765d61d8327deb882cf99',
    };
    const ok = unique('fine');
    // A hash in the wrong column (a CSV row missing a comma) is not echoed either.
    const shifted = (await hashes())['bcrypt2b'] as string;
    const res = await importAs(admin, [
      { email: ok, given_name: 'Fine' },
      { given_name: 'No e-mail' },
      { email: unique('role'), role: shifted },
      { email: ok },
      ...Object.values(huge).map((password_hash) => ({ email: unique('huge'), password_hash })),
      { email: shifted },
    ]);
    expect(res.statusCode).toBe(200);
    const report = res.json();
    expect(report).toMatchObject({ created: 1, invalid: 9 });
    const reasons = (report.rows as { row: number; outcome: string; reason?: string }[]).map((r) => [
      r.row,
      r.outcome,
      r.reason,
    ]);
    expect(reasons).toEqual([
      [1, 'created', undefined],
      [2, 'invalid', 'email is required'],
      [3, 'invalid', 'role must be a name like "Administrator" (letters, digits, space, _ or -)'],
      [4, 'invalid', 'the same e-mail as row 1'],
      [5, 'invalid', 'password_hash: bcrypt cost 31 is outside 4 to 14'],
      [6, 'invalid', 'password_hash: argon2id m=4194304 is outside 8 to 262144 KiB'],
      [7, 'invalid', expect.stringMatching(/^password_hash: scrypt ln=22,r=8,p=1 needs more than/)],
      [8, 'invalid', 'password_hash: PBKDF2 iterations 100000000 are outside 1000 to 3000000'],
      [9, 'invalid', expect.stringMatching(/^password_hash: not a recognised hash/)],
      [10, 'invalid', 'email must look like name@example.com'],
    ]);
    expect(report.rows[9].email).toBeNull();
    for (const hash of [...Object.values(huge), shifted]) expect(res.body).not.toContain(hash);
  });

  it('takes null and blank members as absent: an Agent with no names and no password', async () => {
    const email = unique('blank');
    const res = await importAs(admin, [
      {
        email: `  ${email.toUpperCase()} `,
        given_name: '   ',
        family_name: null,
        role: null,
        password_hash: '',
      },
    ]);
    expect(res.json()).toMatchObject({ created: 1, rows: [{ row: 1, email, outcome: 'created' }] });
    const [user] = await svc.storage.signIn.usersByEmail(email);
    expect(user).toMatchObject({ email, givenName: null, familyName: null, role: { legacyId: 'Agent' } });
    expect(await storedHash(email)).toBeUndefined();
    expect(await signsIn(svc, app, email, OLD)).toBe(false);
  });

  it('answers a malformed request with a 400 problem', async () => {
    for (const body of [
      { users: [] },
      { users: [{ email: 'a@example.com', password: 'plaintext' }] },
      { users: [{ email: 42 }] },
      { rows: [{ email: 'a@example.com' }] },
      { users: Array.from({ length: 10_001 }, (_, i) => ({ email: `u${i}@example.com` })) },
    ]) {
      const res = await call(svc, admin, 'POST', `/tenants/${svc.fixture.tenant.id}/users:import`, body);
      expect(res.statusCode, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    expect(await svc.storage.signIn.usersByEmail('a@example.com')).toEqual([]);
  });

  it('refuses another tenant’s Administrator and a plain user; lets an operator import', async () => {
    const email = unique('boundary');
    const foreign = await importAs(otherAdmin, [{ email }]);
    expect(foreign.statusCode).toBe(404);
    const plain = await importAs(agent, [{ email }]);
    expect(plain.statusCode).toBe(403);
    const anonymous = await svc.app.inject({
      method: 'POST',
      url: `/admin/v1/tenants/${svc.fixture.tenant.id}/users:import`,
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ users: [{ email }] }),
    });
    expect(anonymous.statusCode).toBe(401);
    expect(await svc.storage.signIn.usersByEmail(email)).toEqual([]);
    const byOperator = await importAs(operator, [{ email }]);
    expect(byOperator.json()).toMatchObject({ created: 1 });
    const [user] = await svc.storage.signIn.usersByEmail(email);
    expect(user).toMatchObject({ tenantId: svc.fixture.tenant.id, operator: false, status: 'active' });
    expect(user?.role.legacyId).toBe('Agent');
  });

  it('records one audit event per import, with its counts and nothing of the rows', async () => {
    const rows = [
      { email: unique('audit'), password_hash: (await hashes())['argon2id'] },
      { email: unique('audit') },
      // Invalid, and nothing an id or timestamp in the event could contain by chance (a UUID has 'bad').
      { email: 'not-an-address!' },
    ];
    await importAs(admin, rows);
    const [event] = await svc.storage.auditEvents.list({ type: 'user.imported', limit: 1 });
    expect(event).toMatchObject({
      type: 'user.imported',
      actor: `user:${admin.user.id}`,
      tenantId: svc.fixture.tenant.id,
      details: { created: 2, exists: 0, invalid: 1 },
    });
    const text = JSON.stringify(event);
    for (const row of rows) expect(text).not.toContain(row.email);
    expect(text).not.toContain('argon2id');
  });

  it('imports 10,000 rows in one request', async () => {
    const bcrypt = (await hashes())['bcrypt2b'] as string;
    const prefix = crypto.randomUUID().slice(0, 8);
    const rows = Array.from({ length: 10_000 }, (_, i) => ({
      email: `bulk-${prefix}-${i}@example.com`,
      given_name: `Given ${i}`,
      ...(i % 2 === 0 ? { password_hash: bcrypt } : {}),
    }));
    const res = await importAs(admin, rows);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ created: 10_000, invalid: 0 });
    expect(await storedHash(`bulk-${prefix}-9998@example.com`)).toBe(bcrypt);
    expect(await storedHash(`bulk-${prefix}-9999@example.com`)).toBeUndefined();
  }, 60_000);
});

describe('user import with the database locked', () => {
  let svc: TestService;
  let holder: Sqlite.Database;
  let admin: Actor;
  beforeAll(async () => {
    svc = await startTestService({ application: ADMIN_APP, env: { CXAUTH_DB_LOCK_TIMEOUT_MS: '300' } });
    admin = await actor(svc, svc.fixture.tenant);
    holder = new Sqlite(sqlitePath(svc.config.databaseUrl));
  });
  afterAll(async () => {
    if (holder?.inTransaction) holder.exec('rollback');
    holder?.close();
    await svc?.close();
  });

  it('answers 503 with Retry-After and writes nothing, then the same import goes through', async () => {
    const users = [{ email: 'locked-1@example.com' }, { email: 'locked-2@example.com' }];
    const path = `/tenants/${svc.fixture.tenant.id}/users:import`;
    holder.exec('begin immediate');
    const locked = await call(svc, admin, 'POST', path, { users });
    holder.exec('rollback');
    expect(locked.statusCode).toBe(503);
    expect(locked.headers['retry-after']).toMatch(/^\d+$/);
    expect(locked.body).not.toMatch(/SQLITE|locked|sqlite/i);
    expect(await svc.storage.signIn.usersByEmail('locked-1@example.com')).toEqual([]);
    const again = await call(svc, admin, 'POST', path, { users });
    expect(again.json()).toMatchObject({ created: 2, exists: 0 });
  });
});

describe('user import and the logs', () => {
  let svc: TestService;
  const lines: string[] = [];
  beforeAll(async () => {
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
    svc = await startTestService({ application: ADMIN_APP, logger: { level: 'debug', stream } });
  });
  afterAll(async () => svc?.close());

  it('never writes an imported hash to a log line, imported, refused or upgraded', async () => {
    const admin = await actor(svc, svc.fixture.tenant);
    const app = await publicApp(svc);
    const formats = await hashes();
    const path = `/tenants/${svc.fixture.tenant.id}/users:import`;
    const rows = Object.values(formats).map((password_hash, i) => ({
      email: `logged-${i}@example.com`,
      password_hash,
    }));
    expect((await call(svc, admin, 'POST', path, { users: rows })).statusCode).toBe(200);
    const absurd = `$2b$31$${'b'.repeat(53)}`;
    expect(
      (
        await call(svc, admin, 'POST', path, { users: [{ email: 'x@example.com', password_hash: absurd }] })
      ).json(),
    ).toMatchObject({ invalid: 1 });
    const malformed = await call(svc, admin, 'POST', path, {
      users: [{ email: 'y@example.com', password_hash: formats['argon2id'], password: formats['django'] }],
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.body).not.toContain(formats['django']);
    expect(await signsIn(svc, app, 'logged-0@example.com', 'a wrong password')).toBe(false);
    expect(await signsIn(svc, app, 'logged-0@example.com', OLD)).toBe(true);
    expect(lines.length).toBeGreaterThan(0);
    for (const secret of [...Object.values(formats), absurd]) {
      expect(lines.filter((line) => line.includes(secret))).toEqual([]);
    }
  });
});
