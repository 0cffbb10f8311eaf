// @cxauth/client: the global authentication flow in one call — discovery, access-key grant, tenant
// discovery, cached and renewed tokens, API calls. No runtime dependencies; fetch-based, browser-safe.

export type { ApiOptions, ApiResponse } from './api.js';
export { type ClientOptions, type CxauthClient, CxClient, createClient } from './client.js';
export {
  type DeviceAuthorizationOptions,
  type DevicePollOptions,
  type PendingDeviceAuthorization,
  pollDeviceAuthorization,
  startDeviceAuthorization,
} from './device.js';
export type { DiscoveryDocument, TenantConfiguration } from './discovery.js';
export { createDpopKey, type DpopKey } from './dpop.js';
export { base64UrlDecodeText, clientPassword, formUrlEncode } from './encoding.js';
export { ENV_NAMES, type EnvOptions, optionsFromEnv } from './env.js';
export { CLIENT_ERROR_CODES, ClientError, type ClientErrorCode, isClientError } from './errors.js';
export type { HttpOptions } from './http.js';
export { HOSTED_ISSUERS, resolveIssuer } from './issuers.js';
export { type DecodedJwt, decodeJwt, tenantIdOf } from './jwt.js';
export { discoverIssuer, discoverTenant } from './lookups.js';
export {
  ACCESS_TOKEN_TYPE,
  clientCredentials,
  exchangeToken,
  type IntrospectionResponse,
  introspect,
  type MachineOptions,
  revoke,
} from './machine.js';
export {
  type AuthorizationOptions,
  buildAuthorizationUrl,
  type CallbackOptions,
  handleCallback,
  type PendingAuthorization,
  refreshSignIn,
  type SignInResult,
} from './sign-in.js';
export { signOut } from './sign-out.js';
export type { TokenSet } from './token-cache.js';
export type { AccessKey, ClientCredentials, GrantClient, TokenResponse } from './token-endpoint.js';
