// GET /.well-known/openid-configuration and /.well-known/oauth-authorization-server: the provider
// metadata of what this service implements (one document at both).
import type { FastifyInstance, FastifyReply } from 'fastify';
import { cacheFor, sendJson } from '../http/headers.js';
import { ROUTE } from '../http/routes.js';
import { CLIENT_AUTH_METHODS } from '../protocol/client-auth.js';
import { SUPPORTED_SCOPES } from '../protocol/scope.js';

/** How long clients and caches may keep the document, seconds. */
export const DISCOVERY_MAX_AGE = 3600;

/**
 * The metadata document. `issuer` is the configured issuer exactly, never taken from the request;
 * only implemented endpoints are listed (no authorization or end-session endpoint yet).
 * @see OpenID Connect Discovery 1.0 §3, RFC 8414 §2
 */
export function discoveryDocument(
  issuer: string,
  grantTypes: readonly string[],
  signingAlgs: readonly string[] = ['RS256'],
): Record<string, unknown> {
  return {
    issuer,
    token_endpoint: `${issuer}/auth/token`,
    jwks_uri: `${issuer}/auth/jwks`,
    userinfo_endpoint: `${issuer}/auth/userinfo`,
    revocation_endpoint: `${issuer}${ROUTE.revocation.path}`,
    introspection_endpoint: `${issuer}${ROUTE.introspection.path}`,
    grant_types_supported: [...grantTypes],
    token_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS],
    revocation_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS],
    // A public client (none) cannot introspect.
    introspection_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS.filter((m) => m !== 'none'),
    scopes_supported: [...SUPPORTED_SCOPES],
    // No authorization endpoint yet, so no response type is offered.
    response_types_supported: [],
    subject_types_supported: ['public'],
    // What the JWKS publishes now (RFC 8414 §2): a rotation to another algorithm shows here.
    id_token_signing_alg_values_supported: [...signingAlgs],
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
  };
}

/**
 * Registers the discovery endpoint and its RFC 8414 twin; the document is serialized again only when
 * the published algorithms (`signingAlgs`, the same array until the keys change) change.
 */
export function registerDiscovery(
  app: FastifyInstance,
  issuer: string,
  grantTypes: readonly string[],
  signingAlgs: () => readonly string[] = () => ['RS256'],
): void {
  let algs: readonly string[] | undefined;
  let json = '';
  const send = async (_request: unknown, reply: FastifyReply) => {
    const current = signingAlgs();
    if (current !== algs)
      [algs, json] = [current, JSON.stringify(discoveryDocument(issuer, grantTypes, current))];
    return sendJson(cacheFor(reply, DISCOVERY_MAX_AGE), json);
  };
  app.get(ROUTE.discovery.path, send);
  // RFC 8414 §3: the same metadata where OAuth clients look for it.
  app.get(ROUTE['authorization-server-metadata'].path, send);
}
