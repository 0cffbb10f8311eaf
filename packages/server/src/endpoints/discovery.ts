// GET /.well-known/openid-configuration: the provider metadata of what this service implements.
import { FEED_METADATA } from '@cxauth/verify';
import type { FastifyInstance } from 'fastify';
import { cacheFor, sendJson } from '../http/headers.js';
import { ROUTE } from '../http/routes.js';
import { SUPPORTED_SCOPES } from '../protocol/scope.js';

/** How long clients and caches may keep the document, seconds. */
export const DISCOVERY_MAX_AGE = 3600;

/**
 * The metadata document. `issuer` is the configured issuer exactly, never taken from the request;
 * only implemented endpoints are listed (no authorization or end-session endpoint yet).
 * @see OpenID Connect Discovery 1.0 §3, RFC 8414 §2
 */
export function discoveryDocument(issuer: string, grantTypes: readonly string[]): Record<string, unknown> {
  return {
    issuer,
    token_endpoint: `${issuer}/auth/token`,
    jwks_uri: `${issuer}/auth/jwks`,
    userinfo_endpoint: `${issuer}/auth/userinfo`,
    grant_types_supported: [...grantTypes],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    scopes_supported: [...SUPPORTED_SCOPES],
    // No authorization endpoint yet, so no response type is offered.
    response_types_supported: [],
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
      'name',
      'given_name',
      'family_name',
      'email',
      'tenantId',
    ],
    claims_parameter_supported: false,
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
    // cxauth's own member: the signed revocation feed regional verifiers follow (docs/revocation.md).
    [FEED_METADATA]: `${issuer}/auth/revocations`,
  };
}

/** Registers the discovery endpoint; the document is serialized once. */
export function registerDiscovery(app: FastifyInstance, issuer: string, grantTypes: readonly string[]): void {
  const json = JSON.stringify(discoveryDocument(issuer, grantTypes));
  app.get(ROUTE.discovery.path, async (_request, reply) =>
    sendJson(cacheFor(reply, DISCOVERY_MAX_AGE), json),
  );
}
