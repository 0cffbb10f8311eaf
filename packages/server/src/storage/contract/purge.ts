// The contract of bounded storage: batched deletes of what can never be used again, and a lock so that
// many nodes purging at once take turns instead of deleting the same rows.

export interface PurgeRepository {
  /** Deletes up to `limit` refresh tokens that expired before `at`, or whose session has ended. */
  refreshTokens(at: Date, limit: number): Promise<number>;
  /**
   * Deletes up to `limit` sessions expired or revoked before `at` that no refresh token refers to,
   * with their links to the sign-in that opened them.
   */
  sessions(at: Date, limit: number): Promise<number>;
  /** Deletes up to `limit` authorization codes, used or not, that expired before `at`. */
  authorizationCodes(at: Date, limit: number): Promise<number>;
  /**
   * Deletes up to `limit` browser sign-ins expired or ended before `at` that no grant session link
   * and no authorization code refers to.
   */
  signIns(at: Date, limit: number): Promise<number>;
  /**
   * Runs `work` while holding the cluster-wide purge lock (a PostgreSQL advisory lock; on SQLite the
   * database's own write lock serializes each batch), waiting for another node's run to end first.
   */
  exclusively<T>(work: () => Promise<T>): Promise<T>;
}
