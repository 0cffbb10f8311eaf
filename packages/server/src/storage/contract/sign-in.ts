// The contract of the sign-in aggregate: credentials, browser sign-in sessions, authorization codes,
// and the link from grant sessions to the sign-in that opened them.
import type {
  AuthMethod,
  AuthorizationCode,
  SessionSignIn,
  SignInSession,
  UserCredentials,
} from '../../domain/sign-in.js';
import type { User } from '../../domain/types.js';

/** What a code claim found. */
export type CodeClaim =
  /** The code was unused and unexpired: it is now used, bound to `sessionId`. */
  | { outcome: 'claimed'; code: AuthorizationCode }
  /** The code had been used: a replay. `code.sessionId` is what the first exchange opened. */
  | { outcome: 'replayed'; code: AuthorizationCode }
  | { outcome: 'invalid' };

export interface SignInRepository {
  credentials(userId: string): Promise<UserCredentials | undefined>;
  /** Sets (or replaces) a user's password hash. */
  setPassword(userId: string, passwordHash: string, at: Date): Promise<void>;
  /** Sets a user's TOTP secret (null removes it); the last used step starts again. */
  setTotp(userId: string, encrypted: Buffer | null, at: Date): Promise<void>;
  /**
   * Records `step` as used when it is later than the stored one, atomically: of two sign-ins with the
   * same code, one wins (RFC 6238 §5.2).
   */
  useTotpStep(userId: string, step: number): Promise<boolean>;
  /**
   * Users whose e-mail is `email` (ASCII case-insensitive), oldest first: in `tenantId` when given,
   * else in every tenant (at most 20 of them).
   */
  usersByEmail(email: string, tenantId?: string): Promise<User[]>;

  openSignIn(session: SignInSession): Promise<void>;
  /** A sign-in by its id, ended or not. */
  signIn(id: string): Promise<SignInSession | undefined>;
  /** The sign-in of a cookie (by its hash), ended or not. */
  signInByToken(tokenHash: Buffer): Promise<SignInSession | undefined>;
  /** Records a new authentication within a sign-in (`prompt=login`, past `max_age`). */
  reauthenticate(id: string, authTime: Date, amr: readonly AuthMethod[], idp?: string | null): Promise<void>;
  /** Ends a sign-in; returns the ids of the grant sessions it opened (for the caller to revoke). */
  endSignIn(id: string, at: Date): Promise<string[]>;

  /**
   * Stores a code, then drops the oldest unexchanged codes of its sign-in past `keepUnexchanged`
   * (the new one always stays), so a signed-in browser cannot grow the table without bound.
   */
  createCode(code: AuthorizationCode, keepUnexchanged: number): Promise<void>;
  /**
   * Spends a code atomically (at most one of concurrent claims wins) and binds it to the grant
   * session its exchange opens. A used code is reported `replayed` and marked so.
   * @see RFC 6749 §4.1.2, §10.5
   */
  claimCode(codeHash: Buffer, sessionId: string, at: Date): Promise<CodeClaim>;
  /** True when the code was presented again after its claim (checked after the exchange). */
  codeReplayed(codeHash: Buffer): Promise<boolean>;

  linkSession(link: SessionSignIn): Promise<void>;
  sessionSignIn(sessionId: string): Promise<SessionSignIn | undefined>;
}
