// The contract of the audit_events aggregate: what happened, to which record, by whom; never a secret.

/** A detail value: plain data only (ids, names, counts, flags). */
export type AuditDetail = string | number | boolean | null;

export interface AuditEvent {
  /** Unique, time-ordered within one node. */
  readonly id: string;
  readonly at: Date;
  /** A dotted name from observability/audit.ts `AUDIT_EVENT_TYPES`, e.g. `grant.refused`. */
  readonly type: string;
  /** Who did it: `cli`, `client:<client_id>`, `address:<ip>`… (null when unknown). */
  readonly actor: string | null;
  /** The record it concerns, e.g. `tenant:<id>`, `access_key:<id>`, `session:<id>`. */
  readonly subject: string | null;
  readonly tenantId: string | null;
  readonly address: string | null;
  readonly details: Readonly<Record<string, AuditDetail>>;
}

export interface AuditEventFilter {
  readonly since?: Date;
  readonly type?: string;
  /** Only events of this tenant (an Administrator's view). */
  readonly tenantId?: string;
  /** Only events by one of these actors (`user:<id>`, `client:<id>`, `cli`…). */
  readonly actors?: readonly string[];
  /** Keyset paging: only events older than this one (by time, then id), as the order lists them. */
  readonly before?: { readonly at: Date; readonly id: string };
  /** At most this many, newest first (default 100). */
  readonly limit?: number;
}

export interface AuditEventRepository {
  append(events: readonly AuditEvent[]): Promise<void>;
  /** Newest first. A `type` ending in `.` or `*` matches a prefix (`grant.*`). */
  list(filter?: AuditEventFilter): Promise<AuditEvent[]>;
  /** Deletes up to `limit` events older than `before`; returns how many. */
  purge(before: Date, limit: number): Promise<number>;
}
