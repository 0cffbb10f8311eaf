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
