// Admin of applications (OAuth clients): registration with a secret shown once, exact CORS origins.
import crypto from 'node:crypto';
import type { Application, GrantType, Status } from '../../domain/types.js';
import { GRANT_TYPES } from '../../grants/index.js';
import { generateClientSecret } from '../../secrets/random-secrets.js';
import type { ApplicationChanges } from '../../storage/contract/index.js';
import { type AdminContext, creating, invalid, iso, notFound, text } from './context.js';

export interface ApplicationView {
  client_id: string;
  name: string;
  origins: string[];
  grant_types: GrantType[];
  redirect_uris: string[];
  tenantId: string | null;
  status: Status;
  createdAt: string | null;
  updatedAt: string | null;
}

export interface CreateApplicationInput {
  name: string;
  origins?: string[];
  tenantId?: string;
  grantTypes?: string[];
  redirectUris?: string[];
}

const DEFAULT_GRANT_TYPES: GrantType[] = ['password', 'refresh_token'];

/** What an update may change; absent members stay as they are. */
export interface UpdateApplicationInput {
  name?: string;
  origins?: string[];
  redirectUris?: string[];
  grantTypes?: string[];
}

function grantTypesOf(requested: readonly string[]): GrantType[] {
  const grantTypes = [...new Set(requested)];
  for (const g of grantTypes) {
    if (!GRANT_TYPES.includes(g as GrantType)) {
      throw invalid(`grant type must be one of ${GRANT_TYPES.join(', ')}; got "${g}"`);
    }
  }
  return grantTypes as GrantType[];
}

export function applicationView(a: Application): ApplicationView {
  return {
    client_id: a.clientId,
    name: a.name,
    origins: a.origins,
    grant_types: a.grantTypes,
    redirect_uris: a.redirectUris,
    tenantId: a.tenantId,
    status: a.status,
    createdAt: iso(a.createdAt),
    updatedAt: iso(a.updatedAt),
  };
}

/**
 * An origin exactly as browsers send it: `scheme://host[:port]`, lower case, no default port, no path.
 * @see RFC 6454 §6.2 (ASCII serialization of an origin)
 */
export function exactOrigin(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid(`origin must be scheme://host[:port], got "${raw}"`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== raw) {
    const hint =
      url.protocol === 'http:' || url.protocol === 'https:' ? ` (did you mean "${url.origin}"?)` : '';
    throw invalid(`origin must be exactly scheme://host[:port], got "${raw}"${hint}`);
  }
  return raw;
}

function redirectUri(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid(`redirect URI must be an absolute URL, got "${raw}"`);
  }
  if (url.hash) throw invalid('a redirect URI must not have a fragment (RFC 6749 §3.1.2)');
  return raw;
}

export function applicationAdmin(ctx: AdminContext) {
  async function load(clientId: string): Promise<Application> {
    const app = await ctx.storage.applications.get(clientId);
    if (!app) throw notFound('application', clientId);
    return app;
  }

  return {
    /** Registers an application; the returned `client_secret` is not stored and never shown again. */
    async createApplication(
      input: CreateApplicationInput,
    ): Promise<ApplicationView & { client_secret: string }> {
      const name = text('name', input.name, 100);
      const origins = [...new Set((input.origins ?? []).map(exactOrigin))];
      const grantTypes = input.grantTypes?.length ? [...new Set(input.grantTypes)] : DEFAULT_GRANT_TYPES;
      for (const g of grantTypes) {
        if (!GRANT_TYPES.includes(g as GrantType)) {
          throw invalid(`grant type must be one of ${GRANT_TYPES.join(', ')}; got "${g}"`);
        }
      }
      const tenantId = input.tenantId === undefined ? null : text('tenant', input.tenantId, 64);
      if (tenantId !== null && !(await ctx.storage.tenants.get(tenantId))) throw notFound('tenant', tenantId);
      const secret = generateClientSecret();
      const now = ctx.clock();
      const app: Application = {
        clientId: crypto.randomUUID(),
        secretHash: ctx.hasher.hash(secret),
        name,
        origins,
        grantTypes: grantTypes as GrantType[],
        redirectUris: (input.redirectUris ?? []).map(redirectUri),
        tenantId,
        status: 'active',
        createdAt: now,
        updatedAt: now,
      };
      await creating('the application', () => ctx.storage.applications.create(app));
      const { client_id, ...rest } = applicationView(app);
      return { client_id, client_secret: secret, ...rest };
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
    /** Replaces the given lists (each checked as at registration); the change holds at once. */
    async updateApplication(clientId: string, changes: UpdateApplicationInput): Promise<ApplicationView> {
      await load(clientId);
      const update: ApplicationChanges = {};
      if (changes.name !== undefined) update.name = text('name', changes.name, 100);
      if (changes.origins) update.origins = [...new Set(changes.origins.map(exactOrigin))];
      if (changes.redirectUris) update.redirectUris = changes.redirectUris.map(redirectUri);
      if (changes.grantTypes) update.grantTypes = grantTypesOf(changes.grantTypes);
      if (!(await ctx.storage.applications.update(clientId, update, ctx.clock()))) {
        throw notFound('application', clientId);
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
    /** Removes an application; its sessions end with it. */
    async deleteApplication(clientId: string): Promise<void> {
      if (!(await ctx.storage.applications.delete(clientId))) throw notFound('application', clientId);
    },
  };
}
