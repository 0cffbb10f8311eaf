// The contract of the identity-provider aggregate (docs/sso.md): a tenant's IdPs with their claimed
// domains, the links of upstream subjects to users, and the pending federated sign-ins, each taken
// once and purged after it expired.
import type {
  FederatedIdentity,
  FederationRequest,
  IdentityProvider,
} from '../../domain/identity-providers.js';
import type { User } from '../../domain/types.js';

export interface IdentityProviderRepository {
  /** Stores a new IdP with its domains; a domain the tenant claims already is a conflict. */
  create(idp: IdentityProvider): Promise<void>;
  get(id: string): Promise<IdentityProvider | undefined>;
  list(tenantId: string): Promise<IdentityProvider[]>;
  /** Replaces an IdP (and its domains); false when there is none with that id. */
  update(idp: IdentityProvider): Promise<boolean>;
  /** Deletes an IdP, its domains and its links; false when there was none. */
  delete(tenantId: string, id: string): Promise<boolean>;
  /** The enabled IdPs claiming `domain`, in `tenantId` only when given. */
  byDomain(domain: string, tenantId?: string): Promise<IdentityProvider[]>;
  /** Whether any enabled IdP exists (of `tenantId` when given): the sign-in page then asks the e-mail first. */
  anyEnabled(tenantId?: string): Promise<boolean>;
  /** The user linked to (IdP, subject), if any. */
  linkedUser(idpId: string, subject: string): Promise<string | undefined>;
  /** Links an existing user; false when (IdP, subject) is linked already. */
  link(identity: FederatedIdentity): Promise<boolean>;
  /** Creates a user and links it, in one transaction; a taken e-mail or link is a conflict. */
  createLinkedUser(user: User, identity: FederatedIdentity): Promise<void>;
  createRequest(request: FederationRequest): Promise<void>;
  /** Takes (deletes) a pending request: of two callbacks with the same state, one gets it. */
  takeRequest(stateHash: Buffer, at: Date): Promise<FederationRequest | undefined>;
  /**
   * Records a SAML assertion id of an IdP until `expiresAt`; false when it was recorded already (a
   * replay).
   */
  recordAssertion(idpId: string, assertionId: string, expiresAt: Date): Promise<boolean>;
  /** Deletes up to `limit` assertion ids whose time passed before `at`; returns how many. */
  purgeAssertions(at: Date, limit: number): Promise<number>;
  /** Deletes up to `limit` requests that expired before `at`; returns how many. */
  purgeExpired(at: Date, limit: number): Promise<number>;
}
