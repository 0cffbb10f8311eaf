// The contract of the SCIM aggregate (RFC 7643/7644, docs/scim.md): a tenant's provisioning tokens, what
// SCIM keeps of a user beyond the users row, and the tenant's groups with their members.
import type { User } from '../../domain/types.js';

/** A bearer token an identity provider provisions one tenant with; the secret exists only as its hash. */
export interface ScimToken {
  id: string;
  tenantId: string;
  name: string;
  secretHash: Buffer;
  createdAt: Date;
  revokedAt: Date | null;
}

/** What SCIM keeps of a user beyond the users row (absent for users made otherwise). */
export interface ScimUserLink {
  /** `userName` as provisioned, case kept (the users row holds it lower-cased as the login name). */
  userName: string;
  externalId: string | null;
  /** Every `emails[].value`, lower-cased, for `emails.value eq` filters. */
  emails: string[];
  /** The rest of the resource as provisioned (displayName, name, emails, the enterprise extension…). */
  attributes: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

export interface ScimUser {
  user: User;
  link: ScimUserLink | null;
}

/** The `eq` filters a Users query may combine with `and` (RFC 7644 §3.4.2.2); values as compared. */
export interface ScimUserQuery {
  /** Lower-cased (userName is case-insensitive, RFC 7643 §4.1.1). */
  userName?: string;
  externalId?: string;
  /** Lower-cased; also matches the login name, which is the user's e-mail address. */
  email?: string;
}

export interface ScimGroup {
  id: string;
  tenantId: string;
  displayName: string;
  externalId: string | null;
  /** Member user ids. */
  members: string[];
  createdAt: Date;
  updatedAt: Date;
}

export interface ScimRepository {
  createToken(token: ScimToken): Promise<void>;
  getToken(id: string): Promise<ScimToken | undefined>;
  listTokens(tenantId: string): Promise<ScimToken[]>;
  /** False when the tenant has no such token, or it was revoked already. */
  revokeToken(tenantId: string, id: string, at: Date): Promise<boolean>;

  /** One page of the tenant's users matching `query`, in creation order, and how many match in all. */
  findUsers(
    tenantId: string,
    query: ScimUserQuery,
    page: { offset: number; limit: number },
  ): Promise<{ total: number; users: ScimUser[] }>;
  getUser(tenantId: string, id: string): Promise<ScimUser | undefined>;
  /** Stores the user and its link in one transaction; a taken login name is a unique constraint error. */
  createUser(user: User, link: ScimUserLink): Promise<void>;
  /** Replaces the user's names and link (status and role have their own verbs); false when unknown. */
  updateUser(
    tenantId: string,
    id: string,
    changes: Pick<User, 'email' | 'givenName' | 'familyName'>,
    link: ScimUserLink,
    at: Date,
  ): Promise<boolean>;
  /**
   * Ends the user's provisioning (SCIM DELETE): drops its link and memberships and frees its login
   * name; the (deactivated) users row stays for the audit trail. False when unknown.
   */
  releaseUser(tenantId: string, id: string, at: Date): Promise<boolean>;

  /** Every group of the tenant, with its members, in creation order. */
  listGroups(tenantId: string): Promise<ScimGroup[]>;
  getGroup(tenantId: string, id: string): Promise<ScimGroup | undefined>;
  /** A taken displayName is a unique constraint error; unknown members a foreign key error. */
  createGroup(group: ScimGroup): Promise<void>;
  replaceGroup(group: ScimGroup): Promise<boolean>;
  deleteGroup(tenantId: string, id: string): Promise<boolean>;
  /** The groups `userId` is a member of. */
  groupsOf(tenantId: string, userId: string): Promise<ScimGroup[]>;
  /** Which of `ids` are users of the tenant SCIM sees. */
  existingUsers(tenantId: string, ids: readonly string[]): Promise<Set<string>>;
  /** The role names users of the tenant hold. */
  roleNames(tenantId: string): Promise<string[]>;
}

/** The lower-cased `emails[].value` of a resource's attributes (what `emails.value eq` looks up). */
export function emailValues(attributes: Record<string, unknown>): string[] {
  const emails = attributes['emails'];
  if (!Array.isArray(emails)) return [];
  const values = emails
    .map((e) => (e && typeof e === 'object' ? (e as { value?: unknown }).value : undefined))
    .filter((v): v is string => typeof v === 'string' && v.length > 0)
    .map((v) => v.toLowerCase());
  return [...new Set(values)];
}
