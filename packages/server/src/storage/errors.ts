// Constraint violations reported by any storage implementation, in our own terms (the drivers'
// codes differ: SQLITE_CONSTRAINT_* on SQLite, SQLSTATE 23xxx on PostgreSQL).

/** A write broke a uniqueness rule (duplicate id, e-mail within a tenant, name…) or a reference. */
export class StorageConstraintError extends Error {
  override readonly name = 'StorageConstraintError';
  readonly kind: 'unique' | 'foreign_key';
  constructor(kind: StorageConstraintError['kind'], message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
  }
}

/**
 * The database cannot answer now: down, unreachable, too slow, or locked by another writer past the
 * configured timeouts (config/storage.ts). Never a fault of the request: the HTTP layer answers 503
 * with `Retry-After` and `temporarily_unavailable` (RFC 6749 §5.2). The message names no host or
 * setting; the driver's own error rides along as `cause`, for the log only.
 */
export class StorageUnavailableError extends Error {
  override readonly name = 'StorageUnavailableError';
  /** Seconds a client should wait before trying again (the `Retry-After` header, RFC 9110 §10.2.3). */
  readonly retryAfterSeconds: number;
  constructor(reason: string, retryAfterSeconds: number, options?: { cause?: unknown }) {
    super(`the database is unavailable: ${reason}`, options);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** The StorageUnavailableError in `err` or its `cause` chain, if any. */
export function unavailableIn(err: unknown): StorageUnavailableError | undefined {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof StorageUnavailableError) return e;
  }
  return undefined;
}

/** SQLSTATE classes and codes that mean the database, not the query, failed (PostgreSQL appendix A). */
const PG_FAULT_CLASSES = ['08', '53', '57', '58', 'XX'];
const PG_FAULT_CODES = new Set(['55P03', '25P03', '40P01', '25006']);

/**
 * True when a pg error is a fault of the database or the network rather than of the query: a
 * connection refused, reset or timed out (no SQLSTATE, or class 08), a cancelled statement or shut
 * down server (57), out of resources (53), a lock not granted in time (55P03), a deadlock (40P01),
 * an idle transaction ended by the server (25P03), or a write refused by a server that is not (or not
 * yet) the primary (25006: a failover, with HAProxy routing to a member still being promoted).
 */
export function isPgFault(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  const isSqlState = typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
  if (isSqlState) return PG_FAULT_CLASSES.includes(code.slice(0, 2)) || PG_FAULT_CODES.has(code);
  // The client's own failures carry a system code (ECONNREFUSED…) or only a message.
  if (typeof code === 'string' && code.startsWith('E')) return true;
  return /timeout|timed out|terminated|connection|not queryable|ended/i.test(err.message);
}

/** True when a better-sqlite3 error means the file is locked or cannot be read or written. */
export function isSqliteFault(err: unknown): boolean {
  const code = String((err as { code?: unknown } | undefined)?.code ?? '');
  return /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|PROTOCOL|NOMEM)/.test(code);
}

/** True when a better-sqlite3 error is another connection holding the lock (worth waiting for). */
export function isSqliteBusy(err: unknown): boolean {
  const code = String((err as { code?: unknown } | undefined)?.code ?? '');
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
}
