// Area repository rows: the areas table and its mapping to the domain Area.
import type { Selectable } from 'kysely';
import type { Area } from '../../../domain/types.js';
import { type Millis, toDate } from '../rows.js';

export interface AreasTable {
  name: string;
  domain: string;
  acd_domain: string;
  uh_domain: string;
  ui_endpoint: string;
  auth_endpoint: string;
  api_endpoint: string;
  created_at: Millis;
}

export const areaRow = {
  from: (r: Selectable<AreasTable>): Area => ({
    name: r.name,
    domain: r.domain,
    acdDomain: r.acd_domain,
    uhDomain: r.uh_domain,
    uiEndpoint: r.ui_endpoint,
    authEndpoint: r.auth_endpoint,
    apiEndpoint: r.api_endpoint,
    createdAt: toDate(r.created_at),
  }),
  to: (a: Area) => ({
    name: a.name,
    domain: a.domain,
    acd_domain: a.acdDomain,
    uh_domain: a.uhDomain,
    ui_endpoint: a.uiEndpoint,
    auth_endpoint: a.authEndpoint,
    api_endpoint: a.apiEndpoint,
    created_at: a.createdAt.getTime(),
  }),
};
