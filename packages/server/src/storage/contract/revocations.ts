// The contract of the revocation-events aggregate: every ended session and every deactivated subject,
// numbered by a position that grows in commit order, for the public revocation feed (docs/revocation.md).
import type { RevocationKind } from '@cxauth/verify';

export type { RevocationKind } from '@cxauth/verify';

/** One revocation: a session (`sid`), a subject (`sub`), a tenant or a client, ended at `at`. */
export interface RevocationEvent {
  readonly position: number;
  readonly kind: RevocationKind;
  /** The session id, `user:<id>`/`app:<client_id>`, tenant id or client id, in clear (never published). */
  readonly value: string;
  readonly at: Date;
}

/** Where the feed stands: the last position written, and the last one purged (0 when none). */
export interface RevocationHead {
  readonly position: number;
  readonly purgedThrough: number;
}

export interface RevocationRepository {
  head(): Promise<RevocationHead>;
  /** The events after `position`, in order, at most `limit`. */
  after(position: number, limit: number): Promise<RevocationEvent[]>;
  /** The events at or after `since`, in order: what a snapshot holds. */
  since(since: Date): Promise<RevocationEvent[]>;
  /**
   * Records the revocation of one access token by its `jti` (an application's own token, which has
   * no session), published by the feed until it is purged (once the token has expired).
   */
  revokeToken(jti: string, at: Date): Promise<void>;
  /** Whether the token `jti` was revoked at or after `since` (its issue time). */
  isTokenRevoked(jti: string, since: Date): Promise<boolean>;
  /** Deletes the events before `before` (at most `limit`); returns how many. */
  purge(before: Date, limit: number): Promise<number>;
}
