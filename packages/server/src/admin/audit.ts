// What the admin API records of every change it makes. Until the audit trail stores events, each
// change is one JSON line in the service log (never a secret: only ids, names and the fields changed).
import type { FastifyBaseLogger } from 'fastify';

export interface AdminChange {
  /** e.g. `application.created`, `access_key.updated`, `application.secret_rotated`. */
  readonly action: string;
  /** The user who made the change. */
  readonly actor: string;
  readonly tenantId: string | null;
  /** The kind and id of what changed. */
  readonly target: { kind: string; id: string };
  /** The names of the fields changed (never their secret values). */
  readonly fields?: readonly string[];
}

/** Records one admin change (to the audit trail once it exists; to the log now). */
export function recordAdminChange(log: FastifyBaseLogger, change: AdminChange, at: Date): void {
  log.info({ audit: { ...change, at: at.toISOString() } }, 'admin change');
}
