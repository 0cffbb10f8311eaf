// Queries compiled once (storage/kysely/prepared.ts) on SQLite and PostgreSQL, and the SQLite statement
// cache under Kysely's driver (storage/kysely/statement-cache.ts).
import Sqlite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { prepare } from '../src/storage/kysely/prepared.js';
import { cachingSqliteDatabase } from '../src/storage/kysely/statement-cache.js';
import { pgUnavailable, type TestDatabase, tempPostgres } from './support/storage-db.js';

interface Db {
  items: { id: string; owner: string; n: number; status: string; data: Buffer };
}

const pgMissing = await pgUnavailable();
if (pgMissing) console.log(`prepared.test.ts: skipping the PostgreSQL run: ${pgMissing}`);

const dialects = [
  {
    name: 'sqlite',
    skip: false,
    open: async () => ({
      db: new Kysely<Db>({
        dialect: new SqliteDialect({ database: cachingSqliteDatabase(new Sqlite(':memory:')) }),
      }),
      drop: async () => undefined,
    }),
  },
  {
    name: 'postgres',
    skip: pgMissing !== undefined,
    open: async () => {
      const temp: TestDatabase = await tempPostgres();
      const pool = new pg.Pool({ connectionString: temp.url, max: 4 });
      return { db: new Kysely<Db>({ dialect: new PostgresDialect({ pool }) }), drop: () => temp.drop() };
    },
  },
];

describe.each(dialects)('prepared queries on $name', ({ name, skip, open }) => {
  let db: Kysely<Db>;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    if (skip) return;
    ({ db, drop } = await open());
    await db.schema
      .createTable('items')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('owner', 'text', (c) => c.notNull())
      .addColumn('n', 'integer', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('data', name === 'postgres' ? 'bytea' : 'blob', (c) => c.notNull())
      .execute();
  });
  afterAll(async () => {
    if (skip) return;
    await db?.destroy();
    await drop?.();
  });

  describe.skipIf(skip)('', () => {
    const insert = () =>
      prepare((a: Db['items']) =>
        db.insertInto('items').values({ id: a.id, owner: a.owner, n: a.n, status: a.status, data: a.data }),
      );

    it('builds once, then binds new values by position; constants stay in the template', async () => {
      const build = vi.fn((a: { owner: string; min: number }) =>
        db
          .selectFrom('items')
          .select(['id', 'n', 'data'])
          .where('owner', '=', a.owner)
          .where('status', '=', 'active')
          // The same argument twice: both positions take its value.
          .where((eb) => eb.or([eb('n', '>=', a.min), eb('n', '=', a.min)]))
          .orderBy('id'),
      );
      const byOwner = prepare(build);
      expect(byOwner.sql).toMatch(name === 'postgres' ? /\$4/ : /\?.*\?.*\?.*\?/);
      expect(byOwner.sql).not.toContain('alice');

      const ins = insert();
      const rows = [
        { id: 'a1', owner: 'alice', n: 1, status: 'active', data: Buffer.from([1, 2]) },
        { id: 'a2', owner: 'alice', n: 5, status: 'active', data: Buffer.from([3]) },
        { id: 'a3', owner: 'alice', n: 9, status: 'inactive', data: Buffer.from([4]) },
        { id: 'b1', owner: 'bob', n: 7, status: 'active', data: Buffer.from([5]) },
      ];
      for (const row of rows) await ins.execute(db, row);

      const alice = await byOwner.execute(db, { owner: 'alice', min: 2 });
      expect(alice.rows.map((r) => r.id)).toEqual(['a2']);
      expect(Buffer.from(alice.rows[0]?.data ?? [])).toEqual(Buffer.from([3]));
      expect((await byOwner.execute(db, { owner: 'alice', min: 0 })).rows.map((r) => r.id)).toEqual([
        'a1',
        'a2',
      ]);
      expect((await byOwner.execute(db, { owner: 'bob', min: 0 })).rows.map((r) => r.id)).toEqual(['b1']);
      expect((await byOwner.execute(db, { owner: 'carol', min: 0 })).rows).toEqual([]);
      expect(build).toHaveBeenCalledTimes(1);
    });

    it('reports affected rows and runs inside a transaction (rolled back with it)', async () => {
      const setStatus = prepare((a: { id: string; status: string }) =>
        db.updateTable('items').set({ status: a.status }).where('id', '=', a.id),
      );
      const ins = insert();
      const count = prepare((a: { id: string }) =>
        db.selectFrom('items').select('status').where('id', '=', a.id),
      );
      await ins.execute(db, { id: 't1', owner: 'tx', n: 1, status: 'active', data: Buffer.alloc(1) });
      expect((await setStatus.execute(db, { id: 't1', status: 'inactive' })).numAffectedRows).toBe(1n);
      expect((await setStatus.execute(db, { id: 'nope', status: 'inactive' })).numAffectedRows).toBe(0n);

      await expect(
        db.transaction().execute(async (trx) => {
          await setStatus.execute(trx, { id: 't1', status: 'active' });
          await ins.execute(trx, { id: 't2', owner: 'tx', n: 2, status: 'active', data: Buffer.alloc(1) });
          expect((await count.execute(trx, { id: 't2' })).rows).toHaveLength(1);
          throw new Error('roll back');
        }),
      ).rejects.toThrow('roll back');
      expect((await count.execute(db, { id: 't1' })).rows).toEqual([{ status: 'inactive' }]);
      expect((await count.execute(db, { id: 't2' })).rows).toEqual([]);
    });

    it('refuses an argument that is not a plain value of the query, at preparation', () => {
      expect(() =>
        prepare((a: { n: number }) =>
          db
            .selectFrom('items')
            .select('id')
            .where('n', '>', a.n - 1),
        ),
      ).toThrow(/argument "n" can only be passed to Kysely as a value/);
      expect(() =>
        prepare((a: { owner: string; unused: string }) => {
          void a.unused;
          return db.selectFrom('items').select('id').where('owner', '=', a.owner);
        }),
      ).toThrow(/argument "unused" is not a parameter/);
    });

    it('refuses a missing argument instead of binding undefined', async () => {
      const byId = prepare((a: { id: string }) => db.selectFrom('items').select('id').where('id', '=', a.id));
      await expect(byId.execute(db, {} as { id: string })).rejects.toThrow(/argument "id" is missing/);
    });
  });
});

