// `cxauth admin` in-process against a SQLite file in a temp folder: each kind's verbs, --json shapes,
// exit codes (1 for unknown ids and bad values, 2 for bad usage), and one-line errors without stacks.
import { describe, expect, it } from 'vitest';
import { adminCli } from './support/in-process.js';

const admin = adminCli('cxauth-admin-');
const { cli } = admin;
const json = (...argv: string[]): Promise<Record<string, unknown> & { [k: string]: unknown }> =>
  admin.json(...argv);

function expectOneLineFailure(r: { code: number; err: string; out: string }, code: number, pattern: RegExp) {
  expect(r.code).toBe(code);
  expect(r.err.trim().split('\n')).toHaveLength(1);
  expect(r.err).toMatch(pattern);
  expect(r.err).not.toMatch(/\n\s+at |Error:/);
}

describe('cxauth admin', () => {
  let tenantId: string;
  let userId: string;

  it('area create / update / list / show; create never resets an existing area', async () => {
    // The default area na1 exists on a fresh database: create refuses it, update changes what is named.
    const before = await json('area', 'show', 'na1');
    expectOneLineFailure(
      await cli('area', 'create', '--name', 'na1', '--api-endpoint', 'https://elsewhere.example'),
      1,
      /area na1 exists: use `cxauth admin area update na1`/,
    );
    expect(await json('area', 'show', 'na1')).toEqual(before);
    const area = await json('area', 'update', 'na1', '--api-endpoint', 'http://127.0.0.1:8081');
    expect(area).toMatchObject({ name: 'na1', api_endpoint: 'http://127.0.0.1:8081' });
    // Only the field named changed.
    expect(area).toEqual({ ...before, api_endpoint: 'http://127.0.0.1:8081' });
    const audit = (await json('audit', 'list', '--type', 'area.updated')) as unknown as Array<{
      subject: string;
      details: Record<string, unknown>;
    }>;
    expect(audit[0]).toMatchObject({ subject: 'area:na1', details: { changed: 'apiEndpoint' } });
    expectOneLineFailure(
      await cli('area', 'update', 'zz9', '--domain', 'x.example'),
      1,
      /no area with id "zz9"/,
    );
    const eu = await json(
      'area',
      'create',
      '--name',
      'eu1',
      '--api-endpoint',
      'https://api-eu1.example.com/',
      '--ui-endpoint',
      'https://eu1.example.com',
      '--domain',
      'example.com',
    );
    expect(eu).toMatchObject({
      api_endpoint: 'https://api-eu1.example.com',
      ui_endpoint: 'https://eu1.example.com',
      auth_endpoint: 'https://eu1.example.com',
      acdDomain: 'example.com',
    });
    const list = (await json('area', 'list')) as unknown as Array<{ name: string }>;
    expect(list.map((a) => a.name)).toEqual(['eu1', 'na1']);
    expect(await json('area', 'show', 'eu1')).toEqual(eu);
    expectOneLineFailure(await cli('area', 'show', 'zz9'), 1, /no area with id "zz9"/);
    expectOneLineFailure(
      await cli('area', 'create', '--name', 'x1', '--api-endpoint', 'ftp://x'),
      1,
      /http or https/,
    );
  });

  it('tenant create / list / show / deactivate / activate', async () => {
    const t = await json('tenant', 'create', '--name', 'acme', '--area', 'na1', '--bu-id', '-721488662');
    expect(t).toMatchObject({
      name: 'acme',
      area: 'na1',
      cluster: 'B32',
      icBUId: -721488662,
      icClusterId: 'DO31',
      private: false,
      status: 'active',
    });
    expect(t['id']).toMatch(/^[0-9a-f-]{36}$/);
    tenantId = t['id'] as string;
    expect(await json('tenant', 'show', tenantId)).toEqual(t);
    const list = (await json('tenant', 'list')) as unknown as Array<{ id: string }>;
    expect(list.map((x) => x.id)).toEqual([tenantId]);
    expect((await json('tenant', 'deactivate', tenantId))['status']).toBe('inactive');
    expect((await json('tenant', 'activate', tenantId))['status']).toBe('active');

    expectOneLineFailure(
      await cli('tenant', 'create', '--name', 'acme', '--area', 'na1'),
      1,
      /already exists/,
    );
    expectOneLineFailure(
      await cli('tenant', 'create', '--name', 'b', '--area', 'mars'),
      1,
      /no area named "mars"/,
    );
    expectOneLineFailure(
      await cli('tenant', 'create', '--name', 'b', '--area', 'na1', '--bu-id', '2147483648'),
      1,
      /32-bit/,
    );
    expectOneLineFailure(
      await cli('tenant', 'create', '--name', 'b', '--area', 'na1', '--bu-id', 'x'),
      1,
      /whole/,
    );
    expectOneLineFailure(await cli('tenant', 'show', 'nope'), 1, /no tenant with id "nope"/);
    expectOneLineFailure(await cli('tenant', 'deactivate', 'nope'), 1, /no tenant/);
  });

  it('user create / list / show / deactivate / activate', async () => {
    const u = await json(
      'user',
      'create',
      '--tenant',
      tenantId,
      '--email',
      'Ada@Example.com',
      '--given-name',
      'Ada',
      '--family-name',
      'Lovelace',
    );
    expect(u).toMatchObject({
      tenantId,
      email: 'ada@example.com',
      given_name: 'Ada',
      family_name: 'Lovelace',
      // Without --role a user is an Agent (least privilege), never an Administrator by accident.
      role: { legacyId: 'Agent', secondaryRoles: [] },
      status: 'active',
    });
    userId = u['id'] as string;
    const agent = await json(
      'user',
      'create',
      '--tenant',
      tenantId,
      '--email',
      'b@example.com',
      '--role',
      'Administrator',
    );
    expect((agent['role'] as { legacyId: string; id: string }).legacyId).toBe('Administrator');
    expect((agent['role'] as { id: string }).id).not.toBe((u['role'] as { id: string }).id);
    const list = (await json('user', 'list', '--tenant', tenantId)) as unknown as Array<{ id: string }>;
    expect(list.map((x) => x.id).sort()).toEqual([userId, agent['id']].sort());
    expect(await json('user', 'show', userId)).toEqual(u);
    expect((await json('user', 'deactivate', userId))['status']).toBe('inactive');
    expect((await json('user', 'activate', userId))['status']).toBe('active');

    expectOneLineFailure(
      await cli('user', 'create', '--tenant', tenantId, '--email', 'ada@example.com'),
      1,
      /exists/,
    );
    expectOneLineFailure(
      await cli('user', 'create', '--tenant', tenantId, '--email', 'not-mail'),
      1,
      /email/,
    );
    expectOneLineFailure(
      await cli('user', 'create', '--tenant', 'nope', '--email', 'c@example.com'),
      1,
      /no tenant/,
    );
    expectOneLineFailure(await cli('user', 'show', 'nope'), 1, /no user with id "nope"/);
  });

  it('app create prints the secret once; list / show never show it', async () => {
    const human = await cli('app', 'create', '--name', 'Portal', '--origin', 'http://localhost:3000');
    expect(human.code).toBe(0);
    expect(human.out).toMatch(/client_secret/);
    expect(human.out).toMatch(/shown only this once/);

    const app = await json(
      'app',
      'create',
      '--name',
      'Backend',
      '--origin',
      'https://a.example',
      '--origin',
      'https://b.example:8443',
      '--tenant',
      tenantId,
    );
    expect(Object.keys(app).slice(0, 2)).toEqual(['client_id', 'client_secret']);
    expect(app).toMatchObject({
      name: 'Backend',
      origins: ['https://a.example', 'https://b.example:8443'],
      grant_types: ['password', 'refresh_token'],
      tenantId,
      status: 'active',
    });
    expect(app['client_secret']).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const clientId = app['client_id'] as string;
    const shown = await cli('app', 'show', clientId, '--json');
    expect(shown.out).not.toContain(app['client_secret'] as string);
    expect(JSON.parse(shown.out)).not.toHaveProperty('client_secret');
    const list = await cli('app', 'list', '--json');
    expect(list.out).not.toContain(app['client_secret'] as string);
    expect(list.out).not.toMatch(/secret/i);
    expect((await json('app', 'deactivate', clientId))['status']).toBe('inactive');
    expect((await json('app', 'activate', clientId))['status']).toBe('active');

    expectOneLineFailure(
      await cli('app', 'create', '--name', 'x', '--origin', 'https://a.example/'),
      1,
      /did you mean "https:\/\/a.example"/,
    );
    expectOneLineFailure(
      await cli('app', 'create', '--name', 'x', '--origin', 'javascript:alert(1)'),
      1,
      /origin/,
    );
    expectOneLineFailure(
      await cli('app', 'create', '--name', 'x', '--grant-type', 'implicit'),
      1,
      /grant type/,
    );
    expectOneLineFailure(await cli('app', 'show', 'nope'), 1, /no application with id "nope"/);
  });

  it('app create --type public has no secret; app update changes the lists; a type is refused grants it may not use', async () => {
    const spa = await json(
      'app',
      'create',
      '--name',
      'SPA',
      '--type',
      'public',
      '--redirect-uri',
      'https://spa.example/cb',
      '--post-logout-redirect-uri',
      'https://spa.example/',
      '--origin',
      'https://spa.example',
    );
    expect(spa).not.toHaveProperty('client_secret');
    expect(spa).toMatchObject({
      type: 'public',
      tenancy: 'all',
      grant_types: ['authorization_code', 'refresh_token'],
      redirect_uris: ['https://spa.example/cb'],
      post_logout_redirect_uris: ['https://spa.example/'],
    });
    const human = await cli('app', 'create', '--name', 'SPA2', '--type', 'public');
    expect(human.out).not.toMatch(/shown only this once/);
    const machine = await json(
      'app',
      'create',
      '--name',
      'Robot',
      '--tenant',
      tenantId,
      '--grant',
      'client_credentials',
      '--scope',
      'openid',
      '--scope',
      'admin',
      '--first-party',
    );
    expect(machine).toMatchObject({
      type: 'backend',
      tenancy: 'single',
      grant_types: ['client_credentials'],
      scopes: ['openid', 'admin'],
      first_party: true,
    });
    const updated = await json(
      'app',
      'update',
      spa['client_id'] as string,
      '--redirect-uri',
      'com.example.spa:/cb',
      '--clear-origin',
    );
    expect(updated).toMatchObject({ type: 'public', redirect_uris: ['com.example.spa:/cb'], origins: [] });
    // DPoP required, then not (RFC 9449).
    const bound = await json('app', 'update', spa['client_id'] as string, '--dpop-bound');
    expect(bound).toMatchObject({ dpop_bound_access_tokens: true });
    const optional = await json('app', 'update', spa['client_id'] as string, '--dpop-optional');
    expect(optional).toMatchObject({ dpop_bound_access_tokens: false });
    expectOneLineFailure(
      await cli('app', 'create', '--name', 'x', '--type', 'public', '--grant', 'password'),
      1,
      /a public application may use only/,
    );
    expectOneLineFailure(
      await cli('app', 'create', '--name', 'x', '--grant', 'client_credentials'),
      1,
      /bound to one tenant/,
    );
    expectOneLineFailure(
      await cli('app', 'update', 'nope', '--name', 'n'),
      1,
      /no application with id "nope"/,
    );
  });

  it('key create prints id and secret once; deactivate / activate', async () => {
    const key = await json('key', 'create', '--user', userId);
    expect(Object.keys(key).slice(0, 2)).toEqual(['accessKeyId', 'accessKeySecret']);
    expect(key['accessKeyId']).toMatch(/^[A-Z2-7]{52}====$/);
    expect(key['accessKeySecret']).toMatch(/^[A-Z2-7]{52}====$/);
    expect(key).toMatchObject({ userId, tenantId, status: 'active', lastUsedAt: null });
    const id = key['accessKeyId'] as string;
    const shown = await json('key', 'show', id);
    expect(shown).not.toHaveProperty('accessKeySecret');
    const list = (await json('key', 'list', '--user', userId)) as unknown as Array<{ accessKeyId: string }>;
    expect(list.map((k) => k.accessKeyId)).toEqual([id]);
    expect((await json('key', 'deactivate', id))['status']).toBe('inactive');
    expect((await json('key', 'activate', id))['status']).toBe('active');
    expectOneLineFailure(await cli('key', 'create', '--user', 'nope'), 1, /no user with id "nope"/);
    expectOneLineFailure(await cli('key', 'deactivate', 'NOPE===='), 1, /no access key with id "NOPE===="/);
  });

  it('human output is key: value lines', async () => {
    const r = await cli('tenant', 'show', tenantId);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^id\s+[0-9a-f-]{36}$/m);
    expect(r.out).toMatch(/^name\s+acme$/m);
  });

  it('bad usage exits 2 with one line', async () => {
    expectOneLineFailure(await cli('tenant', 'create', '--area', 'na1'), 2, /--name is required/);
    expectOneLineFailure(
      await cli('tenant', 'create', '--name', 'a', '--area', 'na1', '--bogus'),
      2,
      /bogus/,
    );
    expectOneLineFailure(
      await cli('tenant', 'create', '--name', 'a', '--area', 'na1', '--bu-id'),
      2,
      /argument missing/,
    );
    expectOneLineFailure(await cli('planet', 'list'), 2, /unknown kind "planet"/);
    expectOneLineFailure(await cli('tenant', 'explode'), 2, /unknown verb "explode"/);
    expectOneLineFailure(await cli('tenant', 'show'), 2, /expected one ID/);
    expectOneLineFailure(await cli('tenant', 'list', 'extra'), 2, /unexpected argument/);
    expectOneLineFailure(await cli('area', 'deactivate', 'na1'), 2, /unknown verb/);
    expect((await cli()).code).toBe(2);
  });

  it('--help prints usage and exits 0', async () => {
    const top = await cli('--help');
    expect(top.code).toBe(0);
    expect(top.out).toMatch(/cxauth admin <kind> <verb>/);
    const kind = await cli('app', '--help');
    expect(kind.code).toBe(0);
    expect(kind.out).toMatch(/--origin VALUE/);
    const verb = await cli('key', 'create', '--help');
    expect(verb.code).toBe(0);
    expect(verb.out).toMatch(/--user VALUE/);
  });

  it('a bad configuration is one line, exit 1', async () => {
    const r = await admin.run(['tenant', 'list'], { env: { CXAUTH_DATABASE_URL: 'mysql://x' } });
    expectOneLineFailure(r, 1, /CXAUTH_DATABASE_URL/);
  });

  it('a database that cannot be reached is one line, exit 3 (could not reach a server)', async () => {
    const kek = Buffer.alloc(32, 7).toString('base64');
    const r = await admin.run(['tenant', 'list'], {
      env: { CXAUTH_KEK: kek, CXAUTH_DATABASE_URL: 'postgres://u:pw@127.0.0.1:1/db' },
    });
    expectOneLineFailure(r, 3, /cannot reach the database/);
    expect(r.err).not.toContain('pw');
  });
});
