// The database schema as Kysely sees it: one row type per table. Times are integer epoch milliseconds
// (PostgreSQL returns bigint as a string, hence the read type), booleans are integers and lists are
// JSON text, so that one set of queries serves SQLite and PostgreSQL alike.
import type { ColumnType } from 'kysely';

/** Epoch milliseconds: written as a number, read back as a number (SQLite) or a string (PG bigint). */
export type Millis = ColumnType<number | string, number, number>;
export type NullableMillis = ColumnType<number | string | null, number | null, number | null>;

export interface AreasTable {
  name: string;
  domain: string;
  acd_domain: string;
  uh_domain: string;
  ui_endpoint: string;
  auth_endpoint: string;
  api_endpoint: string;
  created_at: Millis;
}

export interface TenantsTable {
  id: string;
  name: string;
  area: string;
  cluster: string;
  business_unit_id: number;
  cluster_id: string;
  is_private: number;
  status: string;
  created_at: Millis;
  updated_at: Millis;
}

export interface UsersTable {
  id: string;
  tenant_id: string;
  email: string;
  given_name: string | null;
  family_name: string | null;
  role_id: string;
  role_legacy_id: string;
  role_updated_at: Millis;
  /** JSON: [{ id, lastUpdateTime }]. */
  secondary_roles: string;
  status: string;
  created_at: Millis;
  updated_at: Millis;
}

export interface ApplicationsTable {
  client_id: string;
  secret_hash: Buffer;
  name: string;
  /** JSON string arrays. */
  origins: string;
  grant_types: string;
  redirect_uris: string;
  tenant_id: string | null;
  status: string;
  created_at: Millis;
  updated_at: Millis;
}

export interface AccessKeysTable {
  id: string;
  user_id: string;
  tenant_id: string;
  secret_hash: Buffer;
  status: string;
  created_at: Millis;
  last_used_at: NullableMillis;
}

export interface SigningKeysTable {
  kid: string;
  alg: string;
  /** JSON: { kty, n, e }. */
  public_jwk: string;
  private_key_encrypted: Buffer;
  status: string;
  created_at: Millis;
}

export interface SessionsTable {
  id: string;
  client_id: string;
  user_id: string;
  tenant_id: string;
  access_key_id: string | null;
  scope: string;
  created_at: Millis;
  expires_at: Millis;
  revoked_at: NullableMillis;
  revoked_reason: string | null;
}

export interface RefreshTokensTable {
  token_hash: Buffer;
  session_id: string;
  scope: string;
  created_at: Millis;
  expires_at: Millis;
  used_at: NullableMillis;
}

export interface Database {
  areas: AreasTable;
  tenants: TenantsTable;
  users: UsersTable;
  applications: ApplicationsTable;
  access_keys: AccessKeysTable;
  signing_keys: SigningKeysTable;
  sessions: SessionsTable;
  refresh_tokens: RefreshTokensTable;
}
