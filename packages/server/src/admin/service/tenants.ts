// Admin of tenants (business units): creation with their routing data, listing, (de)activation.
import crypto from 'node:crypto';
import type { Static } from '@sinclair/typebox';
import type { Status, Tenant } from '../../domain/types.js';
import { AdminError } from '../../protocol/errors.js';
import { TENANT_MIN_LENGTH } from '../../secrets/passwords.js';
import type * as Wire from '../api/schemas.js';
import { type AdminContext, creating, invalid, iso, notFound, text } from './context.js';

/** The admin API's wire shape (admin/api/schemas.ts). */
export type TenantView = Static<typeof Wire.Tenant>;

export interface CreateTenantInput {
  name: string;
  area: string;
  cluster?: string;
  /** `icBUId`: a signed 32-bit integer; random when absent. */
  businessUnitId?: number;
  /** `icClusterId`, e.g. `DO31`. */
  clusterId?: string;
  private?: boolean;
  /** Its shortest password, 8 to 64; absent or null: the service's CXAUTH_PASSWORD_MIN_LENGTH. */
  passwordMinLength?: number | null;
  /** Its people verify their e-mail before a sign-in gets a code (default false). */
  emailVerificationRequired?: boolean;
}

export function tenantView(t: Tenant): TenantView {
  return {
    id: t.id,
    name: t.name,
    area: t.area,
    cluster: t.cluster,
    icBUId: t.businessUnitId,
    icClusterId: t.clusterId,
    private: t.private,
    access_key_self_service: t.accessKeySelfService !== false,
    sso_required: t.ssoRequired === true,
    password_min_length: t.passwordMinLength ?? null,
    email_verification_required: t.emailVerificationRequired === true,
    status: t.status,
    createdAt: iso(t.createdAt),
    updatedAt: iso(t.updatedAt),
  };
}

const TENANT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const CLUSTER = /^[A-Z][A-Z0-9]{0,15}$/;

/** A random signed 32-bit business-unit id, as the reference tokens carry (`icBUId`). */
export function randomBusinessUnitId(): number {
  return crypto.randomBytes(4).readInt32BE(0);
}

/** A tenant's own minimum length: 8 to 64 (NIST SP 800-63B §5.1.1.2 asks for at least 8), or null. */
function minLength(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  const { min, max } = TENANT_MIN_LENGTH;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalid(
      `password_min_length must be a whole number from ${min} to ${max}, or null for the service's default`,
      'password_min_length',
    );
  }
  return value;
}

function cluster(field: string, value: unknown, fallback: string): string {
  if (value === undefined || value === '') return fallback;
  const c = text(field, value, 16).toUpperCase();
  if (!CLUSTER.test(c)) throw invalid(`${field} must be letters and digits like "B32", got "${c}"`);
  return c;
}

export function tenantAdmin(ctx: AdminContext) {
  async function load(id: string): Promise<Tenant> {
    const tenant = await ctx.storage.tenants.get(id);
    if (!tenant) throw notFound('tenant', id);
    return tenant;
  }

  return {
    async createTenant(input: CreateTenantInput): Promise<TenantView> {
      const name = text('name', input.name, 64);
      if (!TENANT_NAME.test(name)) {
        throw invalid(
          `tenant name must be letters, digits, "_", "." or "-" (at most 64), got "${name}"`,
          'name',
        );
      }
      const areaName = text('area', input.area, 32).toLowerCase();
      if (!(await ctx.storage.areas.get(areaName))) {
        throw new AdminError('not_found', `no area named "${areaName}" (see: cxauth admin area list)`);
      }
      const bu = input.businessUnitId ?? randomBusinessUnitId();
      if (!Number.isInteger(bu) || bu < -2147483648 || bu > 2147483647) {
        throw invalid(`business unit id must be a signed 32-bit integer, got ${bu}`);
      }
      const shortest = minLength(input.passwordMinLength);
      const now = ctx.clock();
      const tenant: Tenant = {
        id: crypto.randomUUID(),
        name,
        area: areaName,
        cluster: cluster('cluster', input.cluster, 'B32'),
        businessUnitId: bu,
        clusterId: cluster('cluster id', input.clusterId, 'DO31'),
        private: input.private ?? false,
        ...(shortest === null ? {} : { passwordMinLength: shortest }),
        ...(input.emailVerificationRequired === true ? { emailVerificationRequired: true } : {}),
        status: 'active',
        createdAt: now,
        updatedAt: now,
      };
      await creating(`a tenant named "${name}"`, () => ctx.storage.tenants.create(tenant));
      return tenantView(tenant);
    },
    async listTenants(): Promise<TenantView[]> {
      return (await ctx.storage.tenants.list()).map(tenantView);
    },
    async showTenant(id: string): Promise<TenantView> {
      return tenantView(await load(id));
    },
    /** Deactivating a tenant also ends the sessions of its users. */
    async setTenantStatus(id: string, status: Status): Promise<TenantView> {
      const at = ctx.clock();
      if (!(await ctx.storage.tenants.setStatus(id, status, at))) throw notFound('tenant', id);
      if (status === 'inactive') {
        for (const user of await ctx.storage.users.list({ tenantId: id })) {
          await ctx.storage.sessions.revokeByUser(user.id, 'tenant deactivated', at);
        }
      }
      return tenantView(await load(id));
    },
    /**
     * Turns access-key self-service of the tenant's users on or off. Off, a user who is neither an
     * Administrator nor an operator can no longer create a key for themselves (existing keys stay).
     */
    async setAccessKeySelfService(id: string, on: boolean): Promise<TenantView> {
      if (typeof on !== 'boolean') throw invalid('access_key_self_service must be true or false');
      if (!(await ctx.storage.tenants.setAccessKeySelfService(id, on, ctx.clock()))) {
        throw notFound('tenant', id);
      }
      return tenantView(await load(id));
    },
    /**
     * Requires (or stops requiring) that users of the domains its identity providers claim sign in
     * through them: their password is refused (docs/sso.md).
     */
    async setSsoRequired(id: string, on: boolean): Promise<TenantView> {
      if (typeof on !== 'boolean') throw invalid('sso_required must be true or false');
      if (!(await ctx.storage.tenants.setSsoRequired(id, on, ctx.clock()))) throw notFound('tenant', id);
      return tenantView(await load(id));
    },
    /**
     * Sets the shortest password its people may set (null: the service's default); the list of common
     * passwords applies whatever the length (docs/people.md, "Password policy").
     */
    async setPasswordMinLength(id: string, length: number | null): Promise<TenantView> {
      if (!(await ctx.storage.tenants.setPasswordMinLength(id, minLength(length), ctx.clock()))) {
        throw notFound('tenant', id);
      }
      return tenantView(await load(id));
    },
    /**
     * Requires (or stops requiring) that its people verify their e-mail before a sign-in gets a code:
     * an unverified person is mailed a link instead (docs/people.md).
     */
    async setEmailVerificationRequired(id: string, on: boolean): Promise<TenantView> {
      if (typeof on !== 'boolean') throw invalid('email_verification_required must be true or false');
      if (!(await ctx.storage.tenants.setEmailVerificationRequired(id, on, ctx.clock()))) {
        throw notFound('tenant', id);
      }
      return tenantView(await load(id));
    },
  };
}
