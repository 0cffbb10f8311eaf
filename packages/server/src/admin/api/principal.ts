// Who calls the admin API: the user of a live cxauth access token (verified by this issuer's verifier,
// its session, application, key, user and tenant still active), and at what level (docs/admin-api.md,
// "Roles"). Every tenant a route reads or writes comes from here, never from the request.
import { parseSubject, type Verifier } from '@cxauth/verify';
import type { FastifyRequest } from 'fastify';
import type { ServerConfig } from '../../config/config.js';
import { isOperator, isTenantAdministrator } from '../../domain/roles.js';
import type { User } from '../../domain/types.js';
import { InvalidToken } from '../../protocol/errors.js';
import { ADMIN_SCOPE, hasScope } from '../../protocol/scope.js';
import type { Storage } from '../../storage/contract/index.js';
import { type DpopProofs, dpopHeaderValues } from '../../tokens/dpop.js';
import { ENDED, liveToken } from '../../tokens/liveness.js';
import { presentedClaims } from '../../tokens/presented.js';
import { forbidden, notFound } from './problem.js';

/**
 * `operator`: everything. `administrator`: its own tenant. `self`: its own access keys and sessions
 * (a token without the `admin` scope, or a user with neither role). Every level needs a token issued
 * to an application registered with the `admin` scope (the console is).
 */
export type Level = 'operator' | 'administrator' | 'self';

export interface Principal {
  readonly user: User;
  readonly tenantId: string;
  readonly level: Level;
}

export interface GuardDeps {
  readonly verifier: Pick<Verifier, 'verify'>;
  readonly storage: Storage;
  readonly clock: () => Date;
  /** DPoP proofs of bound tokens (RFC 9449 §7). */
  readonly dpop: DpopProofs;
  readonly config: Pick<ServerConfig, 'issuer'>;
}

/**
 * Authenticates the access token of an admin request (Bearer, or DPoP with its proof), with the same
 * checks as userinfo.
 * @see RFC 6750 §2.1, §3.1, RFC 9449 §7
 */
export async function authenticate(deps: GuardDeps, request: FastifyRequest): Promise<Principal> {
  const path = request.url.split('?', 1)[0] as string;
  const claims = await presentedClaims(
    deps,
    {
      authorization: request.headers.authorization,
      body: undefined,
      proofs: dpopHeaderValues(request.headers.dpop),
      method: request.method,
      url: `${deps.config.issuer}${path}`,
    },
    deps.clock(),
  );
  const subject = parseSubject(claims.sub);
  if (subject?.kind !== 'user') throw new InvalidToken('the admin API needs a token issued for a user');
  const live = await liveToken(deps.storage, claims, deps.clock());
  if (live?.kind !== 'user') throw new InvalidToken(ENDED);
  const { user, application } = live;
  // Only applications registered with the admin scope reach the admin API, even at the self level:
  // otherwise any app holding a user's token could mint long-lived access keys for that user.
  if (!application.scopes.includes(ADMIN_SCOPE)) {
    throw forbidden('this application is not registered for the admin API (the admin scope)');
  }
  const admin = hasScope(claims.scope, ADMIN_SCOPE);
  // Operator level needs an operator AND an application the platform runs itself: an operator's
  // token obtained through anybody else's app (consented or not) acts at most as an Administrator.
  const level: Level =
    admin && isOperator(user) && application.firstParty
      ? 'operator'
      : admin && isTenantAdministrator(user)
        ? 'administrator'
        : 'self';
  return { user, tenantId: user.tenantId, level };
}

/** Whether the principal may see records of `tenantId`. */
export function seesTenant(p: Principal, tenantId: string | null): boolean {
  return p.level === 'operator' || (p.level === 'administrator' && tenantId === p.tenantId);
}

/**
 * Resources of another tenant, or another user's for `self`, are answered 404 rather than 403, so
 * nobody learns what exists outside their reach.
 */
export function confine(p: Principal, owner: { tenantId: string | null; userId?: string }): void {
  if (seesTenant(p, owner.tenantId)) return;
  if (p.level === 'self' && owner.userId !== undefined && owner.userId === p.user.id) return;
  throw notFound();
}

/**
 * A platform operator is managed by operators (and itself) only: an Administrator of the operator's
 * tenant who could set its password, TOTP, role, status or access keys could sign in as the operator
 * and act on every tenant. Called after `confine`, so the user is one the principal may see.
 */
export function guardOperator(p: Principal, user: { id: string; operator: boolean }): void {
  if (user.operator && p.level !== 'operator' && user.id !== p.user.id) {
    throw forbidden('only platform operators may change a platform operator');
  }
}
