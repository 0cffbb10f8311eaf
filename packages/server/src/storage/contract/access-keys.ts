// The contract of the access-keys aggregate: a user's key id and hashed secret.
import type { AccessKey, Status, Tenant, User } from '../../domain/types.js';

/** An access key with the user and tenant it belongs to: everything the password grant checks. */
export interface AccessKeyOwner {
  key: AccessKey;
  user: User;
  tenant: Tenant;
}

export interface AccessKeyRepository {
  /** Stores a new key and grows the revision (see `Storage.revision`). */
  create(key: AccessKey): Promise<void>;
  get(id: string): Promise<AccessKey | undefined>;
  /** The key with its user and tenant, in one round trip (the hot path of the password grant). */
  getWithOwner(id: string): Promise<AccessKeyOwner | undefined>;
  list(filter?: { userId?: string }): Promise<AccessKey[]>;
  /**
   * Returns false when no key has that id; otherwise grows the revision with the change. `by` records
   * who switched the key off (default `administrator`); reactivation clears it.
   */
  setStatus(id: string, status: Status, at: Date, by?: 'owner' | 'administrator'): Promise<boolean>;
  /**
   * Records a use; implementations may skip the write when the stored time is recent. Bookkeeping
   * only: it does not grow the revision.
   */
  touch(id: string, at: Date): Promise<void>;
}
