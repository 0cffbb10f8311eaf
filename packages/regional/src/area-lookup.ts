// Where a tenant's API lives, asked of the issuer's tenant discovery — only when a token of another
// area is refused, and cached, so the regional server never calls the issuer on the happy path.

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

async function fetchApiEndpoint(issuer: string, tenantId: string, timeoutMs: number): Promise<string> {
  const url = new URL(`${issuer.replace(/\/+$/, '')}/.well-known/cxone-configuration`);
  url.searchParams.set('tenantId', tenantId);
  const res = await fetch(url, {
    headers: { accept: 'application/json' },
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!res.ok) {
    await res.body?.cancel().catch(() => undefined);
    throw new Error(`tenant discovery answered ${res.status}`);
  }
  const body = (await res.json()) as { api_endpoint?: unknown };
  if (typeof body?.api_endpoint !== 'string' || !URL.canParse(body.api_endpoint)) {
    throw new Error('tenant discovery has no api_endpoint');
  }
  return body.api_endpoint;
}

/**
 * Creates a cached lookup of a tenant's `api_endpoint` through `{issuer}/.well-known/cxone-configuration`.
 * It never throws: when the issuer cannot answer, the location names only the area.
 */
export function createAreaLookup(options: AreaLookupOptions): AreaLookup {
  const ttl = options.ttlMs ?? 300_000;
  const failureTtl = options.failureTtlMs ?? 10_000;
  const capacity = options.capacity ?? 10_000;
  const cache = new Map<string, Entry>();

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
    cache.delete(tenantId);
    cache.set(tenantId, entry);
    if (cache.size > capacity) cache.delete(cache.keys().next().value as string);
    return { area, apiEndpoint: entry.apiEndpoint };
  };
}
