// Admin of applications (OAuth clients): registration by type with a secret shown once (none for a
// public application), exact CORS origins and redirect URIs, and updates of the lists.
import crypto from 'node:crypto';
import type { Static } from '@sinclair/typebox';
import { APP_TYPE_RULES, APP_TYPES, isAppType } from '../../domain/app-types.js';
import type { Application, AppType, GrantName, Status, Tenancy } from '../../domain/types.js';
import { ADMIN_SCOPE, DEFAULT_APP_SCOPES } from '../../protocol/scope.js';
import { generateClientSecret } from '../../secrets/random-secrets.js';
import type * as Wire from '../api/schemas.js';
import { exactOrigin, grantsFor, redirectUri, scopesFor } from './application-rules.js';
import { type AdminContext, creating, invalid, iso, notFound, text } from './context.js';

export { exactOrigin } from './application-rules.js';

/** An application as the admin API shows it, less `active` (the route's reading of `status`). */
export type ApplicationView = Omit<Static<typeof Wire.Application>, 'active' | 'grant_types'> & {
  /** Narrower than the wire's strings: each a grant the service has (grants/index.ts). */
  grant_types: GrantName[];
};

/** The lists of a registration; each one given replaces the stored one on update. */
export interface ApplicationLists {
  origins?: string[];
  redirectUris?: string[];
  postLogoutRedirectUris?: string[];
  grantTypes?: string[];
  scopes?: string[];
}

export interface CreateApplicationInput extends ApplicationLists {
  name: string;
  /** Run by the platform itself: no consent page; the only kind that may hold `admin`. Default false. */
  firstParty?: boolean;
  /** Require a DPoP proof with every token request (RFC 9449). Default false. */
  dpopBoundAccessTokens?: boolean;
  /** Default `backend` (what every application was before types existed). */
  type?: string;
  /** Binds the application to one tenant (`tenancy: single`). */
  tenantId?: string;
}

export interface UpdateApplicationInput extends ApplicationLists {
  name?: string;
  firstParty?: boolean;
  dpopBoundAccessTokens?: boolean;
}

/** What `createApplication` returns: the secret, shown once, unless the type is `public`. */
export type CreatedApplication<T> = ApplicationView &
  ([T] extends ['public']
    ? object
    : [T] extends ['confidential' | 'backend' | undefined]
      ? { client_secret: string }
      : { client_secret?: string });

/** The settings of a registration an update may change, by their admin API names (docs/admin-api.md). */
export interface RegistrationSettings extends ApplicationLists {
  firstParty?: boolean;
  dpopBoundAccessTokens?: boolean;
}

/** `a`'s settings under the admin API's member names: the one mapping of the service's names to them. */
export function registrationOnWire<R extends RegistrationSettings>(
  a: R,
): {
  origins: R['origins'];
  redirect_uris: R['redirectUris'];
  post_logout_redirect_uris: R['postLogoutRedirectUris'];
  grant_types: R['grantTypes'];
  scopes: R['scopes'];
  first_party: R['firstParty'];
  dpop_bound_access_tokens: R['dpopBoundAccessTokens'];
} {
  return {
    origins: a.origins,
    redirect_uris: a.redirectUris,
    post_logout_redirect_uris: a.postLogoutRedirectUris,
    grant_types: a.grantTypes,
    scopes: a.scopes,
    first_party: a.firstParty,
    dpop_bound_access_tokens: a.dpopBoundAccessTokens,
  };
}

export function applicationView(a: Application): ApplicationView {
  return {
    client_id: a.clientId,
    name: a.name,
    type: a.type,
    tenancy: a.tenancy,
    tenantId: a.tenantId,
    ...registrationOnWire({ ...a, dpopBoundAccessTokens: a.dpopBoundAccessTokens === true }),
    status: a.status,
    createdAt: iso(a.createdAt),
    updatedAt: iso(a.updatedAt),
  };
}

/** The validated lists of `input` over `base` (what is stored, or nothing for a new application). */
function lists(type: AppType, tenancy: Tenancy, input: ApplicationLists, base?: Application) {
  const uris = (list: string[] | undefined, what: string) =>
    list === undefined ? undefined : [...new Set(list.map((u) => redirectUri(u, type, what)))];
  return {
    origins:
      input.origins === undefined ? (base?.origins ?? []) : [...new Set(input.origins.map(exactOrigin))],
    redirectUris: uris(input.redirectUris, 'redirect URI') ?? base?.redirectUris ?? [],
    postLogoutRedirectUris:
      uris(input.postLogoutRedirectUris, 'post-logout redirect URI') ?? base?.postLogoutRedirectUris ?? [],
    grantTypes:
      input.grantTypes === undefined && base ? base.grantTypes : grantsFor(type, tenancy, input.grantTypes),
    scopes: scopesFor(input.scopes, base?.scopes ?? DEFAULT_APP_SCOPES),
  };
}

/**
 * The admin scope reaches the admin API with its user's powers, without a consent page: only a
 * first-party application may hold it (docs/admin.md, "First-party applications").
 */
