// The contract of the applications aggregate (OAuth clients).
import type { Application, Status } from '../../domain/types.js';

export interface ApplicationRepository {
  /** Stores a new application and grows the revision (see `Storage.revision`). */
  create(app: Application): Promise<void>;
  get(clientId: string): Promise<Application | undefined>;
  list(): Promise<Application[]>;
  /**
   * Replaces the changeable fields (name and lists) of an existing application with those of `app`;
   * its type, tenancy, secret and status stay. Returns false when no application has that id;
   * otherwise grows the revision with the change.
   */
  update(app: Application): Promise<boolean>;
  /** Returns false when no application has that id; otherwise grows the revision with the change. */
  setStatus(clientId: string, status: Status, at: Date): Promise<boolean>;
  /**
   * Stores a new secret hash and keeps `previous` (the replaced hash and the end of its overlap, or
   * null for none) beside it; false when no application has that id. Grows the revision.
   */
  rotateSecret(
    clientId: string,
    secretHash: Buffer,
    previous: { hash: Buffer; expiresAt: Date } | null,
    at: Date,
  ): Promise<boolean>;
  /**
   * Removes the application with its sessions and their refresh tokens, and records the end of its
   * tokens in the revocation feed at `at`; grows the revision.
   */
  delete(clientId: string, at: Date): Promise<boolean>;
  /** Every origin registered by an active application (for CORS), deduplicated. */
  listActiveOrigins(): Promise<string[]>;
}
