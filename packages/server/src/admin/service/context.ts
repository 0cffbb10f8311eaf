// What every admin module is built from, and the checks they share (one-line AdminError messages).
import { AdminError, type AdminErrorField } from '../../protocol/errors.js';
import type { Hasher } from '../../secrets/hasher.js';
import type { Storage } from '../../storage/contract/index.js';
import { StorageConstraintError } from '../../storage/errors.js';

export interface AdminContext {
  storage: Storage;
  hasher: Hasher;
  clock: () => Date;
}

export function notFound(kind: string, id: string): AdminError {
  return new AdminError('not_found', `no ${kind} with id "${id}"`);
}

/** A bad value; `field` names the input it came from (a body member unless said otherwise). */
export function invalid(message: string, field?: string | AdminErrorField): AdminError {
  const at = typeof field === 'string' ? { in: 'body', name: field } : field;
  return new AdminError('invalid_value', message, at);
}

// The words a message uses for a value, and the admin API's name of its member where they differ.
const MEMBER: Record<string, string> = { tenant: 'tenantId', user: 'userId' };
const memberOf = (field: string) => MEMBER[field] ?? field.replace(/[ -]/g, '_');

/** A required, trimmed, single-line text value of bounded length. */
export function text(field: string, value: unknown, max = 200): string {
  const member = memberOf(field);
  if (typeof value !== 'string' || value.trim() === '') throw invalid(`${field} is required`, member);
  const trimmed = value.trim();
  if (trimmed.length > max) throw invalid(`${field} must be at most ${max} characters`, member);
  if ([...trimmed].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) {
    throw invalid(`${field} must not contain control characters`, member);
  }
  return trimmed;
}

export function optionalText(field: string, value: unknown, max = 200): string | null {
  return value === undefined || value === null || value === '' ? null : text(field, value, max);
}

/** An absolute http(s) URL without query or fragment; a trailing slash is removed. */
export function endpoint(field: string, value: unknown): string {
  const raw = text(field, value, 2000);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid(`${field} must be an absolute URL, got "${raw}"`, memberOf(field));
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw invalid(`${field} must be http or https`, memberOf(field));
  if (url.search || url.hash || url.username || url.password) {
    throw invalid(`${field} must not have credentials, a query or a fragment`, memberOf(field));
  }
  return url.href.replace(/\/+$/, '');
}

/** Runs a create, reporting duplicates and dangling references as AdminError. */
export async function creating<T>(what: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (err instanceof StorageConstraintError) {
      throw new AdminError(
        err.kind === 'unique' ? 'conflict' : 'not_found',
        err.kind === 'unique' ? `${what} already exists` : `${what} refers to something that does not exist`,
      );
    }
    throw err;
  }
}

export function iso(date: Date | null): string | null {
  return date ? date.toISOString() : null;
}
