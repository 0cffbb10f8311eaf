// The admin API's settings.
import { integer } from './env.js';

export interface AdminApiConfig {
  /**
   * Seconds a replaced client secret keeps working after a rotation, so an application's instances
   * can pick up the new one without downtime (CXAUTH_SECRET_ROTATION_OVERLAP_SECONDS, default one
   * day; 0 ends the old secret at once).
   */
  readonly secretRotationOverlap: number;
}

export const ADMIN_API_DEFAULTS: AdminApiConfig = Object.freeze({ secretRotationOverlap: 86_400 });

/** Reads CXAUTH_SECRET_ROTATION_OVERLAP_SECONDS (0 to 30 days). */
export function adminApiConfig(env: NodeJS.ProcessEnv, given?: Partial<AdminApiConfig>): AdminApiConfig {
  return Object.freeze({
    secretRotationOverlap: integer(
      env,
      'CXAUTH_SECRET_ROTATION_OVERLAP_SECONDS',
      ADMIN_API_DEFAULTS.secretRotationOverlap,
      0,
      30 * 86_400,
    ),
    ...given,
  });
}