describe('SQLite statement cache', () => {
  function fakeDatabase() {
    const statement = () => ({
      reader: true,
      all: () => [],
      run: () => ({ changes: 0, lastInsertRowid: 0 }),
    });
    return { prepare: vi.fn(statement), close: vi.fn() };
  }

  it('prepares each SQL text once and hands back the same statement', () => {
    const raw = fakeDatabase();
    const cached = cachingSqliteDatabase(raw as unknown as Sqlite.Database);
    const a = cached.prepare('select 1');
    expect(cached.prepare('select 1')).toBe(a);
    expect(cached.prepare('select 2')).not.toBe(a);
    expect(raw.prepare).toHaveBeenCalledTimes(2);
    expect(cached.cachedStatements).toBe(2);
  });

  it('is bounded: beyond its size the oldest statement is dropped', () => {
    const raw = fakeDatabase();
    const cached = cachingSqliteDatabase(raw as unknown as Sqlite.Database, 2);
    cached.prepare('q1');
    cached.prepare('q2');
    cached.prepare('q3');
    expect(cached.cachedStatements).toBe(2);
    cached.prepare('q3');
    cached.prepare('q2');
    expect(raw.prepare).toHaveBeenCalledTimes(3);
    cached.prepare('q1');
    expect(raw.prepare).toHaveBeenCalledTimes(4);
  });

  it('close empties the cache and closes the database', () => {
    const raw = fakeDatabase();
    const cached = cachingSqliteDatabase(raw as unknown as Sqlite.Database);
    cached.prepare('select 1');
    cached.close();
    expect(raw.close).toHaveBeenCalledOnce();
    expect(cached.cachedStatements).toBe(0);
  });

  it('serves Kysely on a real database across a schema change', async () => {
    const db = new Kysely<Db>({
      dialect: new SqliteDialect({ database: cachingSqliteDatabase(new Sqlite(':memory:')) }),
    });
    await db.schema.createTable('items').addColumn('id', 'text').execute();
    const ids = () => db.selectFrom('items').selectAll().execute();
    await db
      .insertInto('items')
      .values({ id: 'x' } as Db['items'])
      .execute();
    expect(await ids()).toEqual([{ id: 'x' }]);
    // The cached `select *` is re-planned by SQLite after the schema change.
    await db.schema.alterTable('items').addColumn('n', 'integer').execute();
    expect(await ids()).toEqual([{ id: 'x', n: null }]);
    await db.destroy();
  });
});
