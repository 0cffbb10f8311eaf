// Admin of areas: where tenants' APIs live (the endpoints tenant discovery returns).
import type { Static } from '@sinclair/typebox';
import type { Area } from '../../domain/types.js';
import { AdminError } from '../../protocol/errors.js';
import type * as Wire from '../api/schemas.js';
import { type AdminContext, endpoint, invalid, iso, notFound, text } from './context.js';

/** The admin API's wire shape (admin/api/schemas.ts). */
export type AreaView = Static<typeof Wire.Area>;

export interface CreateAreaInput {
  name: string;
  apiEndpoint: string;
  uiEndpoint?: string;
  authEndpoint?: string;
  /** Sets domain, acdDomain and uhDomain unless those are given. */
  domain?: string;
  acdDomain?: string;
  uhDomain?: string;
}

/** The fields `area update` may change; each absent one stays as it is. */
export type UpdateAreaInput = Partial<Omit<CreateAreaInput, 'name'>>;

export function areaView(a: Area): AreaView {
  return {
    name: a.name,
    domain: a.domain,
    acdDomain: a.acdDomain,
    uhDomain: a.uhDomain,
    ui_endpoint: a.uiEndpoint,
    auth_endpoint: a.authEndpoint,
    api_endpoint: a.apiEndpoint,
    createdAt: iso(a.createdAt),
  };
}

const AREA_NAME = /^[a-z][a-z0-9-]{0,31}$/;
const DOMAIN = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;

function domainOf(field: string, value: unknown, fallback: string): string {
  if (value === undefined || value === '') return fallback;
  const d = text(field, value, 253).toLowerCase();
  if (!DOMAIN.test(d)) throw invalid(`${field} must be a DNS name like example.com`, field);
  return d;
}

function exists(name: string): AdminError {
  return new AdminError(
    'conflict',
    `area ${name} exists: use \`cxauth admin area update ${name}\` (PATCH /admin/v1/areas/${name}) to change it`,
  );
}

export function areaAdmin(ctx: AdminContext) {
  return {
    /**
     * Creates an area; an existing one of that name is refused (`conflict`), never silently reset:
     * its endpoints change only through {@link updateArea}, with the fields named.
     */
    async createArea(input: CreateAreaInput): Promise<AreaView> {
      const name = text('name', input.name, 32).toLowerCase();
      if (!AREA_NAME.test(name))
        throw invalid(`area name must look like "na1" or "eu1", got "${name}"`, 'name');
      const apiEndpoint = endpoint('api-endpoint', input.apiEndpoint);
      const uiEndpoint = input.uiEndpoint ? endpoint('ui-endpoint', input.uiEndpoint) : apiEndpoint;
      const authEndpoint = input.authEndpoint ? endpoint('auth-endpoint', input.authEndpoint) : uiEndpoint;
      const domain = domainOf('domain', input.domain, new URL(apiEndpoint).hostname.replace(/^\[|\]$/g, ''));
      if (await ctx.storage.areas.get(name)) throw exists(name);
      const area: Area = {
        name,
        domain,
        acdDomain: domainOf('acd-domain', input.acdDomain, domain),
        uhDomain: domainOf('uh-domain', input.uhDomain, domain),
        uiEndpoint,
        authEndpoint,
        apiEndpoint,
        createdAt: ctx.clock(),
      };
      await ctx.storage.areas.upsert(area);
      return areaView(area);
    },
    /** Changes the named fields of an existing area; the others stay as they are. */
    async updateArea(rawName: string, input: UpdateAreaInput): Promise<AreaView> {
      const name = String(rawName ?? '').toLowerCase();
      const current = await ctx.storage.areas.get(name);
      if (!current) throw notFound('area', rawName);
      const given = (v: string | undefined) => v !== undefined && v !== '';
      const domain = given(input.domain) ? domainOf('domain', input.domain, current.domain) : undefined;
      const next: Area = {
        ...current,
        ...(given(input.apiEndpoint) ? { apiEndpoint: endpoint('api-endpoint', input.apiEndpoint) } : {}),
        ...(given(input.uiEndpoint) ? { uiEndpoint: endpoint('ui-endpoint', input.uiEndpoint) } : {}),
        ...(given(input.authEndpoint) ? { authEndpoint: endpoint('auth-endpoint', input.authEndpoint) } : {}),
        ...(domain ? { domain, acdDomain: domain, uhDomain: domain } : {}),
      };
      if (given(input.acdDomain)) next.acdDomain = domainOf('acd-domain', input.acdDomain, next.acdDomain);
      if (given(input.uhDomain)) next.uhDomain = domainOf('uh-domain', input.uhDomain, next.uhDomain);
      await ctx.storage.areas.upsert(next);
      return areaView(next);
    },
    async listAreas(): Promise<AreaView[]> {
      return (await ctx.storage.areas.list()).map(areaView);
    },
    async showArea(name: string): Promise<AreaView> {
      const area = await ctx.storage.areas.get(String(name ?? '').toLowerCase());
      if (!area) throw notFound('area', name);
      return areaView(area);
    },
  };
}
