// The contract of the consents aggregate: one row per (user, application), holding the scopes the
// user allowed. Kept free of foreign keys so an application's deletion never waits on it; the purge
// removes consents of applications that no longer exist.
import type { Consent } from '../../domain/consent.js';

export interface ConsentRepository {
  get(userId: string, clientId: string): Promise<Consent | undefined>;
  /** A user's consents, oldest first (then by client id). */
  listByUser(userId: string): Promise<Consent[]>;
  /** Records the scopes a user allowed an application (replacing what was stored). */
  put(consent: Consent): Promise<void>;
  /** Withdraws a user's consent for an application; false when there was none. */
  delete(userId: string, clientId: string): Promise<boolean>;
  /** Deletes up to `limit` consents of applications that no longer exist; returns how many. */
  purgeOrphans(limit: number): Promise<number>;
}
