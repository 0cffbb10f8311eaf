// The contract of the tenants aggregate.
import type { Status, Tenant } from '../../domain/types.js';

export interface TenantRepository {
  /** Stores a new tenant and grows the revision (see `Storage.revision`). */
  create(tenant: Tenant): Promise<void>;
  get(id: string): Promise<Tenant | undefined>;
  list(): Promise<Tenant[]>;
  /** Returns false when no tenant has that id; otherwise grows the revision with the change. */
  setStatus(id: string, status: Status, at: Date): Promise<boolean>;
  /** Turns its users' access-key self-service on or off; false when no tenant has that id. */
  setAccessKeySelfService(id: string, on: boolean, at: Date): Promise<boolean>;
  /** Requires (or stops requiring) sign-in through its identity providers; false when no such tenant. */
  setSsoRequired(id: string, on: boolean, at: Date): Promise<boolean>;
  /** Sets its shortest password (null: the service's default); false when no tenant has that id. */
  setPasswordMinLength(id: string, length: number | null, at: Date): Promise<boolean>;
  /**
   * Requires (or stops requiring) that its people verify their e-mail before a sign-in gets a code
   * (docs/people.md); false when no such tenant. Grows the revision.
   */
  setEmailVerificationRequired(id: string, on: boolean, at: Date): Promise<boolean>;
}
