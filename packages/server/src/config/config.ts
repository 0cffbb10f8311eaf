// The service's configuration: one typed, validated, frozen object built from the environment, feature
// by feature (http.ts, storage.ts, keys.ts, tokens.ts). Unsafe or malformed settings fail at start-up
// with what to change. The README lists every variable.
import { type AdminApiConfig, adminApiConfig } from './admin.js';
import type { HttpConfig } from './http.js';
import { httpConfig } from './http.js';
import type { KeyConfig } from './keys.js';
import { keyConfig } from './keys.js';
import type { StorageConfig } from './storage.js';
import { storageConfig } from './storage.js';
import type { TokenConfig } from './tokens.js';
import { tokenConfig } from './tokens.js';

export type { AdminApiConfig } from './admin.js';
export { ConfigError } from './env.js';
export type { HttpConfig } from './http.js';
export type { KeyConfig } from './keys.js';
export type { StorageConfig } from './storage.js';
export type { TokenConfig } from './tokens.js';
export { TOKEN_DEFAULTS } from './tokens.js';

export interface ServerConfig extends HttpConfig, StorageConfig, KeyConfig {
  readonly tokens: TokenConfig;
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
  const admin = adminApiConfig(env, overrides.admin);
  return Object.freeze({
    ...storage,
    ...http,
    ...keys,
    logLevel: env['CXAUTH_LOG_LEVEL'] || 'info',
    ...overrides,
    tokens,
    admin,
  });
}
