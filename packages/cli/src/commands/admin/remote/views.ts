// What the route table needs beside plain requests: request bodies in the API's member names, the
// API's answers back in the admin service's shape (docs/admin-api.md adds `active` beside `status`),
// and the lists the API keeps per owner gathered across owners when no owner is named.
import { type CreateApplicationInput, registrationOnWire } from '@cxauth/server';
import { CliError, EXIT } from '../../../io.js';
import type { AdminApi } from './http.js';

type Json = Record<string, unknown>;

/** `o` without the named members. */
export function drop(o: Json, ...names: string[]): Json {
  return Object.fromEntries(Object.entries(o).filter(([k]) => !names.includes(k)));
}

/**
 * An application or access key as the admin service answers it: without the API's `active` (it
 * repeats `status`), and a new secret right after the id, where `cxauth admin` prints it.
 */
export function asService(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  const o = value as Json;
  const rest = 'status' in o ? drop(o, 'active') : o;
  const id = 'client_id' in o ? 'client_id' : 'accessKeyId' in o ? 'accessKeyId' : undefined;
  const secret =
    'client_secret' in o ? 'client_secret' : 'accessKeySecret' in o ? 'accessKeySecret' : undefined;
  if (id === undefined || secret === undefined) return rest;
  return { [id]: o[id], [secret]: o[secret], ...drop(rest, id, secret) };
}

/** An application body in the API's names: the tenancy follows from the tenant, as the service's. */
export function appBody(a: Partial<CreateApplicationInput>): Json {
  return {
    name: a.name,
    // The service's default type; the API asks for it explicitly.
    type: a.type ?? 'backend',
    tenancy: a.tenantId === undefined ? 'all' : 'single',
    tenantId: a.tenantId,
    ...registrationOnWire(a),
  };
}

/** PATCH `{"active"}` of an application or access key, answered as the service's view. */
export async function setStatus(api: AdminApi, path: string, status: 'active' | 'inactive') {
  return asService(await api.call('PATCH', path, { active: status === 'active' }));
}

/** The one item of a list whose `key` is `value`, or the service's "not found" message (exit 1). */
export function find(kind: string, key: string, value: string) {
  return (items: unknown[]) => {
    const found = items.find((i) => (i as Json)[key] === value);
    if (found === undefined) throw new CliError(`no ${kind} with id "${value}"`, EXIT.failed);
    return found;
  };
}

/**
 * The items at `pathOf(owner)` for one owner, or for every owner in reach: every tenant's (those the
 * token sees), or with `ofUsers` every user's of those tenants. The API lists per owner only.
 */
export async function listOfAll(
  api: AdminApi,
  owner: string | undefined,
  pathOf: (owner: string) => string,
  ofUsers = false,
): Promise<unknown[]> {
  if (owner !== undefined) return api.list(pathOf(owner));
  const ids = (items: unknown[]) => items.map((i) => String((i as Json)['id']));
  let owners = ids(await api.list('/tenants'));
  if (ofUsers) {
    const users = await Promise.all(owners.map((t) => api.list(`/tenants/${encodeURIComponent(t)}/users`)));
    owners = ids(users.flat());
  }
  return (await Promise.all(owners.map((o) => api.list(pathOf(o))))).flat();
}
