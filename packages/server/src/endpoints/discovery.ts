// GET /.well-known/openid-configuration and /.well-known/oauth-authorization-server: the provider
// metadata of what this service implements (one document at both).
import { DPOP_ALGORITHMS, FEED_METADATA } from '@cxauth/verify';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { DEVICE_CODE } from '../domain/app-types.js';
import { cacheFor, sendJson } from '../http/headers.js';
import { ROUTE } from '../http/routes.js';
import { passkeySupport } from '../interaction/passkeys.js';
import { CLIENT_AUTH_METHODS } from '../protocol/client-auth.js';
import { SUPPORTED_SCOPES } from '../protocol/scope.js';

/** How long clients and caches may keep the document, seconds. */
export const DISCOVERY_MAX_AGE = 3600;

/**
 * The metadata document. `issuer` is the configured issuer exactly, never taken from the request;
 * only implemented endpoints are listed.
 * @see OpenID Connect Discovery 1.0 §3, RFC 8414 §2
 */
export function discoveryDocument(
  issuer: string,
  grantTypes: readonly string[],
  signingAlgs: readonly string[] = ['RS256'],
): Record<string, unknown> {
  return {
    issuer,
    authorization_endpoint: `${issuer}${ROUTE.authorize.path}`,
    token_endpoint: `${issuer}/auth/token`,
    jwks_uri: `${issuer}/auth/jwks`,
    userinfo_endpoint: `${issuer}/auth/userinfo`,
    end_session_endpoint: `${issuer}${ROUTE.logout.path}`,
    revocation_endpoint: `${issuer}${ROUTE.revocation.path}`,
    introspection_endpoint: `${issuer}${ROUTE.introspection.path}`,
    // RFC 8628 §4: only where the device_code grant is enabled.
    ...(grantTypes.includes(DEVICE_CODE)
      ? { device_authorization_endpoint: `${issuer}${ROUTE['device-authorization'].path}` }
      : {}),
    grant_types_supported: [...grantTypes],
    token_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS],
    revocation_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS],
    // A public client (none) cannot introspect.
    introspection_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS.filter((m) => m !== 'none'),
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
    // What the JWKS publishes now (RFC 8414 §2): a rotation to another algorithm shows here.
    id_token_signing_alg_values_supported: [...signingAlgs],
    // RFC 9449 §5.1: the algorithms a DPoP proof may be signed with (at the token endpoint and at
    // every resource that verifies through @cxauth/verify).
    dpop_signing_alg_values_supported: [...DPOP_ALGORITHMS],
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
      'email_verified',
      'tenantId',
    ],
    claims_parameter_supported: false,
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
    // cxauth's own member: the signed revocation feed regional verifiers follow (docs/revocation.md).
    [FEED_METADATA]: `${issuer}/auth/revocations`,
    // cxauth's own members: whether the hosted pages offer passkeys under this issuer (its host is
    // their WebAuthn RP ID), and if not why (`ip_address`, `not_https`), for the console to say so.
    ...passkeyMetadata(issuer),
  };
}

/** `cxauth_passkeys_rp_id` (null when passkeys are off) and, when off, `cxauth_passkeys_unavailable`. */
function passkeyMetadata(issuer: string): Record<string, string | null> {
  const support = passkeySupport(issuer);
  return 'rpId' in support
    ? { cxauth_passkeys_rp_id: support.rpId }
    : { cxauth_passkeys_rp_id: null, cxauth_passkeys_unavailable: support.unavailable };
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
