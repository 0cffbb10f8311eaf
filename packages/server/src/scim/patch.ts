// SCIM PATCH (RFC 7644 §3.5.2) applied by scim-patch (the one module that imports it), after the
// normalisation the identity providers need: capitalised ops (`Replace`, Microsoft Entra ID), an op
// without a path whose value object names attributes, even by dotted path or schema URN (Entra ID,
// Okta), and the resource's read-only members left out.
import { type ScimPatchOperation, scimPatch } from 'scim-patch';
import { badRequest } from './errors.js';
import { PATCH_OP } from './schemas.js';

const MAX_OPERATIONS = 1000;
/** Read-only or server-kept attributes a value object may carry and a PATCH never changes. */
const IGNORED = new Set(['id', 'meta', 'schemas']);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The operations of a PatchOp body, normalised; a malformed body is 400 invalidSyntax. */
export function patchOperations(body: unknown): ScimPatchOperation[] {
  if (!isObject(body) || !Array.isArray(body['schemas']) || !body['schemas'].includes(PATCH_OP)) {
    throw badRequest('invalidSyntax', `a PATCH body has schemas ["${PATCH_OP}"] and Operations`);
  }
  const ops = body['Operations'] ?? body['operations'];
  if (!Array.isArray(ops) || ops.length === 0 || ops.length > MAX_OPERATIONS) {
    throw badRequest('invalidSyntax', 'Operations must be a non-empty list');
  }
  const out: ScimPatchOperation[] = [];
  for (const raw of ops) {
    if (!isObject(raw) || typeof raw['op'] !== 'string') {
      throw badRequest('invalidSyntax', 'each operation has an op: add, remove or replace');
    }
    const op = raw['op'].toLowerCase();
    const path = raw['path'];
    if (op !== 'add' && op !== 'remove' && op !== 'replace') {
      throw badRequest('invalidSyntax', 'op must be add, remove or replace');
    }
    if (path !== undefined && (typeof path !== 'string' || path.length === 0 || path.length > 500)) {
      throw badRequest('invalidPath', 'path must be a non-empty attribute path');
    }
    if (op === 'remove') {
      if (path === undefined) throw badRequest('noTarget', 'a remove operation needs a path');
      const value = raw['value'];
      // Entra ID removes members as `{"path": "members", "value": [{"value": id}]}`: the same as one
      // remove of `members[value eq "id"]` each (RFC 7644 §3.5.2.2), whatever else the items carry.
      if (
        Array.isArray(value) &&
        !path.includes('[') &&
        value.every((v) => isObject(v) && typeof v['value'] === 'string')
      ) {
        for (const item of value) {
          out.push({ op, path: `${path}[value eq ${JSON.stringify((item as { value: string }).value)}]` });
        }
        continue;
      }
      out.push(
        raw['value'] === undefined ? { op, path } : ({ op, path, value: raw['value'] } as ScimPatchOperation),
      );
      continue;
    }
    if (!('value' in raw)) throw badRequest('invalidValue', `an ${op} operation needs a value`);
    if (path === undefined && isObject(raw['value'])) {
      // RFC 7644 §3.5.2.1/3: the value's members are the attributes; one operation each, so that a
      // member named by a dotted path or a schema URN reaches the attribute it names.
      for (const [name, value] of Object.entries(raw['value'])) {
        if (IGNORED.has(name)) continue;
        if (isObject(value) && name.startsWith('urn:')) {
          for (const [inner, v] of Object.entries(value))
            out.push({ op, path: `${name}:${inner}`, value: v });
        } else {
          out.push({ op, path: name, value });
        }
      }
      continue;
    }
    if (path === undefined) throw badRequest('noTarget', `an ${op} without a path takes an object value`);
    out.push({ op, path, value: raw['value'] });
  }
  return out;
}

/** Applies the operations to a copy of `resource`; errors of the library are 400 with their keyword. */
export function applyPatch<T extends Record<string, unknown>>(resource: T, ops: ScimPatchOperation[]): T {
  try {
    return scimPatch(resource as never, ops, { mutateDocument: false, treatMissingAsAdd: true }) as T;
  } catch (err) {
    // The library's errors carry their RFC 7644 §3.12 keyword; their messages are not echoed.
    const code = (err as { scimCode?: unknown }).scimCode;
    if (code === 'noTarget') throw badRequest('noTarget', 'the path matches nothing to change');
    if (code === 'invalidPath' || code === 'invalidSyntax') {
      throw badRequest(code, 'the operation cannot be applied to this path');
    }
    throw badRequest('invalidValue', 'the operation cannot be applied');
  }
}
