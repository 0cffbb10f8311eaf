// Where a tenant's API lives, asked of the issuer's tenant discovery — only when a token of another
// area is refused, and cached, so the regional server never calls the issuer on the happy path. The
// fetch (timeout, size cap) and the cache are those of the verifier's JWKS, through @cxauth/internal.
import { fetchJson, Lru } from '@cxauth/internal';

/** What the refusal names: the tenant's `api_endpoint` when the issuer could tell. */
export interface TenantLocation {
  area: string;
  apiEndpoint: string | undefined;
}

export interface AreaLookupOptions {
  issuer: string;
  clock: () => number;
  /** Per-request timeout, ms. */
  timeoutMs?: number;
  /** How long an answer is reused, ms. */
  ttlMs?: number;
  /** How long a failed lookup is not retried, ms (so an outage is not hammered). */
  failureTtlMs?: number;
  /** Most tenants remembered. */
  capacity?: number;
}

export type AreaLookup = (tenantId: string, area: string) => Promise<TenantLocation>;

interface Entry {
  apiEndpoint: string | undefined;
  until: number;
}

/** A tenant's configuration is a small document: anything larger is refused unread. */
const MAX_TENANT_DOC_BYTES = 16 * 1024;

/** `{issuer}/.well-known/cxone-configuration?tenantId=…` → its `api_endpoint`, or a rejection. */
async function fetchApiEndpoint(issuer: string, tenantId: string, timeoutMs: number): Promise<string> {
  const url = new URL(`${issuer.replace(/\/+$/, '')}/.well-known/cxone-configuration`);
  url.searchParams.set('tenantId', tenantId);
  const body = await fetchJson(url.href, { fetch, timeoutMs, maxBytes: MAX_TENANT_DOC_BYTES });
  const apiEndpoint = (body as { api_endpoint?: unknown } | null)?.api_endpoint;
  if (typeof apiEndpoint !== 'string' || !URL.canParse(apiEndpoint)) {
    throw new Error('tenant discovery has no api_endpoint');
  }
  return apiEndpoint;
}

/**
 * Creates a cached lookup of a tenant's `api_endpoint` through `{issuer}/.well-known/cxone-configuration`.
 * It never throws: when the issuer cannot answer, the location names only the area.
 */
export function createAreaLookup(options: AreaLookupOptions): AreaLookup {
  const ttl = options.ttlMs ?? 300_000;
  const failureTtl = options.failureTtlMs ?? 10_000;
  const cache = new Lru<Entry>(options.capacity ?? 10_000);

  return async (tenantId, area) => {
    const now = options.clock();
    const cached = cache.get(tenantId);
    if (cached && cached.until > now) return { area, apiEndpoint: cached.apiEndpoint };
    let entry: Entry;
    try {
      entry = {
        apiEndpoint: await fetchApiEndpoint(options.issuer, tenantId, options.timeoutMs ?? 2_000),
        until: now + ttl,
      };
    } catch {
      entry = { apiEndpoint: undefined, until: now + failureTtl };
    }
    cache.set(tenantId, entry);
    return { area, apiEndpoint: entry.apiEndpoint };
  };
}
