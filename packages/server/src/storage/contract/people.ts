// The contract of people's accounts: the mail outbox (claimed under a lease by one node's worker, as
// the webhook outbox is), single-use password reset, invitation and e-mail verification links (stored
// as keyed hashes).

/** Where a mail stands: waiting (or waiting for its retry), sent, or given up. */
export type MailState = 'pending' | 'sent' | 'failed';

export interface OutboxMail {
  readonly id: string;
  readonly tenantId: string | null;
  /** Which template wrote it (the metrics' label; the body is sealed). */
  readonly template: string;
  /** The recipient, subject and bodies, sealed with the KEK (mail/outbox.ts). */
  readonly sealed: Buffer;
  readonly state: MailState;
  readonly attempts: number;
  readonly nextAttemptAt: Date;
  readonly createdAt: Date;
  readonly lastError?: string | null;
  readonly sentAt?: Date | null;
}

export interface PasswordReset {
  readonly tokenHash: Buffer;
  readonly userId: string;
  readonly tenantId: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly usedAt: Date | null;
}

export interface Invitation {
  readonly id: string;
  readonly tokenHash: Buffer;
  readonly tenantId: string;
  /** Lower case. */
  readonly email: string;
  readonly role: string;
  /** Who invited, as the audit trail names actors (`user:<id>`, `cli`). */
  readonly invitedBy: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly usedAt: Date | null;
  readonly revokedAt: Date | null;
}

/** A mailed e-mail verification link (docs/people.md#e-mail-verification-at-sign-in). */
export interface EmailVerification {
  readonly tokenHash: Buffer;
  readonly userId: string;
  readonly tenantId: string;
  /** The keyed hash of the browser that signed in, whose sign-in the link may continue; null: none. */
  readonly browserHash: Buffer | null;
  /** That sign-in, sealed (interaction/email-verification.ts); null: none to continue. */
  readonly signIn: string | null;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly usedAt: Date | null;
}

export interface PeopleRepository {
  enqueueMail(mail: OutboxMail): Promise<void>;
  /** Leases up to `limit` due pending mails to `owner` for `leaseMs` (skipping other nodes' leases). */
  claimMail(now: Date, leaseMs: number, limit: number, owner: string): Promise<OutboxMail[]>;
  /** Records an attempt's outcome while `owner` still holds the lease; false when it does not. */
  completeMail(
    id: string,
    owner: string,
    outcome: { state: MailState; attempts: number; nextAttemptAt: Date; error: string | null; at: Date },
  ): Promise<boolean>;
  getMail(id: string): Promise<OutboxMail | undefined>;
  /** Mails waiting to be sent (the queue gauge). */
  pendingMail(): Promise<number>;
  /** Deletes up to `limit` sent or failed mails created before `before`. */
  purgeMail(before: Date, limit: number): Promise<number>;

  createReset(reset: PasswordReset): Promise<void>;
  /** The reset of a token hash, used or not. */
  getReset(tokenHash: Buffer): Promise<PasswordReset | undefined>;
  /** Spends a reset atomically: true for the one caller that found it unused and unexpired at `at`. */
  useReset(tokenHash: Buffer, at: Date): Promise<boolean>;
  /** Spends every unused reset of a user (once one of them set the password); returns how many. */
  endResets(userId: string, at: Date): Promise<number>;
  /** Deletes up to `limit` resets that expired before `at`. */
  purgeResets(at: Date, limit: number): Promise<number>;
  createInvitation(invitation: Invitation): Promise<void>;
  getInvitation(id: string): Promise<Invitation | undefined>;
  invitationByToken(tokenHash: Buffer): Promise<Invitation | undefined>;
  /** A tenant's invitations, newest first. */
  listInvitations(tenantId: string): Promise<Invitation[]>;
  /** Revokes an unused invitation; false when it was used or revoked already. */
  revokeInvitation(id: string, at: Date): Promise<boolean>;
  /** Spends an invitation atomically: true for the one caller that found it open and unexpired. */
  useInvitation(tokenHash: Buffer, at: Date): Promise<boolean>;
  /** Deletes up to `limit` invitations that expired before `at` (used, revoked or never accepted). */
  purgeInvitations(at: Date, limit: number): Promise<number>;
  createVerification(verification: EmailVerification): Promise<void>;
  /** The verification link of a token hash, used or not. */
  getVerification(tokenHash: Buffer): Promise<EmailVerification | undefined>;
  /** Spends a link atomically: true for the one caller that found it unused and unexpired at `at`. */
  useVerification(tokenHash: Buffer, at: Date): Promise<boolean>;
  /** Spends every unused link of a user (once one of them verified the address); returns how many. */
  endVerifications(userId: string, at: Date): Promise<number>;
  /** Deletes up to `limit` links that expired before `at` or were spent. */
  purgeVerifications(at: Date, limit: number): Promise<number>;
  /**
   * Marks a user's e-mail verified (OIDC Core §5.1 `email_verified`), growing the revision when it
   * changed, so cached views of the user (the token endpoint's) read it again.
   */
  markEmailVerified(userId: string): Promise<void>;
  /** Ends every open browser sign-in of a user (after a password reset). */
  endSignIns(userId: string, at: Date): Promise<number>;
}
