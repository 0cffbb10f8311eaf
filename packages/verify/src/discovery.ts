// Finds the issuer's jwks_uri from its OpenID Provider metadata, refusing metadata of another issuer.
import { type FetchJsonOptions, fetchJson } from './fetch-json.js';

/** `{issuer}/.well-known/openid-configuration`, without doubling a trailing slash (OIDC Discovery §4). */
export function discoveryUrl(issuer: string): string {
  return `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
}

/**
 * Reads `jwks_uri` from the issuer's discovery document after checking that its `issuer` is exactly
 * the configured one.
 * @see OpenID Connect Discovery 1.0 §4.3
 */
export async function discoverJwksUri(issuer: string, options: FetchJsonOptions): Promise<string> {
  const doc = await fetchJson(discoveryUrl(issuer), options);
  if (typeof doc !== 'object' || doc === null) throw new Error('discovery document is not a JSON object');
  const metadata = doc as Record<string, unknown>;
  if (metadata['issuer'] !== issuer) {
    throw new Error(`discovery document names issuer ${JSON.stringify(metadata['issuer'])}, not ${issuer}`);
  }
  const jwksUri = metadata['jwks_uri'];
  if (typeof jwksUri !== 'string' || !URL.canParse(jwksUri)) {
    throw new Error('discovery document has no valid jwks_uri');
  }
  return jwksUri;
}
