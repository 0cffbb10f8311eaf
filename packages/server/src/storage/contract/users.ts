// The contract of the users aggregate: users of tenants, with their roles.
import type { Role, Status, User } from '../../domain/types.js';

export interface UserRepository {
  /** Stores a new user and grows the revision (see `Storage.revision`). */
  create(user: User): Promise<void>;
  get(id: string): Promise<User | undefined>;
  list(filter?: { tenantId?: string }): Promise<User[]>;
  /** Returns false when no user has that id; otherwise grows the revision with the change. */
  setStatus(id: string, status: Status, at: Date): Promise<boolean>;
  /** Changes a user's role or operator flag; false when no user has that id. Grows the revision. */
  update(id: string, changes: { role?: Role; operator?: boolean }, at: Date): Promise<boolean>;
}
