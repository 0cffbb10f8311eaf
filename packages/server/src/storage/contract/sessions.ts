// The contract of the sessions aggregate: sessions and the refresh tokens that carry them on.
import type { SessionSignIn } from '../../domain/sign-in.js';
import type { RefreshToken, Session } from '../../domain/types.js';

export type RotationResult =
  /**
   * The presented token was current: it is now used, and `next` is stored. `grace`: it had been used
   * just before, within the grace period, and this is the one retry it is answered.
   */
  | { outcome: 'rotated'; session: Session; grace?: boolean }
  /** The presented token had already been used: a replay. The session is now revoked. */
  | { outcome: 'reused'; session: Session }
  /**
   * No such token (or its session is revoked or expired, or the token expired), or a used token whose
   * one grace-period retry was already answered, presented again within the grace period.
   */
  | { outcome: 'invalid' };

/** Which sessions a list returns; `openAt` keeps only sessions neither revoked nor expired then. */
export interface SessionFilter {
  tenantId?: string;
  userId?: string;
  clientId?: string;
  openAt?: Date;
}

export interface SessionRepository {
  /** Sessions matching `filter`, oldest first (then by id). */
  list(filter: SessionFilter): Promise<Session[]>;
  /** Opens a session with its first refresh token, atomically. */
  create(session: Session, first: RefreshToken): Promise<void>;
  get(id: string): Promise<Session | undefined>;
  /**
   * The current state of a refresh token and its session, without changing anything; `signIn` when a
   * sign-in opened the session (its auth_time and amr, as `signIn.sessionSignIn` gives them).
   */
  findRefreshToken(
    tokenHash: Buffer,
  ): Promise<{ token: RefreshToken; session: Session; signIn?: SessionSignIn } | undefined>;
  /**
   * Exchanges a refresh token atomically: of any number of concurrent calls with one token, at most one
   * returns `rotated` (RFC 9700 §4.14.2). A token seen again after its use revokes its whole session,
   * except within `graceMs` of its use (default 0: never): then the first such retry is `rotated`
   * (`grace: true`, the session's other unused token spent) and later ones `invalid`.
   */
  rotate(presentedHash: Buffer, next: RefreshToken, at: Date, graceMs?: number): Promise<RotationResult>;
  revoke(id: string, reason: string, at: Date): Promise<boolean>;
  /** Revokes every open session of a user, opened with an access key, or of a client; returns how many. */
  revokeByUser(userId: string, reason: string, at: Date): Promise<number>;
  revokeByAccessKey(accessKeyId: string, reason: string, at: Date): Promise<number>;
  revokeByClient(clientId: string, reason: string, at: Date): Promise<number>;
  /** How many sessions are open at `at` (neither revoked nor expired); the database stops at `timeoutMs`. */
  countActive(at: Date, timeoutMs: number): Promise<number>;
}
