// People signing in: how long a browser's sign-in lasts, and the lifetimes of the short-lived
// artefacts of one sign-in (authorization codes, the sign-in form).
import { integer } from './env.js';

export interface SignInConfig {
  /** A browser's sign-in (single sign-on) lasts this long, seconds (default 12 h). */
  readonly signInSessionTtl: number;
  /** An authorization code lives this long, seconds (RFC 6749 §4.1.2: "a maximum ... of 10 minutes"). */
  readonly authorizationCodeTtl: number;
  /** A sign-in form may be posted this long after it was shown, seconds. */
  readonly interactionTtl: number;
}

export const SIGN_IN_DEFAULTS: SignInConfig = Object.freeze({
  signInSessionTtl: 12 * 3600,
  authorizationCodeTtl: 60,
  interactionTtl: 600,
});

/** Reads CXAUTH_SIGN_IN_SESSION_TTL (`given` are values passed in code, applied last). */
export function signInConfig(env: NodeJS.ProcessEnv, given?: Partial<SignInConfig>): SignInConfig {
  return Object.freeze({
    ...SIGN_IN_DEFAULTS,
    signInSessionTtl: integer(
      env,
      'CXAUTH_SIGN_IN_SESSION_TTL',
      SIGN_IN_DEFAULTS.signInSessionTtl,
      60,
      90 * 86_400,
    ),
    ...given,
  });
}
