// The SCIM operations of one tenant (RFC 7644 §3): Users and Groups created, read, listed, replaced,
// patched and deleted, over the storage's users and SCIM aggregate. `active: false` deactivates at
// once the way the admin API does (status, sessions ended, the revocation feed); a group whose
// displayName is a role gives its members that role (docs/scim.md).
import crypto from 'node:crypto';
import { ADMINISTRATOR_ROLE, DEFAULT_ROLE } from '../domain/roles.js';
import type { Role, Status, User } from '../domain/types.js';
import type { Audit, AuditInput } from '../observability/audit.js';
import type { Storage } from '../storage/contract/index.js';
import { emailValues, type ScimGroup, type ScimUser } from '../storage/contract/scim.js';
import { StorageConstraintError } from '../storage/errors.js';
import { badRequest, notFound, ScimError, uniqueness } from './errors.js';
import { parseFilter, resourcePredicate, userQuery } from './filter.js';
import { groupBody, groupInput, groupResource } from './groups.js';
import { applyPatch, patchOperations } from './patch.js';
import { LIST_RESPONSE, MAX_PAGE } from './schemas.js';
import { linkOf, type UserInput, userBody, userInput, userResource } from './users.js';

export interface ScimServiceDeps {
  readonly storage: Storage;
  readonly clock: () => Date;
  readonly audit: Audit;
}

/** Who asks, and where the tenant's resources live. */
export interface ScimCaller {
  readonly tenantId: string;
  /** `<issuer>/scim/v2/<tenantId>`: the base of every `meta.location`. */
  readonly base: string;
  /** The token's id: the audit trail's actor is `scim_token:<id>`. */
  readonly tokenId: string;
  readonly address: string;
}

/** The query of a list request (RFC 7644 §3.4.2). */
export interface ListQuery {
  readonly filter?: string | undefined;
  readonly startIndex?: string | undefined;
  readonly count?: string | undefined;
  readonly excludedAttributes?: string | undefined;
}

type Resource = Record<string, unknown>;

/** startIndex (1-based, below 1 reads as 1) and count (capped, RFC 7644 §3.4.2.4). */
function paging(query: ListQuery): { startIndex: number; count: number } {
  const int = (value: string | undefined, name: string, fallback: number) => {
    if (value === undefined || value === '') return fallback;
    if (!/^-?\d{1,9}$/.test(value)) throw badRequest('invalidValue', `${name} must be an integer`);
    return Number(value);
  };
  return {
    startIndex: Math.max(1, int(query.startIndex, 'startIndex', 1)),
    count: Math.min(MAX_PAGE, Math.max(0, int(query.count, 'count', MAX_PAGE))),
  };
}

function listResponse(total: number, startIndex: number, resources: Resource[]): Resource {
  return {
    schemas: [LIST_RESPONSE],
    totalResults: total,
    startIndex,
    itemsPerPage: resources.length,
    Resources: resources,
  };
}

/** Turns a taken unique value into 409 uniqueness (RFC 7644 §3.3); anything else passes through. */
async function unique<T>(what: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (err instanceof StorageConstraintError && err.kind === 'unique') throw uniqueness(`${what} is taken`);
    throw err;
  }
}

function newRole(legacyId: string, at: Date): Role {
  return { id: crypto.randomUUID(), legacyId, lastUpdateTime: at.getTime(), secondaryRoles: [] };
}

/** RFC 7644 §3.14: a request whose If-Match names another version is 412. */
function precondition(resource: Resource, ifMatch: string | undefined): void {
  if (ifMatch === undefined || ifMatch.trim() === '*') return;
  const version = (resource['meta'] as { version?: string } | undefined)?.version;
  const tags = ifMatch.split(',').map((t) => t.trim());
  if (!version || !tags.includes(version)) {
    throw new ScimError(412, 'the resource has changed since that version', 'invalidVers');
  }
}

