// The Group resource (RFC 7643 §4.2): displayName, externalId and members (users of the same tenant).
import type { ScimGroup } from '../storage/contract/scim.js';
import { badRequest } from './errors.js';
import { isObject, optionalString, requiredString, requireSchema, withMeta } from './resource.js';
import { GROUP_SCHEMA } from './schemas.js';

export interface GroupInput {
  displayName: string;
  externalId: string | null;
  members: string[];
}

/** Reads a Group body (POST, PUT, or the result of a PATCH). */
export function groupInput(body: unknown): GroupInput {
  if (!isObject(body)) throw badRequest('invalidSyntax', 'the body must be a Group resource');
  requireSchema(body, GROUP_SCHEMA);
  const members = body['members'] ?? [];
  if (!Array.isArray(members) || !members.every((m) => isObject(m) && typeof m['value'] === 'string')) {
    throw badRequest('invalidValue', 'members must be a list of objects with a string value');
  }
  return {
    displayName: requiredString(body, 'displayName', 256),
    externalId: optionalString(body['externalId'], 'externalId', 254),
    members: [...new Set(members.map((m) => String((m as { value: string }).value)))],
  };
}

/**
 * The resource without meta. Members carry `value` only: what a PATCH removing `[{"value": id}]`
 * (Microsoft Entra ID) compares with; the served resource adds `$ref`.
 */
export function groupBody(group: ScimGroup): Record<string, unknown> {
  return {
    schemas: [GROUP_SCHEMA],
    id: group.id,
    ...(group.externalId ? { externalId: group.externalId } : {}),
    displayName: group.displayName,
    members: group.members.map((value) => ({ value })),
  };
}

/** The Group resource as served; `excludeMembers` for `excludedAttributes=members` (RFC 7644 §3.9). */
export function groupResource(
  group: ScimGroup,
  base: string,
  excludeMembers = false,
): Record<string, unknown> {
  const body = groupBody(group);
  const members = group.members.map((value) => ({ value, $ref: `${base}/Users/${value}`, type: 'User' }));
  const { members: _members, ...rest } = body;
  return withMeta(
    excludeMembers ? rest : { ...rest, members },
    {
      resourceType: 'Group',
      created: group.createdAt,
      lastModified: group.updatedAt,
      location: `${base}/Groups/${group.id}`,
    },
    { ...rest, members },
  );
}
