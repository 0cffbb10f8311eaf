// The service's configuration: one typed, validated, frozen object built from the environment, feature
// by feature (http, storage, keys, tokens, throttling, retention, management, admin). Unsafe or malformed
// settings fail at start-up with what to change. The README lists every variable.
import { type AdminApiConfig, adminApiConfig } from './admin.js';
import type { HttpConfig } from './http.js';
import { httpConfig } from './http.js';
import type { KeyConfig } from './keys.js';
import { keyConfig } from './keys.js';
import type { ManagementConfig } from './management.js';
import { managementConfig } from './management.js';
import type { RetentionConfig } from './retention.js';
import { retentionConfig } from './retention.js';
import type { SignInConfig } from './sign-in.js';
import { signInConfig } from './sign-in.js';
import type { StorageConfig } from './storage.js';
import { storageConfig } from './storage.js';
import type { ThrottleConfig } from './throttling.js';
import { throttleConfig } from './throttling.js';
import type { TokenConfig } from './tokens.js';
import { tokenConfig } from './tokens.js';

export type { AdminApiConfig } from './admin.js';
export { ConfigError } from './env.js';
export type { HttpConfig, HttpTimeouts } from './http.js';
export { HTTP_TIMEOUT_DEFAULTS, httpTimeouts } from './http.js';
export type { KeyConfig } from './keys.js';
export { KEY_DEFAULTS } from './keys.js';
export type { ManagementConfig } from './management.js';
export type { RetentionConfig } from './retention.js';
export { RETENTION_DEFAULTS } from './retention.js';
export type { SignInConfig } from './sign-in.js';
export type { StorageConfig } from './storage.js';
export type { ThrottleConfig } from './throttling.js';
export { THROTTLE_DEFAULTS } from './throttling.js';
export type { TokenConfig } from './tokens.js';
export { TOKEN_DEFAULTS } from './tokens.js';

export interface ServerConfig extends HttpConfig, StorageConfig, KeyConfig, ManagementConfig {
  readonly tokens: TokenConfig;
  readonly throttling: ThrottleConfig;
  readonly retention: RetentionConfig;
  readonly signIn: SignInConfig;
  readonly admin: AdminApiConfig;
  /** CXAUTH_LOG_LEVEL (default info): pino's level names. */
  readonly logLevel: string;
}

/** Builds the configuration from environment variables (and optional overrides, used by tests). */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<ServerConfig> = {},
): ServerConfig {
  const http = httpConfig(env);
  const storage = storageConfig(env);
  const keys = keyConfig(env, storage.databaseUrl, overrides.kek);
  const tokens = tokenConfig(env, overrides.tokens);
  const throttling = throttleConfig(env, overrides.throttling);
  const retention = retentionConfig(env, overrides.retention);
  const signIn = signInConfig(env, overrides.signIn);
  const admin = adminApiConfig(env, overrides.admin);
  return Object.freeze({
    ...storage,
    ...http,
    ...keys,
    ...managementConfig(env, http.port),
    logLevel: env['CXAUTH_LOG_LEVEL'] || 'info',
    ...overrides,
    tokens,
    throttling,
    retention,
    signIn,
    admin,
  });
}
