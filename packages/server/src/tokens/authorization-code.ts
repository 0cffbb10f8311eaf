// Authorization codes: opaque random strings handed to the app once, stored only as their keyed hash,
// living about a minute (RFC 6749 §4.1.2 asks for short-lived, single-use codes).
import type { AuthMethod, AuthorizationCode } from '../domain/sign-in.js';
import type { Hasher } from '../secrets/hasher.js';
import { generateToken } from '../secrets/random-secrets.js';

/**
 * Unexchanged codes kept per browser sign-in: a new code past this drops the oldest, as Keycloak keeps
 * one code per client session. Ten covers tabs and apps signing in at once within a code's minute;
 * the app holding a dropped code gets invalid_grant and starts the flow again.
 */
export const UNEXCHANGED_CODES_PER_SIGN_IN = 10;

export interface CodeInput {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly codeChallenge: string;
  readonly scope: string;
  readonly nonce?: string | undefined;
  readonly resource?: string | undefined;
  /** RFC 9449 §10: the DPoP key the authorization request named. */
  readonly dpopJkt?: string | undefined;
  readonly userId: string;
  readonly tenantId: string;
  readonly signInId: string;
  readonly authTime: Date;
  readonly amr: readonly AuthMethod[];
  /** The IdP of a federated sign-in (docs/sso.md). */
  readonly idp?: string | null | undefined;
  readonly now: Date;
  /** Seconds. */
  readonly ttl: number;
}

/**
 * Mints a code: the value for the redirect, and its record for storage.
 * @see RFC 6749 §4.1.2 and §10.5, RFC 7636 §4.4
 */
export function mintAuthorizationCode(
  hasher: Hasher,
  input: CodeInput,
): { code: string; record: AuthorizationCode } {
  const code = generateToken();
  return {
    code,
    record: {
      codeHash: hasher.hash(code),
      clientId: input.clientId,
      redirectUri: input.redirectUri,
      codeChallenge: input.codeChallenge,
      scope: input.scope,
      nonce: input.nonce ?? null,
      resource: input.resource ?? null,
      userId: input.userId,
      tenantId: input.tenantId,
      signInId: input.signInId,
      authTime: input.authTime,
      amr: [...input.amr],
      ...(input.idp ? { idp: input.idp } : {}),
      createdAt: input.now,
      expiresAt: new Date(input.now.getTime() + input.ttl * 1000),
      usedAt: null,
      sessionId: null,
      ...(input.dpopJkt === undefined ? {} : { dpopJkt: input.dpopJkt }),
    },
  };
}
