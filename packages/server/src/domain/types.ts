// The domain model of the global authentication service: what is stored, in our own types
// (storage maps rows to these; nothing else sees a row).
import type { AppType, GrantName, Tenancy } from './app-types.js';

export type Status = 'active' | 'inactive';

/** A deployment area (e.g. `na1`): where its tenants' APIs and UIs live. */
export interface Area {
  name: string;
  domain: string;
  acdDomain: string;
  uhDomain: string;
  uiEndpoint: string;
  authEndpoint: string;
  apiEndpoint: string;
  createdAt: Date;
}

/** A tenant (business unit). `id` is a UUID; `name` is the `tenant` claim. */
export interface Tenant {
  id: string;
  name: string;
  area: string;
  /** Routing cluster shown by tenant discovery (`cluster`, e.g. `B32`). */
  cluster: string;
  /** Legacy business-unit id (`icBUId`), a signed 32-bit integer. */
  businessUnitId: number;
  /** Legacy cluster id (`icClusterId`, e.g. `DO31`). */
  clusterId: string;
  private: boolean;
  /**
   * Whether its users may create access keys for themselves (default true); its Administrators and
   * operators always may (docs/admin-api.md, "Access keys: who may create them").
   */
  accessKeySelfService?: boolean;
  /** Whether users of domains its identity providers claim must sign in through them (docs/sso.md). */
  ssoRequired?: boolean;
  /** Its shortest password (8 to 64); absent: the service's CXAUTH_PASSWORD_MIN_LENGTH (docs/people.md). */
  passwordMinLength?: number;
  /** Whether its people must verify their e-mail before a sign-in gets a code (docs/people.md). */
  emailVerificationRequired?: boolean;
  status: Status;
  createdAt: Date;
  updatedAt: Date;
}

export interface SecondaryRole {
  id: string;
  /** Milliseconds since the epoch, as in the reference token. */
  lastUpdateTime: number;
}

export interface Role {
  id: string;
  legacyId: string;
  lastUpdateTime: number;
  secondaryRoles: SecondaryRole[];
}

export interface User {
  id: string;
  tenantId: string;
  /** Login name, usually the e-mail address (the `name` claim). */
  email: string;
  givenName: string | null;
  familyName: string | null;
  role: Role;
  /** A platform operator manages every tenant through the admin API (docs/admin-api.md, "Roles"). */
  operator?: boolean;
  /** The person showed they read mail at `email` (OIDC Core §5.1 `email_verified`). */
  emailVerified?: boolean;
  status: Status;
  createdAt: Date;
  updatedAt: Date;
}

export type { AppType, GrantName, Tenancy };

/**
 * A registered application (OAuth client). The secret exists only as `secretHash` (null for a public
 * application, which has none). What each type may be allowed is domain/app-types.ts.
 */
export interface Application {
  clientId: string;
  /** Fixed at creation. */
  type: AppType;
  secretHash: Buffer | null;
  name: string;
  /** Exact origins (scheme://host[:port]) allowed for browser calls (CORS). */
  origins: string[];
  /** The grants it may use: a subset of what its type may be allowed. */
  grantTypes: GrantName[];
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  /** The scopes it may request (see protocol/scope.ts). */
  scopes: string[];
  /** `single` exactly when `tenantId` is set. */
  tenancy: Tenancy;
  /**
   * Run by the platform itself (the console, the demo's apps): no consent page, and the only kind
   * that may hold the `admin` scope. Only operators set it (docs/admin.md, "First-party applications").
   */
  firstParty: boolean;
  /** When set, only users of this tenant may obtain tokens through the application. */
  tenantId: string | null;
  /**
   * Every access token of this application is bound to a DPoP key: a token request without a proof
   * is refused (RFC 9449 §5; docs/security.md "DPoP"). Absent reads as false.
   */
  dpopBoundAccessTokens?: boolean;
  /**
   * The secret replaced by the last rotation, valid until `expiresAt` so that the application's
   * instances can roll over without downtime (docs/admin-api.md, "Rotating a client secret").
   */
  previousSecret?: { hash: Buffer; expiresAt: Date } | null;
  status: Status;
  createdAt: Date;
  updatedAt: Date;
}

/** An access key of a user. `id` is the public accessKeyId; the secret exists only as `secretHash`. */
export interface AccessKey {
  id: string;
  userId: string;
  tenantId: string;
  secretHash: Buffer;
  status: Status;
  createdAt: Date;
  lastUsedAt: Date | null;
  /**
   * Who switched the key off, while it is off: its `owner`, or an `administrator` (an Administrator
   * of its tenant, an operator or the CLI) — whose decision the owner cannot undo.
   */
  deactivatedBy?: 'owner' | 'administrator' | null;
}

/** The JWS algorithm of a signing key (CXAUTH_SIGNING_ALG picks the one of new keys). @see RFC 7518 §3, RFC 8037 §3.1 */
export type SigningAlg = 'RS256' | 'ES256' | 'EdDSA';

/** The public members of a signing key's JWK, by key type (RFC 7518 §6, RFC 8037 §2). */
export type PublicKeyJwk =
  | { kty: 'RSA'; n: string; e: string }
  | { kty: 'EC'; crv: 'P-256'; x: string; y: string }
  | { kty: 'OKP'; crv: 'Ed25519'; x: string };

/**
 * The life of a signing key (docs/operations.md, "Signing keys and rotation"): `published` (in the
 * JWKS, not signing yet), `signing`, `retired` (published, no longer signing, until the last token it
 * signed has expired), `removed` (gone from the JWKS). Stored as last seen; keys/states.ts derives the
 * current state from the timestamps, so every node agrees without coordination.
 */
export type SigningKeyState = 'published' | 'signing' | 'retired' | 'removed';

/** A signing key: its public JWK, its private key sealed with the KEK, and the times of its life. */
export interface SigningKey {
  kid: string;
  alg: SigningAlg;
  /** Public JWK members only, without kid, alg or use. */
  publicJwk: PublicKeyJwk;
  /** The PKCS#8 private key, encrypted with the key-encryption key (see keys/kek.ts). */
  privateKeyEncrypted: Buffer;
  state: SigningKeyState;
  createdAt: Date;
  /** In the JWKS from this time. */
  publishAt: Date;
  /** May sign from this time: long enough after `publishAt` for every verifier to have fetched it. */
  signFrom: Date;
  /** Set by `retire`: signs no more from this time. */
  retiredAt: Date | null;
}

/** A login session: the family of refresh tokens that descend from one grant. */
export interface Session {
  id: string;
  clientId: string;
  userId: string;
  tenantId: string;
  /** The access key the session was opened with (null for other grants). */
  accessKeyId: string | null;
  scope: string;
  createdAt: Date;
  /** Absolute end of the session: refresh tokens never outlive it. */
  expiresAt: Date;
  revokedAt: Date | null;
  revokedReason: string | null;
  /**
   * The DPoP key (RFC 7638 thumbprint) a public client's refresh tokens of this session are bound to:
   * each refresh needs a proof of that key (RFC 9449 §5). Absent when unbound.
   */
  dpopJkt?: string | null;
}

/** One refresh token of a session; `tokenHash` is the only form of the token that is stored. */
export interface RefreshToken {
  tokenHash: Buffer;
  sessionId: string;
  scope: string;
  createdAt: Date;
  expiresAt: Date;
  /** Set when the token was exchanged (rotated); a second use is a replay. */
  usedAt: Date | null;
}
