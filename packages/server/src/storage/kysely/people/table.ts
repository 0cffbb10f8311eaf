// Rows of people's accounts: times epoch ms, sealed bodies and token hashes as bytes.
import type { Selectable } from 'kysely';
import type {
  EmailVerification,
  Invitation,
  MailState,
  OutboxMail,
  PasswordReset,
} from '../../contract/people.js';
import { type Millis, type NullableMillis, toDate, toDateOrNull } from '../rows.js';

export interface MailOutboxTable {
  id: string;
  tenant_id: string | null;
  template: string;
  sealed: Buffer;
  state: string;
  attempts: number;
  next_attempt_at: Millis;
  lease_owner: string | null;
  lease_until: NullableMillis;
  last_error: string | null;
  created_at: Millis;
  sent_at: NullableMillis;
}

export interface PasswordResetsTable {
  token_hash: Buffer;
  user_id: string;
  tenant_id: string;
  created_at: Millis;
  expires_at: Millis;
  used_at: NullableMillis;
}

export interface EmailVerificationsTable {
  token_hash: Buffer;
  user_id: string;
  tenant_id: string;
  browser_hash: Buffer | null;
  sign_in: string | null;
  created_at: Millis;
  expires_at: Millis;
  used_at: NullableMillis;
}

export const verificationRow = {
  to: (v: EmailVerification) => ({
    token_hash: v.tokenHash,
    user_id: v.userId,
    tenant_id: v.tenantId,
    browser_hash: v.browserHash,
    sign_in: v.signIn,
    created_at: v.createdAt.getTime(),
    expires_at: v.expiresAt.getTime(),
    used_at: v.usedAt ? v.usedAt.getTime() : null,
  }),
  from: (r: Selectable<EmailVerificationsTable>): EmailVerification => ({
    tokenHash: Buffer.from(r.token_hash),
    userId: r.user_id,
    tenantId: r.tenant_id,
    browserHash: r.browser_hash === null ? null : Buffer.from(r.browser_hash),
    signIn: r.sign_in,
    createdAt: toDate(r.created_at),
    expiresAt: toDate(r.expires_at),
    usedAt: toDateOrNull(r.used_at),
  }),
};

export interface InvitationsTable {
  id: string;
  token_hash: Buffer;
  tenant_id: string;
  email: string;
  role: string;
  invited_by: string;
  created_at: Millis;
  expires_at: Millis;
  used_at: NullableMillis;
  revoked_at: NullableMillis;
}

export const invitationRow = {
  to: (i: Invitation) => ({
    id: i.id,
    token_hash: i.tokenHash,
    tenant_id: i.tenantId,
    email: i.email,
    role: i.role,
    invited_by: i.invitedBy,
    created_at: i.createdAt.getTime(),
    expires_at: i.expiresAt.getTime(),
    used_at: i.usedAt ? i.usedAt.getTime() : null,
    revoked_at: i.revokedAt ? i.revokedAt.getTime() : null,
  }),
  from: (r: Selectable<InvitationsTable>): Invitation => ({
    id: r.id,
    tokenHash: Buffer.from(r.token_hash),
    tenantId: r.tenant_id,
    email: r.email,
    role: r.role,
    invitedBy: r.invited_by,
    createdAt: toDate(r.created_at),
    expiresAt: toDate(r.expires_at),
    usedAt: toDateOrNull(r.used_at),
    revokedAt: toDateOrNull(r.revoked_at),
  }),
};

export const mailRow = {
  to: (m: OutboxMail) => ({
    id: m.id,
    tenant_id: m.tenantId,
    template: m.template,
    sealed: m.sealed,
    state: m.state,
    attempts: m.attempts,
    next_attempt_at: m.nextAttemptAt.getTime(),
    lease_owner: null,
    lease_until: null,
    last_error: m.lastError ?? null,
    created_at: m.createdAt.getTime(),
    sent_at: m.sentAt ? m.sentAt.getTime() : null,
  }),
  from: (r: Selectable<MailOutboxTable>): OutboxMail => ({
    id: r.id,
    tenantId: r.tenant_id,
    template: r.template,
    sealed: Buffer.from(r.sealed),
    state: r.state as MailState,
    attempts: r.attempts,
    nextAttemptAt: toDate(r.next_attempt_at),
    createdAt: toDate(r.created_at),
    lastError: r.last_error,
    sentAt: toDateOrNull(r.sent_at),
  }),
};

export const resetRow = {
  to: (r: PasswordReset) => ({
    token_hash: r.tokenHash,
    user_id: r.userId,
    tenant_id: r.tenantId,
    created_at: r.createdAt.getTime(),
    expires_at: r.expiresAt.getTime(),
    used_at: r.usedAt ? r.usedAt.getTime() : null,
  }),
  from: (r: Selectable<PasswordResetsTable>): PasswordReset => ({
    tokenHash: Buffer.from(r.token_hash),
    userId: r.user_id,
    tenantId: r.tenant_id,
    createdAt: toDate(r.created_at),
    expiresAt: toDate(r.expires_at),
    usedAt: toDateOrNull(r.used_at),
  }),
};
