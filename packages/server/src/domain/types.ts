// The domain model of the global authentication service: what is stored, in our own types
// (storage maps rows to these; nothing else sees a row).
import type { GrantType } from '../grants/index.js';

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
  status: Status;
  createdAt: Date;
  updatedAt: Date;
}

/** A grant_type the service implements; the list is grants/index.ts. */
export type { GrantType };

/** A registered application (OAuth client). The secret exists only as `secretHash`. */
export interface Application {
  clientId: string;
  secretHash: Buffer;
  name: string;
  /** Exact origins (scheme://host[:port]) allowed for browser calls (CORS). */
  origins: string[];
  grantTypes: GrantType[];
  redirectUris: string[];
  /** When set, only users of this tenant may obtain tokens through the application. */
  tenantId: string | null;
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
}

/** An RS256 signing key. `active` signs; `inactive` is still published in the JWKS until removed. */
export interface SigningKey {
  kid: string;
  alg: 'RS256';
  /** Public JWK (kty, n, e) without private members. */
  publicJwk: { kty: 'RSA'; n: string; e: string };
  /** The PKCS#8 private key, encrypted with the key-encryption key (see keys/kek.ts). */
  privateKeyEncrypted: Buffer;
  status: Status;
  createdAt: Date;
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
