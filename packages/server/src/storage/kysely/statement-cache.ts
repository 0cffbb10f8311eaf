// A better-sqlite3 database as Kysely's SqliteDialect sees it, with prepared statements kept: the
// driver calls `prepare(sql)` for every query, and SQLite would otherwise parse and plan each time.
import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import type { SqliteDatabase as KyselySqliteDatabase } from 'kysely';

/** Distinct SQL texts kept; the service uses a few dozen, admin filters add a handful more. */
export const STATEMENT_CACHE_SIZE = 256;

/** The database handed to `SqliteDialect`, and how many statements it holds (for tests). */
export interface CachingSqliteDatabase extends KyselySqliteDatabase {
  readonly cachedStatements: number;
}

/**
 * Wraps `database` so that each distinct SQL text is prepared once. Reusing a statement is safe here:
 * Kysely's SQLite driver runs one query at a time on its single connection, and a statement finishes
 * (`all`/`run`) before the next query starts. SQLite re-prepares a statement by itself after a schema
 * change (migrations), so entries never go stale. When full, the oldest entry is dropped.
 */
export function cachingSqliteDatabase(
  database: SqliteDatabase,
  maxStatements = STATEMENT_CACHE_SIZE,
): CachingSqliteDatabase {
  const statements = new Map<string, Statement>();
  return {
    prepare(sql: string): Statement {
      const cached = statements.get(sql);
      if (cached) return cached;
      const statement = database.prepare(sql);
      if (statements.size >= maxStatements) {
        // Maps iterate in insertion order: the first key is the oldest.
        const oldest = statements.keys().next().value;
        if (oldest !== undefined) statements.delete(oldest);
      }
      statements.set(sql, statement);
      return statement;
    },
    close() {
      statements.clear();
      database.close();
    },
    get cachedStatements() {
      return statements.size;
    },
  };
}
