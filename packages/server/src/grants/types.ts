// The shape every grant module shares (node-oidc-provider style): its grant_type, the parameters it
// requires, and a handler that turns an authenticated request into a token response.
import type { Verifier } from '@cxauth/verify';
import type { FastifyBaseLogger } from 'fastify';
import type { ServerConfig } from '../config/config.js';
import type { Application, GrantName } from '../domain/types.js';
import type { Audit } from '../observability/audit.js';
import type { FormParams } from '../protocol/params.js';
import type { Hasher } from '../secrets/hasher.js';
import type { Storage } from '../storage/contract/index.js';
import type { Lookups, LookupView } from '../storage/lookups.js';
import type { ThrottleIdentifier } from '../throttling/throttle.js';
import type { TokenIssuer, TokenResponse } from '../tokens/issuer.js';

export interface GrantDeps {
  readonly config: ServerConfig;
  readonly storage: Storage;
  readonly hasher: Hasher;
  readonly tokens: TokenIssuer;
  readonly lookups: Lookups;
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
  readonly log: FastifyBaseLogger;
  /** The cached records as of this request's storage revision (current, never stale). */
  readonly lookups: LookupView;
  readonly deps: GrantDeps;
}

export interface Grant {
  /** Its grant_type (one of protocol/app-types.ts); grants/index.ts derives GrantType from these. */
  readonly grantType: GrantName;
  /** Parameters the grant requires; a missing one is `invalid_request` before the handler runs. */
  readonly parameters: readonly string[];
  readonly handler: (context: GrantContext) => Promise<TokenResponse>;
  /**
   * The identifiers the request presents besides its client id (e.g. the access key id), which the
   * token endpoint throttles before the handler runs; `[]` when there are none. Every grant exports
   * it (test/throttling-grants.test.ts walks ALL_GRANTS), so none is left out by omission.
   */
  readonly throttleKeys?: (params: FormParams) => readonly ThrottleIdentifier[];
}
