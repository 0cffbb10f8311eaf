// The two discovery steps on their own, without credentials: an issuer's OpenID configuration, and
// any tenant's configuration by id (e.g. a support script that knows the tenantId).
import {
  type DiscoveryDocument,
  fetchDiscovery,
  fetchTenantConfiguration,
  type TenantConfiguration,
} from './discovery.js';
import { type HttpOptions, httpContext } from './http.js';
import { resolveIssuer } from './issuers.js';

/**
 * `GET {issuer}/.well-known/openid-configuration` (not cached; a client caches its own).
 *
 * @example const { token_endpoint } = await discoverIssuer('cxone');
 * @throws {ClientError} `discovery_failed`, `invalid_config`, `network`, `timeout`
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfigurationRequest
 */
export function discoverIssuer(issuer: string, options: HttpOptions = {}): Promise<DiscoveryDocument> {
  return fetchDiscovery(httpContext(options), resolveIssuer(issuer));
}

/**
 * `GET {issuer}/.well-known/cxone-configuration?tenantId=…` for a tenant given by id.
 *
 * @example const { api_endpoint } = await discoverTenant('cxone', tenantId);
 * @throws {ClientError} `tenant_not_found`, `discovery_failed`, `invalid_config`, `network`, `timeout`
 */
export function discoverTenant(
  issuer: string,
  tenantId: string,
  options: HttpOptions = {},
): Promise<TenantConfiguration> {
  return fetchTenantConfiguration(httpContext(options), resolveIssuer(issuer), tenantId);
}
