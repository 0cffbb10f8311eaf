// `cxauth admin user import FILE --tenant ID [--dry-run]` in-process against a SQLite file: CSV and
// JSON files with password hashes of other systems, a dry run that writes nothing, a second run that
// creates nothing, a file larger than one request sent in batches with row numbers over the whole file,
// malformed files refused with exit 2, and no hash ever printed. The hashes' sign-in is tested in
// packages/server/test/user-import.test.ts.
import crypto from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { hash as bcryptHash } from '@node-rs/bcrypt';
import { beforeAll, describe, expect, it } from 'vitest';
import { adminCli } from './support/in-process.js';

const admin = adminCli('cxauth-user-import-');
const { cli, json } = admin;
let tenantId: string;

const file = (name: string, text: string) => {
  const p = path.join(admin.dir, name);
  writeFileSync(p, text);
  return p;
};

beforeAll(async () => {
  tenantId = (await json('tenant', 'create', '--name', 'imported', '--area', 'na1')).id;
});

describe('cxauth admin user import', () => {
  it('imports a CSV file, reports each row, and a second run creates nothing', async () => {
    const bcrypt = await bcryptHash('an old password', { cost: 4 });
    const salt = crypto.randomBytes(8).toString('hex');
    const django = `pbkdf2_sha256$10000$${salt}$${crypto
      .pbkdf2Sync('an old password', salt, 10000, 32, 'sha256')
      .toString('base64')}`;
    const csv = file(
      'users.csv',
      [
        'email,given_name,family_name,role,password_hash',
        `ada@example.com,Ada,Lovelace,Administrator,${bcrypt}`,
        `"grace@example.com","Grace","Hopper, Rear Admiral",,${django}`,
        'nobody,No,Body,,',
        'linus@example.com,,,,',
        '',
      ].join('\n'),
    );
    const dry = await cli('user', 'import', csv, '--tenant', tenantId, '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.out).toContain('dry run, nothing written: would create 3, exists 0, invalid 1');
    expect(await json('user', 'list', '--tenant', tenantId)).toEqual([]);

    const report = await json('user', 'import', csv, '--tenant', tenantId);
    expect(report).toMatchObject({ tenantId, dry_run: false, created: 3, exists: 0, invalid: 1 });
    expect(report.rows.map((r: { row: number; outcome: string }) => [r.row, r.outcome])).toEqual([
      [1, 'created'],
      [2, 'created'],
      [3, 'invalid'],
      [4, 'created'],
    ]);
    const users = (await json('user', 'list', '--tenant', tenantId)) as Record<string, unknown>[];
    expect(users.find((u) => u['email'] === 'grace@example.com')).toMatchObject({
      given_name: 'Grace',
      family_name: 'Hopper, Rear Admiral',
      role: { legacyId: 'Agent' },
    });
    expect(users.find((u) => u['email'] === 'ada@example.com')?.['role']).toMatchObject({
      legacyId: 'Administrator',
    });

    const again = await cli('user', 'import', csv, '--tenant', tenantId);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/^row 1\tada@example.com\texists$/m);
    expect(again.out).toMatch(/^row 3\tnobody\tinvalid\temail must look like name@example.com$/m);
    expect(again.out).toContain('created 0, exists 3, invalid 1');
    for (const out of [dry.out, JSON.stringify(report), again.out]) {
      expect(out).not.toContain(bcrypt);
      expect(out).not.toContain(django);
    }
  });

  it('sends a file larger than one request in batches, numbering rows over the whole file', async () => {
    const rows = Array.from({ length: 10_003 }, (_, i) => ({ email: `many-${i}@example.com` }));
    rows[10_001] = { email: 'many-0@example.com' };
    const report = await json(
      'user',
      'import',
      file('many.json', JSON.stringify(rows)),
      '--tenant',
      tenantId,
    );
    expect(report).toMatchObject({ created: 10_002, exists: 1, invalid: 0 });
    expect(report.rows).toHaveLength(10_003);
    expect(report.rows[10_001]).toEqual({ row: 10_002, email: 'many-0@example.com', outcome: 'exists' });
    expect(report.rows[10_002]).toMatchObject({ row: 10_003, email: 'many-10002@example.com' });
  }, 60_000);

  it('takes the API’s {"users": [...]} body as a JSON file', async () => {
    const body = { users: [{ email: 'body@example.com', given_name: 'Body' }] };
    const report = await json(
      'user',
      'import',
      file('body.json', JSON.stringify(body)),
      '--tenant',
      tenantId,
    );
    expect(report).toMatchObject({ created: 1, rows: [{ row: 1, email: 'body@example.com' }] });
  });

  it('refuses a malformed file, an unknown column, a missing file and a missing tenant', async () => {
    const cases: [string[], RegExp][] = [
      [[file('bad.json', '[{"email": ')], /the JSON file is malformed/],
      [[file('bad.csv', 'email,given_name\n"a@example.com,x\n')], /the CSV file is malformed/],
      [[file('plain.csv', 'email,password\na@example.com,secret\n')], /not "password"/],
      [[file('empty.csv', '')], /the CSV file is empty/],
      [[path.join(admin.dir, 'missing.csv')], /cannot read/],
    ];
    for (const [args, message] of cases) {
      const r = await cli('user', 'import', ...args, '--tenant', tenantId);
      expect(r.code, r.err).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.err).not.toContain('secret');
    }
    const noTenant = await cli('user', 'import', file('one.csv', 'email\none@example.com\n'));
    expect(noTenant).toMatchObject({ code: 2, err: expect.stringMatching(/--tenant is required/) });
    const unknown = await cli(
      'user',
      'import',
      path.join(admin.dir, 'one.csv'),
      '--tenant',
      'no-such-tenant',
    );
    expect(unknown).toMatchObject({
      code: 1,
      err: expect.stringMatching(/no tenant with id "no-such-tenant"/),
    });
  });
});
