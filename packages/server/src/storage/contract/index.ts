// The storage contract: everything the service and the admin commands need from a database, in domain
// types. One implementation (storage/kysely/) serves SQLite and PostgreSQL; tests may pass another.
import type {
  AccessKey,
  Application,
  Area,
  RefreshToken,
  Session,
  SigningKey,
  Status,
  Tenant,
  User,
} from '../domain/types.js';

export interface AreaRepository {
  /** Inserts or replaces the area of that name. */
  upsert(area: Area): Promise<void>;
  get(name: string): Promise<Area | undefined>;
  list(): Promise<Area[]>;
}

export interface TenantRepository {
  create(tenant: Tenant): Promise<void>;
  get(id: string): Promise<Tenant | undefined>;
  list(): Promise<Tenant[]>;
  /** Returns false when no tenant has that id. */
  setStatus(id: string, status: Status, at: Date): Promise<boolean>;
}

export interface UserRepository {
  create(user: User): Promise<void>;
  get(id: string): Promise<User | undefined>;
  list(filter?: { tenantId?: string }): Promise<User[]>;
  setStatus(id: string, status: Status, at: Date): Promise<boolean>;
}

export interface ApplicationRepository {
  create(app: Application): Promise<void>;
  get(clientId: string): Promise<Application | undefined>;
  list(): Promise<Application[]>;
  setStatus(clientId: string, status: Status, at: Date): Promise<boolean>;
  /** Every origin registered by an active application (for CORS), deduplicated. */
  listActiveOrigins(): Promise<string[]>;
}

/** An access key with the user and tenant it belongs to: everything the password grant checks. */
export interface AccessKeyOwner {
  key: AccessKey;
  user: User;
  tenant: Tenant;
}

export interface AccessKeyRepository {
  create(key: AccessKey): Promise<void>;
  get(id: string): Promise<AccessKey | undefined>;
  /** The key with its user and tenant, in one round trip (the hot path of the password grant). */
  getWithOwner(id: string): Promise<AccessKeyOwner | undefined>;
  list(filter?: { userId?: string }): Promise<AccessKey[]>;
  setStatus(id: string, status: Status, at: Date): Promise<boolean>;
  /** Records a use; implementations may skip the write when the stored time is recent. */
  touch(id: string, at: Date): Promise<void>;
}

export interface SigningKeyRepository {
  create(key: SigningKey): Promise<void>;
  /**
   * Stores `key` only when no key is active, atomically across nodes sharing the database; returns
   * whether it was stored. Of nodes starting together on a fresh database, exactly one creates a key.
   */
  createIfNoneActive(key: SigningKey): Promise<boolean>;
  /** All keys, newest first. */
  list(): Promise<SigningKey[]>;
  setStatus(kid: string, status: Status): Promise<boolean>;
}

export type RotationResult =
  /** The presented token was current: it is now used, and `next` is stored. */
  | { outcome: 'rotated'; session: Session }
  /** The presented token had already been used: a replay. The session is now revoked. */
  | { outcome: 'reused'; session: Session }
  /** No such token (or its session is revoked or expired, or the token expired). */
  | { outcome: 'invalid' };

export interface SessionRepository {
  /** Opens a session with its first refresh token, atomically. */
  create(session: Session, first: RefreshToken): Promise<void>;
  get(id: string): Promise<Session | undefined>;
  /** The current state of a refresh token and its session, without changing anything. */
  findRefreshToken(tokenHash: Buffer): Promise<{ token: RefreshToken; session: Session } | undefined>;
  /**
   * Exchanges a refresh token atomically: of any number of concurrent calls with one token, at most one
   * returns `rotated` (RFC 9700 §4.14.2). A token seen again after its use revokes its whole session.
   */
  rotate(presentedHash: Buffer, next: RefreshToken, at: Date): Promise<RotationResult>;
  revoke(id: string, reason: string, at: Date): Promise<boolean>;
  /** Revokes every open session of a user, or opened with an access key; returns how many. */
  revokeByUser(userId: string, reason: string, at: Date): Promise<number>;
  revokeByAccessKey(accessKeyId: string, reason: string, at: Date): Promise<number>;
}

export interface Storage {
  readonly dialect: 'sqlite' | 'postgres';
  readonly areas: AreaRepository;
  readonly tenants: TenantRepository;
  readonly users: UserRepository;
  readonly applications: ApplicationRepository;
  readonly accessKeys: AccessKeyRepository;
  readonly signingKeys: SigningKeyRepository;
  readonly sessions: SessionRepository;
  /** Brings the schema up to date; safe when several nodes call it at once. */
  migrate(): Promise<void>;
  /** Resolves when the database answers (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
