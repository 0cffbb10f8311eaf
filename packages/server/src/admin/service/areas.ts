// Admin of areas: where tenants' APIs live (the endpoints tenant discovery returns).
import type { Area } from '../../domain/types.js';
import { type AdminContext, endpoint, invalid, iso, notFound, text } from './context.js';

export interface AreaView {
  name: string;
  domain: string;
  acdDomain: string;
  uhDomain: string;
  ui_endpoint: string;
  auth_endpoint: string;
  api_endpoint: string;
  createdAt: string | null;
}

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

export function areaAdmin(ctx: AdminContext) {
  return {
    /** Creates an area, or updates the endpoints of an existing one of that name. */
    async createArea(input: CreateAreaInput): Promise<AreaView> {
      const name = text('name', input.name, 32).toLowerCase();
      if (!AREA_NAME.test(name))
        throw invalid(`area name must look like "na1" or "eu1", got "${name}"`, 'name');
      const apiEndpoint = endpoint('api-endpoint', input.apiEndpoint);
      const uiEndpoint = input.uiEndpoint ? endpoint('ui-endpoint', input.uiEndpoint) : apiEndpoint;
      const authEndpoint = input.authEndpoint ? endpoint('auth-endpoint', input.authEndpoint) : uiEndpoint;
      const domain = domainOf('domain', input.domain, new URL(apiEndpoint).hostname.replace(/^\[|\]$/g, ''));
      const area: Area = {
        name,
        domain,
        acdDomain: domainOf('acd-domain', input.acdDomain, domain),
        uhDomain: domainOf('uh-domain', input.uhDomain, domain),
        uiEndpoint,
        authEndpoint,
        apiEndpoint,
        createdAt: (await ctx.storage.areas.get(name))?.createdAt ?? ctx.clock(),
      };
      await ctx.storage.areas.upsert(area);
      return areaView(area);
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
