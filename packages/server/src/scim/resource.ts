// What every SCIM resource shares (RFC 7643 §3.1): `meta` with its location, times and version (a weak
// ETag over the resource, RFC 7644 §3.14), and the checks of a request body's values.
import crypto from 'node:crypto';
import { badRequest } from './errors.js';

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A weak entity tag of a resource's content (without meta): it changes whenever the resource does. */
export function versionOf(resource: Record<string, unknown>): string {
  const hash = crypto.createHash('sha256').update(JSON.stringify(resource)).digest('base64url');
  return `W/"${hash.slice(0, 22)}"`;
}

/** `resource` with its `meta` (RFC 7643 §3.1). */
export function withMeta(
  resource: Record<string, unknown>,
  meta: { resourceType: string; created: Date; lastModified: Date; location: string },
  /** What the version is of, when `resource` leaves attributes out (`excludedAttributes`). */
  whole: Record<string, unknown> = resource,
): Record<string, unknown> {
  return {
    ...resource,
    meta: {
      resourceType: meta.resourceType,
      created: meta.created.toISOString(),
      lastModified: meta.lastModified.toISOString(),
      location: meta.location,
      version: versionOf(whole),
    },
  };
}

/** A required string attribute of at most `max` characters. */
export function requiredString(body: Record<string, unknown>, name: string, max: number): string {
  const value = body[name];
  if (typeof value !== 'string' || value.trim().length === 0) {
    throw badRequest('invalidValue', `${name} is required and must be a non-empty string`);
  }
  if (value.length > max) throw badRequest('invalidValue', `${name} is longer than ${max} characters`);
  return value.trim();
}

/** An optional string attribute (null when absent or null). */
export function optionalString(value: unknown, name: string, max: number): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') throw badRequest('invalidValue', `${name} must be a string`);
  if (value.length > max) throw badRequest('invalidValue', `${name} is longer than ${max} characters`);
  return value;
}

/**
 * A boolean attribute; Microsoft Entra ID sends `"True"`/`"False"` strings in some PATCH requests
 * (docs/scim.md), which read as the booleans they name.
 */
export function optionalBoolean(value: unknown, name: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  throw badRequest('invalidValue', `${name} must be a boolean`);
}

/** Checks a body names `schema` among its schemas (RFC 7643 §3). */
export function requireSchema(body: Record<string, unknown>, schema: string): void {
  const schemas = body['schemas'];
  if (!Array.isArray(schemas) || !schemas.includes(schema)) {
    throw badRequest('invalidSyntax', `the resource's schemas must include "${schema}"`);
  }
}
