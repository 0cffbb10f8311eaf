// Token lifetimes and audience.
import { ConfigError, integer } from './env.js';

export interface TokenConfig {
  /** Access and id token lifetime, seconds (default 3600; RFC 6749 §4.2.2 `expires_in`). */
  readonly accessTokenTtl: number;
  /** Lifetime of one refresh token, seconds; each rotation issues a fresh one (RFC 9700 §4.14.2). */
  readonly refreshTokenTtl: number;
  /** Absolute session lifetime, seconds: no refresh extends a session past it (RFC 9700 §4.14.2). */
  readonly sessionTtl: number;
  /** Tolerated clock skew when checking times, seconds (RFC 7519 §4.1.4). */
  readonly clockTolerance: number;
  /** `aud` of access tokens (RFC 9068 §3); the platform's APIs share one audience. */
  readonly audience: string;
  /**
   * Seconds after a refresh token's use during which one retry of it is answered with fresh tokens
   * instead of counting as reuse (0: off). See docs/operations.md, "Refresh token grace period".
   */
  readonly refreshReuseGrace: number;
}

export const TOKEN_DEFAULTS: TokenConfig = Object.freeze({
  accessTokenTtl: 3600,
  refreshTokenTtl: 7 * 24 * 3600,
  sessionTtl: 30 * 24 * 3600,
  clockTolerance: 30,
  audience: 'cxauth-api',
  refreshReuseGrace: 0,
});

/**
 * Reads CXAUTH_ACCESS_TOKEN_TTL, CXAUTH_REFRESH_TOKEN_TTL, CXAUTH_SESSION_TTL, CXAUTH_AUDIENCE and
 * CXAUTH_REFRESH_REUSE_GRACE_SECONDS (0 to 60)
 * (`given` are values passed in code, applied last). A refresh token outliving its session is refused.
 */
export function tokenConfig(env: NodeJS.ProcessEnv, given?: Partial<TokenConfig>): TokenConfig {
  const tokens: TokenConfig = Object.freeze({
    ...TOKEN_DEFAULTS,
    accessTokenTtl: integer(env, 'CXAUTH_ACCESS_TOKEN_TTL', TOKEN_DEFAULTS.accessTokenTtl, 60, 86_400),
    refreshTokenTtl: integer(
      env,
      'CXAUTH_REFRESH_TOKEN_TTL',
      TOKEN_DEFAULTS.refreshTokenTtl,
      60,
      365 * 86_400,
    ),
    sessionTtl: integer(env, 'CXAUTH_SESSION_TTL', TOKEN_DEFAULTS.sessionTtl, 60, 365 * 86_400),
    audience: env['CXAUTH_AUDIENCE'] || TOKEN_DEFAULTS.audience,
    refreshReuseGrace: integer(env, 'CXAUTH_REFRESH_REUSE_GRACE_SECONDS', 0, 0, 60),
    ...given,
  });
  if (tokens.refreshTokenTtl > tokens.sessionTtl) {
    throw new ConfigError('CXAUTH_REFRESH_TOKEN_TTL must not exceed CXAUTH_SESSION_TTL.');
  }
  return tokens;
}
