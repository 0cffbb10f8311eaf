// GET /.well-known/openid-configuration: the provider metadata of what this service implements.
import type { FastifyInstance } from 'fastify';
import { cacheFor, sendJson } from '../http/headers.js';
import { ROUTE } from '../http/routes.js';
import { CLIENT_AUTH_METHODS } from '../protocol/client-auth.js';
import { SUPPORTED_SCOPES } from '../protocol/scope.js';

/** How long clients and caches may keep the document, seconds. */
export const DISCOVERY_MAX_AGE = 3600;

/**
 * The metadata document. `issuer` is the configured issuer exactly, never taken from the request;
 * only implemented endpoints are listed.
 * @see OpenID Connect Discovery 1.0 §3, RFC 8414 §2
 */
export function discoveryDocument(issuer: string, grantTypes: readonly string[]): Record<string, unknown> {
  return {
    issuer,
    authorization_endpoint: `${issuer}${ROUTE.authorize.path}`,
    token_endpoint: `${issuer}/auth/token`,
    jwks_uri: `${issuer}/auth/jwks`,
    userinfo_endpoint: `${issuer}/auth/userinfo`,
    end_session_endpoint: `${issuer}${ROUTE.logout.path}`,
    grant_types_supported: [...grantTypes],
    token_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS],
    scopes_supported: [...SUPPORTED_SCOPES],
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    // PKCE is required of every app, and `plain` is refused (RFC 9700 §2.1.1).
    code_challenge_methods_supported: ['S256'],
    display_values_supported: ['page', 'popup'],
    prompt_values_supported: ['none', 'login'],
    // RFC 9207: every authorization response carries `iss`.
    authorization_response_iss_parameter_supported: true,
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    claim_types_supported: ['normal'],
    claims_supported: [
      'iss',
      'sub',
      'aud',
      'iat',
      'exp',
      'auth_time',
      'at_hash',
      'nonce',
      'amr',
      'sid',
      'name',
      'given_name',
      'family_name',
      'email',
      'tenantId',
    ],
    claims_parameter_supported: false,
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
  };
}

/** Registers the discovery endpoint; the document is serialized once. */
export function registerDiscovery(app: FastifyInstance, issuer: string, grantTypes: readonly string[]): void {
  const json = JSON.stringify(discoveryDocument(issuer, grantTypes));
  app.get(ROUTE.discovery.path, async (_request, reply) =>
    sendJson(cacheFor(reply, DISCOVERY_MAX_AGE), json),
  );
}
