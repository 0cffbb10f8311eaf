// Migration 0030 (SQLite and PostgreSQL): audit events stored before every subject was typed name
// `user:<id>` afterwards, so a webhook consumer matching `data.subject` and the admin API's listing by
// `actor` find a user's older passkey and federation events too, with the person as the actor where
// the person acted; typed and service names are left as they were.
import Sqlite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import { Pool } from 'pg';
import { describe, expect, it } from 'vitest';
import type { AnyDb } from '../src/storage/kysely/migrations/any-db.js';
import { migrations } from '../src/storage/kysely/migrations/index.js';
import { openStorage, sqlitePath } from '../src/storage/open.js';
import { pgUnavailable, tempPostgres, tempSqlite } from './support/storage-db.js';

const pgSkip = await pgUnavailable();
const dialects = pgSkip ? (['sqlite'] as const) : (['sqlite', 'postgres'] as const);

describe.each(dialects)('migration 0030 (%s)', (dialect) => {
  it("types the bare user ids of the passkey and federation events, and nothing else's", async () => {
    const db = dialect === 'postgres' ? await tempPostgres() : tempSqlite();
    const kysely: AnyDb =
      dialect === 'postgres'
        ? new Kysely({ dialect: new PostgresDialect({ pool: new Pool({ connectionString: db.url }) }) })
        : new Kysely({ dialect: new SqliteDialect({ database: new Sqlite(sqlitePath(db.url)) }) });
    const before = Object.fromEntries(Object.entries(migrations(dialect)).filter(([name]) => name < '0030'));
    const migrator = new Migrator({ db: kysely, provider: { getMigrations: async () => before } });
    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    const uid = '5f0c1f8e-9a51-4a57-9d36-0c2b8f1e7a11';
    const rows: [id: string, type: string, actor: string | null, subject: string | null][] = [
      ['e1', 'passkey.registered', uid, uid],
      ['e2', 'passkey.used', null, uid],
      ['e3', 'passkey.refused', null, uid],
      ['e4', 'federation.signed_in', null, uid],
      ['e5', 'user.created', null, uid],
      // Typed already, or not a user: kept as they are.
      ['e6', 'user.created', 'cli', `user:${uid}`],
      ['e7', 'passkey.removed', 'service', `user:${uid}`],
      ['e8', 'signing_key.rotated', 'cli', `signing_key:${uid}`],
      ['e9', 'issuer.recorded', 'cli', 'issuer'],
      ['e10', 'passkey.refused', null, null],
      ['e11', 'tenant.changed', uid, uid],
      ['e12', 'passkey.removed', 'cli', `user:${uid}`],
      ['e13', 'passkey.renamed', uid, uid],
    ];
    await kysely
      .insertInto('audit_events')
      .values(
        rows.map(([id, type, actor, subject], i) => ({
          id,
          at: 1000 + i,
          type,
          actor,
          subject,
          tenant_id: null,
          address: null,
          details: '{}',
        })),
      )
      .execute();
    await kysely.destroy();

    const storage = await openStorage(db.url);
    try {
      await storage.migrate();
      const events = await storage.auditEvents.list({ limit: 100 });
      const byId = Object.fromEntries(events.map((e) => [e.id, [e.actor, e.subject]]));
      expect(byId).toEqual({
        e1: [`user:${uid}`, `user:${uid}`],
        // The person signed in: the actor, as new events name it.
        e2: [`user:${uid}`, `user:${uid}`],
        // A refused assertion may not be the person's: no actor.
        e3: [null, `user:${uid}`],
        e4: [`user:${uid}`, `user:${uid}`],
        e5: [`user:${uid}`, `user:${uid}`],
        e6: ['cli', `user:${uid}`],
        e7: ['service', `user:${uid}`],
        e8: ['cli', `signing_key:${uid}`],
        e9: ['cli', 'issuer'],
        e10: [null, null],
        // Not one of the types that named a bare id: an unknown value is not guessed at.
        e11: [uid, uid],
        e12: ['cli', `user:${uid}`],
        e13: [`user:${uid}`, `user:${uid}`],
      });
    } finally {
      await storage.close();
      await db.drop();
    }
  });
});