function requireFirstPartyForAdmin(app: Pick<Application, 'scopes' | 'firstParty'>): void {
  if (app.scopes.includes(ADMIN_SCOPE) && !app.firstParty) {
    throw invalid('only a first-party application may have the admin scope (--first-party)');
  }
}

export function applicationAdmin(ctx: AdminContext) {
  async function load(clientId: string): Promise<Application> {
    const app = await ctx.storage.applications.get(clientId);
    if (!app) throw notFound('application', clientId);
    return app;
  }

  return {
    /**
     * Registers an application. The returned `client_secret` (absent for a public application) is not
     * stored and never shown again.
     */
    async createApplication<T extends string | undefined = undefined>(
      input: CreateApplicationInput & { type?: T },
    ): Promise<CreatedApplication<T>> {
      const name = text('name', input.name, 100);
      const type = input.type ?? 'backend';
      if (!isAppType(type))
        throw invalid(`type must be one of ${APP_TYPES.join(', ')}; got "${type}"`, 'type');
      const tenantId = input.tenantId === undefined ? null : text('tenant', input.tenantId, 64);
      if (tenantId !== null && !(await ctx.storage.tenants.get(tenantId))) throw notFound('tenant', tenantId);
      const tenancy: Tenancy = tenantId === null ? 'all' : 'single';
      const secret = APP_TYPE_RULES[type].hasSecret ? generateClientSecret() : undefined;
      const now = ctx.clock();
      const app: Application = {
        clientId: crypto.randomUUID(),
        type,
        secretHash: secret === undefined ? null : ctx.hasher.hash(secret),
        name,
        ...lists(type, tenancy, input),
        tenancy,
        tenantId,
        firstParty: input.firstParty === true,
        ...(input.dpopBoundAccessTokens ? { dpopBoundAccessTokens: true } : {}),
        status: 'active',
        createdAt: now,
        updatedAt: now,
      };
      requireFirstPartyForAdmin(app);
      await creating('the application', () => ctx.storage.applications.create(app));
      const { client_id, ...rest } = applicationView(app);
      const created =
        secret === undefined ? { client_id, ...rest } : { client_id, client_secret: secret, ...rest };
      return created as CreatedApplication<T>;
    },
    /** Changes the name or lists of an application; its type and tenancy are fixed at creation. */
    async updateApplication(clientId: string, input: UpdateApplicationInput): Promise<ApplicationView> {
      const current = await load(clientId);
      const next: Application = {
        ...current,
        name: input.name === undefined ? current.name : text('name', input.name, 100),
        ...lists(current.type, current.tenancy, input, current),
        firstParty: input.firstParty ?? current.firstParty,
        dpopBoundAccessTokens: input.dpopBoundAccessTokens ?? current.dpopBoundAccessTokens === true,
        updatedAt: ctx.clock(),
      };
      requireFirstPartyForAdmin(next);
      if (!(await ctx.storage.applications.update(next))) throw notFound('application', clientId);
      return applicationView(await load(clientId));
    },
    async listApplications(): Promise<ApplicationView[]> {
      return (await ctx.storage.applications.list()).map(applicationView);
    },
    async showApplication(clientId: string): Promise<ApplicationView> {
      return applicationView(await load(clientId));
    },
    /** Deactivating an application ends every session opened through it. */
    async setApplicationStatus(clientId: string, status: Status): Promise<ApplicationView> {
      const at = ctx.clock();
      if (!(await ctx.storage.applications.setStatus(clientId, status, at))) {
        throw notFound('application', clientId);
      }
      if (status === 'inactive') {
        await ctx.storage.sessions.revokeByClient(clientId, 'application deactivated', at);
      }
      return applicationView(await load(clientId));
    },
    /**
     * Issues a new client secret (returned once). The replaced one keeps working for `overlapSeconds`
     * so running instances can roll over; 0 ends it at once. A secret replaced earlier is dropped.
     */
    async rotateClientSecret(
      clientId: string,
      overlapSeconds: number,
    ): Promise<ApplicationView & { client_secret: string; previous_secret_expires_at: string | null }> {
      const app = await load(clientId);
      // A public application authenticates with no secret (RFC 6749 §2.1): there is none to rotate.
      if (app.secretHash === null) throw invalid('a public application has no client secret');
      const now = ctx.clock();
      const secret = generateClientSecret();
      const previous =
        overlapSeconds > 0
          ? { hash: app.secretHash, expiresAt: new Date(now.getTime() + overlapSeconds * 1000) }
          : null;
      if (!(await ctx.storage.applications.rotateSecret(clientId, ctx.hasher.hash(secret), previous, now))) {
        throw notFound('application', clientId);
      }
      const { client_id, ...rest } = applicationView(await load(clientId));
      return {
        client_id,
        client_secret: secret,
        previous_secret_expires_at: iso(previous?.expiresAt ?? null),
        ...rest,
      };
    },
    /** Removes an application; its sessions and the tokens issued to it end with it. */
    async deleteApplication(clientId: string): Promise<void> {
      if (!(await ctx.storage.applications.delete(clientId, ctx.clock()))) {
        throw notFound('application', clientId);
      }
    },
  };
}
