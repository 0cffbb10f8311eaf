// Separate OS processes starting on one fresh database at the same moment must all succeed, leave a
// complete schema (PostgreSQL: advisory lock; SQLite: one immediate transaction), and create exactly
// one signing key between them, so that every node publishes the key that signs.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Sqlite from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openStorage } from '../src/storage/open.js';
import { pgUnavailable, type TestDatabase, tempPostgres, tempSqlite } from './support/storage-db.js';

const CHILD = fileURLToPath(new URL('./support/storage-migrate-child.ts', import.meta.url));
const VITE_NODE = fileURLToPath(new URL('../../../node_modules/vite-node/vite-node.mjs', import.meta.url));
const TABLES = [
  'access_keys',
  'applications',
  'areas',
  'audit_events',
  'refresh_tokens',
  'revision',
  'revocation_events',
  'revocation_feed',
  'sessions',
  'signing_keys',
  'tenants',
  'throttle',
  'users',
];
/** Every migration, each applied once. */
const MIGRATIONS = [
  { name: '0001_initial' },
  { name: '0002_revision' },
  { name: '0003_app_types' },
  { name: '0004_throttling_audit' },
  { name: '0005_signing_key_states' },
  { name: '0006_revocation_feed' },
  { name: '0007_sign_in' },
  { name: '0008_refresh_grace' },
  { name: '0009_admin' },
  { name: '0010_consent' },
  { name: '0011_access_key_control' },
  { name: '0013_purge_indexes' },
  { name: '0015_settings' },
  { name: '0016_activity_indexes' },
  { name: '0020_scim' },
  { name: '0021_webhooks' },
  { name: '0022_device_authorization' },
  { name: '0023_identity_providers' },
  { name: '0024_passkeys' },
  { name: '0025_people' },
  { name: '0026_dpop' },
  { name: '0027_invitations' },
  { name: '0028_email_verification' },
  { name: '0029_tenant_mail_policy' },
  { name: '0030_typed_audit_subjects' },
];

const pgMissing = await pgUnavailable();
if (pgMissing) console.log(`migrate-concurrency.test.ts: skipping the PostgreSQL run: ${pgMissing}`);

interface Child {
  ready: Promise<void>;
  exit: Promise<{ code: number | null; stderr: string }>;
  go(): void;
}

function child(url: string): Child {
  const proc = spawn(process.execPath, [VITE_NODE, CHILD, '--', url], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const ready = new Promise<void>((resolve, reject) => {
    proc.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (stdout.includes('ready')) resolve();
    });
    proc.on('exit', () => reject(new Error(`child exited before ready: ${stderr}`)));
  });
  proc.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const exit = new Promise<{ code: number | null; stderr: string }>((resolve) =>
    proc.on('exit', (code) => resolve({ code, stderr })),
  );
  return { ready, exit, go: () => proc.stdin.write('go\n') };
}

async function race(url: string, n: number): Promise<void> {
  const children = Array.from({ length: n }, () => child(url));
  await Promise.all(children.map((c) => c.ready));
  for (const c of children) c.go();
  const results = await Promise.all(children.map((c) => c.exit));
  for (const r of results) expect(r, r.stderr).toMatchObject({ code: 0 });
  const storage = await openStorage(url);
  try {
    const keys = await storage.signingKeys.list();
    expect(keys.map((k) => k.state)).toEqual(['signing']);
  } finally {
    await storage.close();
  }
}

const dbs: TestDatabase[] = [];
afterAll(async () => {
  for (const db of dbs) await db.drop();
});

describe('concurrent migrations', () => {
  it.skipIf(pgMissing !== undefined)(
    'PostgreSQL: three processes migrate one fresh database at once',
    async () => {
      const db = await tempPostgres();
      dbs.push(db);
      await race(db.url, 3);
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      try {
        const tables = await client.query<{ table_name: string }>(
          "select table_name from information_schema.tables where table_schema = 'public' order by table_name",
        );
        expect(tables.rows.map((r) => r.table_name)).toEqual(
          expect.arrayContaining([...TABLES, 'kysely_migration', 'kysely_migration_lock']),
        );
        const done = await client.query('select name from kysely_migration order by name');
        expect(done.rows).toEqual(MIGRATIONS);
      } finally {
        await client.end();
      }
      const storage = await openStorage(db.url);
      await storage.migrate();
      expect(await storage.tenants.list()).toEqual([]);
      await storage.close();
    },
    120_000,
  );

  it('SQLite: three processes migrate one fresh file at once', async () => {
    const db = tempSqlite();
    dbs.push(db);
    await race(db.url, 3);
    const file = new Sqlite(db.url.slice('sqlite:'.length), { readonly: true });
    try {
      const tables = file.prepare("select name from sqlite_master where type = 'table'").all() as {
        name: string;
      }[];
      expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining([...TABLES, 'kysely_migration']));
      expect(file.prepare('select name from kysely_migration order by name').all()).toEqual(MIGRATIONS);
    } finally {
      file.close();
    }
  }, 120_000);
});