export function scimService(deps: ScimServiceDeps) {
  const { storage, clock, audit } = deps;

  /** The event of a user's change, stored with it (`atomic`). */
  function userEvent(
    caller: ScimCaller,
    type: 'user.created' | 'user.changed',
    userId: string,
    details: Record<string, string | null> = {},
  ): AuditInput {
    return {
      type,
      actor: `scim_token:${caller.tokenId}`,
      subject: `user:${userId}`,
      tenantId: caller.tenantId,
      address: caller.address,
      details: { via: 'scim', ...details },
    };
  }
  /**
   * Runs a write as one transaction with the events it pushes to `changed` (`audit.within`: the change,
   * its events and their webhook deliveries commit together, or none does).
   */
  function atomic<T>(write: (changed: AuditInput[]) => Promise<T>): Promise<T> {
    let changed: AuditInput[] = [];
    return audit.within(
      () => {
        changed = [];
        return write(changed);
      },
      () => changed,
    );
  }

  async function loadUser(caller: ScimCaller, id: string): Promise<ScimUser> {
    const found = await storage.scim.getUser(caller.tenantId, id);
    if (!found) throw notFound('User', id);
    return found;
  }

  async function loadGroup(caller: ScimCaller, id: string): Promise<ScimGroup> {
    const found = await storage.scim.getGroup(caller.tenantId, id);
    if (!found) throw notFound('Group', id);
    return found;
  }

  /** Activates or deactivates; deactivation ends every session at once, as the admin API does. */
  async function setStatus(user: User, status: Status, at: Date): Promise<void> {
    if (user.status === status) return;
    await storage.users.setStatus(user.id, status, at);
    if (status === 'inactive') await storage.sessions.revokeByUser(user.id, 'user deactivated', at);
  }

  /**
   * Gives each user the role its groups name: Administrator before any other role, others in name
   * order, Agent when no group names a role. A group names a role when its displayName is Administrator,
   * Agent, or a role some user of the tenant holds (compared without case).
   */
  async function syncRoles(
    caller: ScimCaller,
    userIds: Iterable<string>,
    changed: AuditInput[],
  ): Promise<void> {
    const { tenantId } = caller;
    const ids = [...new Set(userIds)];
    if (ids.length === 0) return;
    const known = new Map<string, string>();
    for (const role of [ADMINISTRATOR_ROLE, DEFAULT_ROLE, ...(await storage.scim.roleNames(tenantId))]) {
      known.set(role.toLowerCase(), role);
    }
    const at = clock();
    for (const id of ids) {
      const found = await storage.scim.getUser(tenantId, id);
      if (!found) continue;
      const roles = (await storage.scim.groupsOf(tenantId, id))
        .map((g) => known.get(g.displayName.toLowerCase()))
        .filter((r): r is string => r !== undefined);
      const others = roles.filter((r) => r !== ADMINISTRATOR_ROLE && r !== DEFAULT_ROLE).sort();
      const role = roles.includes(ADMINISTRATOR_ROLE) ? ADMINISTRATOR_ROLE : (others[0] ?? DEFAULT_ROLE);
      if (found.user.role.legacyId !== role) {
        await storage.users.update(id, { role: newRole(role, at) }, at);
        changed.push(userEvent(caller, 'user.changed', id, { role }));
      }
    }
  }

  async function writeUser(
    caller: ScimCaller,
    current: ScimUser,
    input: UserInput,
    changed: AuditInput[],
  ): Promise<Resource> {
    const at = clock();
    const link = linkOf(input, current.link?.createdAt ?? at, at, emailValues(input.attributes));
    await unique(`userName "${input.userName}"`, () =>
      storage.scim.updateUser(
        caller.tenantId,
        current.user.id,
        { email: input.loginName, givenName: input.givenName, familyName: input.familyName },
        link,
        at,
      ),
    );
    if (input.active !== undefined) {
      await setStatus(current.user, input.active ? 'active' : 'inactive', at);
    }
    const updated = await loadUser(caller, current.user.id);
    changed.push(userEvent(caller, 'user.changed', updated.user.id, { status: updated.user.status }));
    return userResource(updated, caller.base);
  }

  async function writeGroup(
    caller: ScimCaller,
    current: ScimGroup,
    body: unknown,
    changed: AuditInput[],
  ): Promise<Resource> {
    const input = groupInput(body);
    await checkMembers(caller, input.members);
    const group: ScimGroup = { ...current, ...input, updatedAt: clock() };
    await unique(`displayName "${input.displayName}"`, () => storage.scim.replaceGroup(group));
    const renamed = group.displayName.toLowerCase() !== current.displayName.toLowerCase();
    const before = new Set(current.members);
    const after = new Set(group.members);
    const affected = renamed
      ? [...before, ...after]
      : [...[...before].filter((m) => !after.has(m)), ...[...after].filter((m) => !before.has(m))];
    await syncRoles(caller, affected, changed);
    return groupResource(await loadGroup(caller, current.id), caller.base);
  }

  /** Members must be users of the caller's tenant: another tenant's user id is refused. */
  async function checkMembers(caller: ScimCaller, members: readonly string[]): Promise<void> {
    const found = await storage.scim.existingUsers(caller.tenantId, members);
    const missing = members.find((m) => !found.has(m));
    if (missing !== undefined) {
      throw badRequest(
        'invalidValue',
        `member ${JSON.stringify(missing.slice(0, 64))} is not a user of this tenant`,
      );
    }
  }

  return {
    async listUsers(caller: ScimCaller, query: ListQuery): Promise<Resource> {
      const { startIndex, count } = paging(query);
      const q = query.filter ? userQuery(parseFilter(query.filter)) : {};
      if (q === undefined) return listResponse(0, startIndex, []);
      const page = await storage.scim.findUsers(caller.tenantId, q, { offset: startIndex - 1, limit: count });
      return listResponse(
        page.total,
        startIndex,
        page.users.map((u) => userResource(u, caller.base)),
      );
    },
    async getUser(caller: ScimCaller, id: string): Promise<Resource> {
      return userResource(await loadUser(caller, id), caller.base);
    },
    createUser: (caller: ScimCaller, body: unknown): Promise<Resource> =>
      atomic(async (changed) => {
        const input = userInput(body);
        const at = clock();
        const user: User = {
          id: crypto.randomUUID(),
          tenantId: caller.tenantId,
          email: input.loginName,
          givenName: input.givenName,
          familyName: input.familyName,
          role: newRole(DEFAULT_ROLE, at),
          operator: false,
          status: input.active === false ? 'inactive' : 'active',
          createdAt: at,
          updatedAt: at,
        };
        const link = linkOf(input, at, at, emailValues(input.attributes));
        await unique(`userName "${input.userName}"`, () => storage.scim.createUser(user, link));
        changed.push(userEvent(caller, 'user.created', user.id, { role: DEFAULT_ROLE }));
        return userResource(await loadUser(caller, user.id), caller.base);
      }),
    replaceUser: (caller: ScimCaller, id: string, body: unknown, ifMatch?: string): Promise<Resource> =>
      atomic(async (changed) => {
        const current = await loadUser(caller, id);
        precondition(userResource(current, caller.base), ifMatch);
        return writeUser(caller, current, userInput(body), changed);
      }),
    patchUser: (caller: ScimCaller, id: string, body: unknown, ifMatch?: string): Promise<Resource> =>
      atomic(async (changed) => {
        const ops = patchOperations(body);
        const current = await loadUser(caller, id);
        precondition(userResource(current, caller.base), ifMatch);
        const patched = applyPatch(userBody(current), ops);
        return writeUser(caller, current, userInput(patched), changed);
      }),
    deleteUser: (caller: ScimCaller, id: string, ifMatch?: string): Promise<void> =>
      atomic(async (changed) => {
        const current = await loadUser(caller, id);
        precondition(userResource(current, caller.base), ifMatch);
        const at = clock();
        await setStatus(current.user, 'inactive', at);
        await storage.scim.releaseUser(caller.tenantId, id, at);
        changed.push(
          userEvent(caller, 'user.changed', current.user.id, { status: 'inactive', provisioned: 'no' }),
        );
      }),

    async listGroups(caller: ScimCaller, query: ListQuery): Promise<Resource> {
      const { startIndex, count } = paging(query);
      const test = query.filter ? resourcePredicate(parseFilter(query.filter)) : () => true;
      const matching = (await storage.scim.listGroups(caller.tenantId)).filter((g) => test(groupBody(g)));
      const exclude = excludesMembers(query.excludedAttributes);
      return listResponse(
        matching.length,
        startIndex,
        matching
          .slice(startIndex - 1, startIndex - 1 + count)
          .map((g) => groupResource(g, caller.base, exclude)),
      );
    },
    async getGroup(caller: ScimCaller, id: string, query: ListQuery = {}): Promise<Resource> {
      return groupResource(
        await loadGroup(caller, id),
        caller.base,
        excludesMembers(query.excludedAttributes),
      );
    },
    createGroup: (caller: ScimCaller, body: unknown): Promise<Resource> =>
      atomic(async (changed) => {
        const input = groupInput(body);
        await checkMembers(caller, input.members);
        const at = clock();
        const group: ScimGroup = {
          id: crypto.randomUUID(),
          tenantId: caller.tenantId,
          ...input,
          createdAt: at,
          updatedAt: at,
        };
        await unique(`displayName "${input.displayName}"`, () => storage.scim.createGroup(group));
        await syncRoles(caller, group.members, changed);
        return groupResource(await loadGroup(caller, group.id), caller.base);
      }),
    replaceGroup: (caller: ScimCaller, id: string, body: unknown, ifMatch?: string): Promise<Resource> =>
      atomic(async (changed) => {
        const current = await loadGroup(caller, id);
        precondition(groupResource(current, caller.base), ifMatch);
        return writeGroup(caller, current, body, changed);
      }),
    patchGroup: (caller: ScimCaller, id: string, body: unknown, ifMatch?: string): Promise<Resource> =>
      atomic(async (changed) => {
        const ops = patchOperations(body);
        const current = await loadGroup(caller, id);
        precondition(groupResource(current, caller.base), ifMatch);
        return writeGroup(caller, current, applyPatch(groupBody(current), ops), changed);
      }),
    deleteGroup: (caller: ScimCaller, id: string, ifMatch?: string): Promise<void> =>
      atomic(async (changed) => {
        const current = await loadGroup(caller, id);
        precondition(groupResource(current, caller.base), ifMatch);
        await storage.scim.deleteGroup(caller.tenantId, id);
        await syncRoles(caller, current.members, changed);
      }),
  };
}

export type ScimService = ReturnType<typeof scimService>;

function excludesMembers(excluded: string | undefined): boolean {
  return (excluded ?? '')
    .split(',')
    .map((a) => a.trim().toLowerCase())
    .some((a) => a === 'members' || a.endsWith(':group:members'));
}
