// The revocation_events table (one row per revocation, by position) and revocation_feed (one row: the
// last position handed out and the last one purged).
import type { ColumnType, Selectable } from 'kysely';
import type { RevocationEvent, RevocationKind } from '../../contract/revocations.js';
import { type Millis, toDate } from '../rows.js';

export interface RevocationEventsTable {
  /** bigint: read back as a number (SQLite) or a string (PostgreSQL). */
  position: ColumnType<number | string, number, never>;
  kind: RevocationKind;
  value: string;
  at: Millis;
}

export interface RevocationFeedTable {
  /** Always 1. */
  id: number;
  position: ColumnType<number | string, number, number>;
  purged_through: ColumnType<number | string, number, number>;
}

export const revocationEventRow = {
  from: (r: Selectable<RevocationEventsTable>): RevocationEvent => ({
    position: Number(r.position),
    kind: r.kind,
    value: r.value,
    at: toDate(r.at),
  }),
};
