// The two discovery documents of the flow: the issuer's OpenID configuration (step 3) and a
// tenant's cxone-configuration with its api_endpoint (step 6).
import { ClientError } from './errors.js';
import { type HttpContext, parseMaybeJson, send } from './http.js';
import { isSafeApiBase } from './issuers.js';

/** The fields of the OpenID Provider Metadata the SDK uses; the rest is kept as sent. */
export interface DiscoveryDocument {
  issuer: string;
  token_endpoint: string;
  jwks_uri?: string;
  userinfo_endpoint?: string;
  [name: string]: unknown;
}

/** A tenant's configuration as the reference shows it; `api_endpoint` is the base of API calls. */
export interface TenantConfiguration {
  tenantId: string;
  api_endpoint: string;
  area?: string;
  cluster?: string;
  [name: string]: unknown;
}

const JSON_ACCEPT = { Accept: 'application/json' };

/**
 * `GET {issuer}/.well-known/openid-configuration`, checking that the document names the same issuer
 * (OIDC Discovery §4.3) and has a token endpoint.
 *
 * @throws {ClientError} `discovery_failed`, `network`, `timeout`
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfig
 */
export async function fetchDiscovery(ctx: HttpContext, issuer: string): Promise<DiscoveryDocument> {
  const url = `${issuer}/.well-known/openid-configuration`;
  const res = await send(ctx, url, { method: 'GET', headers: JSON_ACCEPT });
  const doc = jsonObject(res.text);
  if (res.status !== 200 || !doc) {
    throw new ClientError('discovery_failed', `${url} answered ${res.status} without a discovery document`, {
      status: res.status,
      body: parseMaybeJson(res.text),
    });
  }
  if (typeof doc['issuer'] !== 'string' || doc['issuer'].replace(/\/+$/, '') !== issuer) {
    // A mismatch means the URL does not belong to that issuer (mix-up attack, or a wrong --issuer).
    throw new ClientError(
      'discovery_failed',
      `the discovery document at ${url} names issuer ${JSON.stringify(doc['issuer'])}, not ${issuer}`,
      { status: res.status },
    );
  }
  if (typeof doc['token_endpoint'] !== 'string' || !isHttpUrl(doc['token_endpoint'])) {
    throw new ClientError('discovery_failed', `the discovery document at ${url} has no token_endpoint`, {
      status: res.status,
    });
  }
  return doc as DiscoveryDocument;
}

/**
 * `GET {issuer}/.well-known/cxone-configuration?tenantId=…` → the tenant's area and `api_endpoint`.
 *
 * @throws {ClientError} `tenant_not_found` (404, or no api_endpoint), `discovery_failed`, `network`, `timeout`
 */
export async function fetchTenantConfiguration(
  ctx: HttpContext,
  issuer: string,
  tenantId: string,
): Promise<TenantConfiguration> {
  const url = `${issuer}/.well-known/cxone-configuration?tenantId=${encodeURIComponent(tenantId)}`;
  const res = await send(ctx, url, { method: 'GET', headers: JSON_ACCEPT });
  const doc = jsonObject(res.text);
  const oauth = oauthError(doc);
  const said = oauth.errorDescription ? ` (${oauth.errorDescription})` : '';
  // 404: unknown or inactive; 400: not even a well-formed id — either way no such tenant.
  if (res.status === 404 || res.status === 400) {
    throw new ClientError('tenant_not_found', `the issuer knows no tenant ${tenantId}${said}`, {
      status: res.status,
      ...oauth,
      body: parseMaybeJson(res.text),
    });
  }
  if (res.status === 200 && (!doc || !isHttpUrl(doc['api_endpoint']))) {
    throw new ClientError('tenant_not_found', `the configuration of tenant ${tenantId} has no api_endpoint`, {
      status: res.status,
    });
  }
  if (res.status !== 200 || !doc) {
    throw new ClientError('discovery_failed', `tenant discovery answered ${res.status}`, {
      status: res.status,
      ...oauth,
      body: parseMaybeJson(res.text),
    });
  }
  const apiEndpoint = String(doc['api_endpoint']).replace(/\/+$/, '');
  if (!isSafeApiBase(apiEndpoint)) {
    throw new ClientError(
      'discovery_failed',
      `the api_endpoint of tenant ${tenantId} is plain http to another host; bearer tokens go only over https`,
      { status: res.status },
    );
  }
  return {
    ...doc,
    tenantId: typeof doc['tenantId'] === 'string' ? doc['tenantId'] : tenantId,
    api_endpoint: apiEndpoint,
  };
}

/** The RFC 6749 §5.2 fields of an error body, when present. */
export function oauthError(doc: Record<string, unknown> | undefined): {
  error?: string;
  errorDescription?: string;
} {
  if (!doc) return {};
  return {
    ...(typeof doc['error'] === 'string' ? { error: doc['error'] } : {}),
    ...(typeof doc['error_description'] === 'string' ? { errorDescription: doc['error_description'] } : {}),
  };
}

/** The body as a JSON object, or undefined. */
export function jsonObject(text: string): Record<string, unknown> | undefined {
  const value = parseMaybeJson(text);
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function isHttpUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    const { protocol } = new URL(value);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}
