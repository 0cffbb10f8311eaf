// The revision table: one row whose value grows with every change to a tenant, user, application or
// access key (see docs/storage.md, "The revision").
import type { ColumnType } from 'kysely';

export interface RevisionTable {
  /** Always 1: the table holds one row. */
  id: number;
  /** Read back as a number (SQLite) or a string (PostgreSQL bigint). */
  value: ColumnType<number | string, number, never>;
}
