// The domain model of people signing in: their credentials, their sign-in sessions (the browser's
// single sign-on), the authorization codes handed to apps, and which grant sessions a sign-in opened.

/** Authentication methods (RFC 8176 §2): a password, a one-time password, more than one factor. */
export type AuthMethod = 'pwd' | 'otp' | 'hwk' | 'mfa';

/** A user's sign-in credentials; either part may be absent. */
export interface UserCredentials {
  userId: string;
  /** PHC string of the memory-hard hash (secrets/passwords.ts). */
  passwordHash: string | null;
  /** The TOTP secret sealed with the KEK (keys/kek.ts), bound to the user id. */
  totpSecretEncrypted: Buffer | null;
  /** The last TOTP time step accepted: no code of it or before it is accepted again. */
  totpLastStep: number | null;
  updatedAt: Date;
}

/** A sign-in of one browser: its cookie exists only as `tokenHash`. */
export interface SignInSession {
  /** Public id, linking the grant sessions opened from it. */
  id: string;
  tokenHash: Buffer;
  userId: string;
  tenantId: string;
  /** When the user authenticated (id_token `auth_time`, kept across single sign-on). */
  authTime: Date;
  amr: AuthMethod[];
  createdAt: Date;
  expiresAt: Date;
  endedAt: Date | null;
}

/** An authorization code: single use, short-lived, bound to its app, redirect URI and PKCE challenge. */
export interface AuthorizationCode {
  codeHash: Buffer;
  clientId: string;
  redirectUri: string;
  /** BASE64URL(SHA256(code_verifier)) (RFC 7636 §4.2, S256 only). */
  codeChallenge: string;
  scope: string;
  nonce: string | null;
  /** The authorization request's `resource` (RFC 8707), checked for the app. */
  resource: string | null;
  userId: string;
  tenantId: string;
  signInId: string;
  authTime: Date;
  amr: AuthMethod[];
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
  /** The grant session its exchange opened, so a replay can end it (RFC 6749 §4.1.2). */
  sessionId: string | null;
}

/** The sign-in a grant session came from: its `auth_time` and `amr` outlive refreshes. */
export interface SessionSignIn {
  sessionId: string;
  signInId: string;
  authTime: Date;
  amr: AuthMethod[];
}
