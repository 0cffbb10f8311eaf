// The contract of bounded storage: batched deletes of what can never be used again, and a lock so that
// many nodes purging at once take turns instead of deleting the same rows.

export interface PurgeRepository {
  /** Deletes up to `limit` refresh tokens that expired before `at`, or whose session has ended. */
  refreshTokens(at: Date, limit: number): Promise<number>;
  /** Deletes up to `limit` sessions expired or revoked before `at` that no refresh token refers to. */
  sessions(at: Date, limit: number): Promise<number>;
  /**
   * Runs `work` while holding the cluster-wide purge lock (a PostgreSQL advisory lock; on SQLite the
   * database's own write lock serializes each batch), waiting for another node's run to end first.
   */
  exclusively<T>(work: () => Promise<T>): Promise<T>;
}
