// What every table's row mapping shares: how times, statuses and constraint failures are represented.
// Times are integer epoch milliseconds (PostgreSQL returns bigint as a string, hence the read type),
// booleans are integers and lists are JSON text, so that one set of queries serves SQLite and
// PostgreSQL alike.
import type { ColumnType } from 'kysely';
import type { Status } from '../../domain/types.js';
import { StorageConstraintError } from '../errors.js';

/** The two databases one set of queries serves. */
export type Dialect = 'sqlite' | 'postgres';

/** Epoch milliseconds: written as a number, read back as a number (SQLite) or a string (PG bigint). */
export type Millis = ColumnType<number | string, number, number>;
export type NullableMillis = ColumnType<number | string | null, number | null, number | null>;

/** Reads an epoch-milliseconds column (number on SQLite, string for a PostgreSQL bigint). */
export function toDate(value: number | string): Date {
  return new Date(Number(value));
}

export function toDateOrNull(value: number | string | null): Date | null {
  return value === null ? null : toDate(value);
}

/** Reads a status column; anything but `active` is inactive. */
export function status(value: string): Status {
  return value === 'active' ? 'active' : 'inactive';
}

/** Runs a write, turning the drivers' constraint failures into {@link StorageConstraintError}. */
export async function constrained<T>(what: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    const code = String((err as { code?: unknown }).code ?? '');
    if (code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
      throw new StorageConstraintError('unique', `${what} already exists`, { cause: err });
    }
    if (code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
      throw new StorageConstraintError('foreign_key', `${what} refers to a record that does not exist`, {
        cause: err,
      });
    }
    throw err;
  }
}
