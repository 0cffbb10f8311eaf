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
  /** Which of `emails` (lower case) a user of `tenantId` already has, compared ASCII case-insensitively. */
  emailsTaken(tenantId: string, emails: readonly string[]): Promise<Set<string>>;
  /**
   * Stores many new users at once, each with its password hash (or none), in one transaction that
   * grows the revision once. A user whose e-mail its tenant already has (a concurrent import) is
   * skipped, not an error. Returns the ids of the users stored.
   */
  createMany(users: readonly ImportedUser[], at: Date): Promise<Set<string>>;
}

/** A user of a bulk import, with the password hash it brings (docs/people.md, "Bulk import"). */
export interface ImportedUser {
  readonly user: User;
  readonly passwordHash: string | null;
}
