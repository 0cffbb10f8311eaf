// The User resource (RFC 7643 §4.1, with the enterprise extension §4.3) over cxauth's users: userName is
// the login name, name.givenName/familyName the user's names, active its status; every other attribute
// the identity provider sends is kept as sent and given back (docs/scim.md, "Attribute mapping").
import type { ScimUser, ScimUserLink } from '../storage/contract/scim.js';
import { badRequest } from './errors.js';
import {
  isObject,
  optionalBoolean,
  optionalString,
  requiredString,
  requireSchema,
  withMeta,
} from './resource.js';
import { ENTERPRISE_SCHEMA, USER_SCHEMA } from './schemas.js';

/** Attributes the users row or the service holds, never kept among the other attributes. */
const NOT_KEPT = new Set(['id', 'meta', 'schemas', 'username', 'externalid', 'active', 'password', 'groups']);

/** What a User body asks for. */
export interface UserInput {
  userName: string;
  /** The login name: userName lower-cased (userName is case-insensitive, RFC 7643 §4.1.1). */
  loginName: string;
  externalId: string | null;
  givenName: string | null;
  familyName: string | null;
  /** Absent: unchanged on replace, active on create. */
  active: boolean | undefined;
  attributes: Record<string, unknown>;
}

/** Reads a User body (POST, PUT, or the result of a PATCH); malformed values are 400 invalidValue. */
export function userInput(body: unknown): UserInput {
  if (!isObject(body)) throw badRequest('invalidSyntax', 'the body must be a User resource');
  requireSchema(body, USER_SCHEMA);
  const userName = requiredString(body, 'userName', 254);
  if (/[\s:]/.test(userName)) throw badRequest('invalidValue', 'userName must not contain spaces or ":"');
  const name = body['name'];
  if (name !== undefined && name !== null && !isObject(name)) {
    throw badRequest('invalidValue', 'name must be an object');
  }
  const emails = body['emails'];
  if (emails !== undefined && emails !== null) {
    if (!Array.isArray(emails) || !emails.every((e) => isObject(e) && typeof e['value'] === 'string')) {
      throw badRequest('invalidValue', 'emails must be a list of objects with a string value');
    }
  }
  const enterprise = body[ENTERPRISE_SCHEMA];
  if (enterprise !== undefined && !isObject(enterprise)) {
    throw badRequest('invalidValue', 'the enterprise extension must be an object');
  }
  const attributes: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    if (!NOT_KEPT.has(key.toLowerCase()) && value !== null) attributes[key] = value;
  }
  return {
    userName,
    loginName: userName.toLowerCase(),
    externalId: optionalString(body['externalId'], 'externalId', 254),
    givenName: optionalString(isObject(name) ? name['givenName'] : undefined, 'name.givenName', 100),
    familyName: optionalString(isObject(name) ? name['familyName'] : undefined, 'name.familyName', 100),
    active: optionalBoolean(body['active'], 'active'),
    attributes,
  };
}

/** The link a user input keeps. */
export function linkOf(input: UserInput, created: Date, at: Date, emails: string[]): ScimUserLink {
  return {
    userName: input.userName,
    externalId: input.externalId,
    emails,
    attributes: input.attributes,
    createdAt: created,
    updatedAt: at,
  };
}

/** The resource without meta (what a PATCH applies to). */
export function userBody({ user, link }: ScimUser): Record<string, unknown> {
  const attrs = link?.attributes ?? {};
  const kept = isObject(attrs['name']) ? attrs['name'] : {};
  const name = {
    ...kept,
    ...(user.givenName ? { givenName: user.givenName } : {}),
    ...(user.familyName ? { familyName: user.familyName } : {}),
  };
  const { name: _name, ...rest } = attrs;
  return {
    schemas: rest[ENTERPRISE_SCHEMA] ? [USER_SCHEMA, ENTERPRISE_SCHEMA] : [USER_SCHEMA],
    id: user.id,
    ...(link?.externalId ? { externalId: link.externalId } : {}),
    userName: link?.userName ?? user.email,
    ...(Object.keys(name).length > 0 ? { name } : {}),
    ...(link === null && user.email.includes('@')
      ? { emails: [{ value: user.email, type: 'work', primary: true }] }
      : {}),
    ...rest,
    active: user.status === 'active',
  };
}

/** The User resource as served (RFC 7643 §4.1), with its meta. */
export function userResource(scimUser: ScimUser, base: string): Record<string, unknown> {
  const { user, link } = scimUser;
  const modified = link && link.updatedAt > user.updatedAt ? link.updatedAt : user.updatedAt;
  return withMeta(userBody(scimUser), {
    resourceType: 'User',
    created: user.createdAt,
    lastModified: modified,
    location: `${base}/Users/${user.id}`,
  });
}
