// Sign-in rows: credentials, sign-in sessions, authorization codes and session links, and their mapping.
import type { Selectable } from 'kysely';
import type {
  AuthMethod,
  AuthorizationCode,
  SessionSignIn,
  SignInSession,
  UserCredentials,
} from '../../../domain/sign-in.js';
import { type Millis, type NullableMillis, toDate, toDateOrNull } from '../rows.js';

export interface UserCredentialsTable {
  user_id: string;
  password_hash: string | null;
  totp_secret_encrypted: Buffer | null;
  totp_last_step: NullableMillis;
  updated_at: Millis;
}

export interface SignInsTable {
  id: string;
  token_hash: Buffer;
  user_id: string;
  tenant_id: string;
  auth_time: Millis;
  /** JSON list of RFC 8176 values. */
  amr: string;
  /** The identity provider it came through (migration 0023). */
  idp: string | null;
  created_at: Millis;
  expires_at: Millis;
  ended_at: NullableMillis;
}

export interface SignInSessionsTable {
  session_id: string;
  sign_in_id: string;
  auth_time: Millis;
  amr: string;
  /** The IdP of the sign-in (migration 0023). */
  idp: string | null;
}

export interface AuthorizationCodesTable {
  code_hash: Buffer;
  client_id: string;
  redirect_uri: string;
  code_challenge: string;
  scope: string;
  nonce: string | null;
  /** RFC 8707 `resource` of the authorization request (migration 0010). */
  resource: string | null;
  user_id: string;
  tenant_id: string;
  sign_in_id: string;
  auth_time: Millis;
  amr: string;
  /** The IdP of a federated sign-in (migration 0023). */
  idp: string | null;
  created_at: Millis;
  expires_at: Millis;
  used_at: NullableMillis;
  session_id: string | null;
  replayed_at: NullableMillis;
  /** RFC 9449 §10 `dpop_jkt` (migration 0026). */
  dpop_jkt: string | null;
}

const amrOf = (text: string): AuthMethod[] => JSON.parse(text) as AuthMethod[];

export const credentialsRow = {
  from: (r: Selectable<UserCredentialsTable>): UserCredentials => ({
    userId: r.user_id,
    passwordHash: r.password_hash,
    totpSecretEncrypted: r.totp_secret_encrypted ? Buffer.from(r.totp_secret_encrypted) : null,
    totpLastStep: r.totp_last_step === null ? null : Number(r.totp_last_step),
    updatedAt: toDate(r.updated_at),
  }),
};

export const signInRow = {
  from: (r: Selectable<SignInsTable>): SignInSession => ({
    id: r.id,
    tokenHash: Buffer.from(r.token_hash),
    userId: r.user_id,
    tenantId: r.tenant_id,
    authTime: toDate(r.auth_time),
    amr: amrOf(r.amr),
    ...(r.idp === null ? {} : { idp: r.idp }),
    createdAt: toDate(r.created_at),
    expiresAt: toDate(r.expires_at),
    endedAt: toDateOrNull(r.ended_at),
  }),
  to: (s: SignInSession) => ({
    id: s.id,
    token_hash: s.tokenHash,
    user_id: s.userId,
    tenant_id: s.tenantId,
    auth_time: s.authTime.getTime(),
    amr: JSON.stringify(s.amr),
    idp: s.idp ?? null,
    created_at: s.createdAt.getTime(),
    expires_at: s.expiresAt.getTime(),
    ended_at: s.endedAt ? s.endedAt.getTime() : null,
  }),
};

export const codeRow = {
  from: (r: Selectable<AuthorizationCodesTable>): AuthorizationCode => ({
    codeHash: Buffer.from(r.code_hash),
    clientId: r.client_id,
    redirectUri: r.redirect_uri,
    codeChallenge: r.code_challenge,
    scope: r.scope,
    nonce: r.nonce,
    resource: r.resource ?? null,
    userId: r.user_id,
    tenantId: r.tenant_id,
    signInId: r.sign_in_id,
    authTime: toDate(r.auth_time),
    amr: amrOf(r.amr),
    ...(r.idp === null ? {} : { idp: r.idp }),
    createdAt: toDate(r.created_at),
    expiresAt: toDate(r.expires_at),
    usedAt: toDateOrNull(r.used_at),
    sessionId: r.session_id,
    ...(r.dpop_jkt ? { dpopJkt: r.dpop_jkt } : {}),
  }),
  to: (c: AuthorizationCode) => ({
    code_hash: c.codeHash,
    client_id: c.clientId,
    redirect_uri: c.redirectUri,
    code_challenge: c.codeChallenge,
    scope: c.scope,
    nonce: c.nonce,
    resource: c.resource,
    user_id: c.userId,
    tenant_id: c.tenantId,
    sign_in_id: c.signInId,
    auth_time: c.authTime.getTime(),
    amr: JSON.stringify(c.amr),
    idp: c.idp ?? null,
    created_at: c.createdAt.getTime(),
    expires_at: c.expiresAt.getTime(),
    used_at: c.usedAt ? c.usedAt.getTime() : null,
    session_id: c.sessionId,
    replayed_at: null,
    dpop_jkt: c.dpopJkt ?? null,
  }),
};

export const linkRow = {
  from: (r: Selectable<SignInSessionsTable>): SessionSignIn => ({
    sessionId: r.session_id,
    signInId: r.sign_in_id,
    authTime: toDate(r.auth_time),
    amr: amrOf(r.amr),
    ...(r.idp === null || r.idp === undefined ? {} : { idp: r.idp }),
  }),
};
