// SCIM filters (RFC 7644 §3.4.2.2), parsed by scim2-parse-filter (the one module that imports it): for
// Users, the `eq` on userName, externalId and emails.value joined with `and` that identity providers send,
// turned into a storage query; for Groups, any filter, tested on the resources themselves.
import { filter as compile, type Filter, parse } from 'scim2-parse-filter';
import type { ScimUserQuery } from '../storage/contract/scim.js';
import { badRequest } from './errors.js';

const MAX_FILTER = 1000;

/** Parses a filter; a malformed one is 400 invalidFilter. */
export function parseFilter(text: string): Filter {
  if (text.length > MAX_FILTER) throw badRequest('invalidFilter', 'the filter is too long');
  try {
    return parse(text);
  } catch {
    throw badRequest('invalidFilter', 'the filter is not a valid SCIM filter (RFC 7644 §3.4.2.2)');
  }
}

/** The attribute a Users `eq` may name, by its lower-cased path (attribute names are case-insensitive). */
const USER_ATTRIBUTES: Record<string, keyof ScimUserQuery> = {
  username: 'userName',
  'urn:ietf:params:scim:schemas:core:2.0:user:username': 'userName',
  externalid: 'externalId',
  'emails.value': 'email',
  'urn:ietf:params:scim:schemas:core:2.0:user:emails.value': 'email',
};

/** The users query a filter asks for, or undefined when its `eq`s contradict each other (no user). */
export function userQuery(filter: Filter): ScimUserQuery | undefined {
  const query: ScimUserQuery = {};
  let contradiction = false;
  const visit = (f: Filter): void => {
    if (f.op === 'and' && 'filters' in f) {
      for (const inner of f.filters) visit(inner);
      return;
    }
    // `emails[value eq "x"]` is the same as `emails.value eq "x"` (RFC 7644 §3.4.2.2, valuePath).
    if (f.op === '[]' && 'valFilter' in f && f.valFilter.op === 'eq' && 'attrPath' in f.valFilter) {
      visit({ ...f.valFilter, attrPath: `${f.attrPath}.${f.valFilter.attrPath}` });
      return;
    }
    if (f.op === 'eq' && 'compValue' in f && typeof f.compValue === 'string') {
      const key = USER_ATTRIBUTES[f.attrPath.toLowerCase()];
      if (key) {
        // userName and e-mail addresses compare case-insensitively; externalId is caseExact (RFC 7643 §3.1).
        const value = key === 'externalId' ? f.compValue : f.compValue.toLowerCase();
        if (query[key] !== undefined && query[key] !== value) contradiction = true;
        query[key] = value;
        return;
      }
    }
    throw badRequest(
      'invalidFilter',
      'Users filters support eq on userName, externalId and emails.value, joined with and',
    );
  };
  visit(filter);
  return contradiction ? undefined : query;
}

/** A predicate testing a resource (a Group as SCIM JSON) against a filter. */
export function resourcePredicate(filter: Filter): (resource: Record<string, unknown>) => boolean {
  try {
    return compile(filter);
  } catch {
    throw badRequest('invalidFilter', 'the filter cannot be applied');
  }
}
