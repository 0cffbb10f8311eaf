// The shape every grant module shares (node-oidc-provider style): its grant_type, the parameters it
// requires, and a handler that turns an authenticated request into a token response. A grant sees the
// request's parameters, client and logger, never Fastify, and the services it reads.
import type { Verifier } from '@cxauth/verify';
import type { ServerConfig } from '../config/config.js';
import type { Logger } from '../domain/logger.js';
import type { Application, GrantName } from '../domain/types.js';
import type { Audit } from '../observability/audit.js';
import type { FormParams } from '../protocol/params.js';
import type { Hasher } from '../secrets/hasher.js';
import type { Storage } from '../storage/contract/index.js';
import type { LookupView } from '../storage/lookups.js';
import type { ThrottleIdentifier } from '../throttling/throttle.js';
import type { DpopBinding } from '../tokens/dpop.js';
import type { TokenIssuer, TokenResponse } from '../tokens/issuer.js';

/** The services a grant reads (the composition root's services object has them all). */
export interface GrantServices {
  readonly config: ServerConfig;
  readonly storage: Storage;
  readonly hasher: Hasher;
  readonly tokens: TokenIssuer;
  readonly audit: Audit;
  /** This issuer's verifier (KeyRing.verifier), for grants that take an access token. */
  readonly verifier: Pick<Verifier, 'verify'>;
}

export interface GrantContext {
  readonly params: FormParams;
  /** The request's `resource` (RFC 8707), checked for this client; the access token's `aud`. */
  readonly resource: string | undefined;
  /** The authenticated client, already checked to be allowed this grant. */
  readonly client: Application;
  readonly now: Date;
  readonly log: Logger;
  /** The cached records as of this request's storage revision (current, never stale). */
  readonly lookups: LookupView;
  /**
   * The DPoP key the request proved (RFC 9449 §5), if any. `services.tokens` then binds the access
   * token to it already; a grant that opens or refreshes a session binds that too where it must.
   */
  readonly dpop: DpopBinding | undefined;
  readonly services: GrantServices;
}

export interface Grant {
  /** Its grant_type: the key it has in grants/index.ts's table. */
  readonly grantType: GrantName;
  /** Parameters the grant requires; a missing one is `invalid_request` before the handler runs. */
  readonly parameters: readonly string[];
  readonly handler: (context: GrantContext) => Promise<TokenResponse>;
  /**
   * The identifiers the request presents besides its client id (e.g. the access key id), which the
   * token endpoint throttles before the handler runs; `[]` when there are none. Every grant exports
   * it (test/throttling.test.ts walks the grant table), so none is left out by omission.
   */
  readonly throttleKeys: (params: FormParams) => readonly ThrottleIdentifier[];
}

/**
 * The DPoP key a new session's refresh tokens are bound to: the proof's, for a public client only
 * (a confidential client's refresh tokens are bound to its credentials already, RFC 9449 §5).
 */
export function sessionKeyOf(context: Pick<GrantContext, 'client' | 'dpop'>): { dpopJkt?: string } {
  return context.client.type === 'public' && context.dpop ? { dpopJkt: context.dpop.jkt } : {};
}
