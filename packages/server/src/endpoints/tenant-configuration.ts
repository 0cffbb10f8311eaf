// GET /.well-known/cxone-configuration?tenantId=…: where a tenant's APIs and UIs live.
import type { FastifyInstance } from 'fastify';
import { cacheFor, sendJson } from '../http/headers.js';
import { ROUTE } from '../http/routes.js';
import { InvalidRequest, NotFound } from '../protocol/errors.js';
import type { Storage } from '../storage/contract/index.js';

/** Tenants rarely move; a few minutes of caching keeps discovery off the database. */
export const TENANT_CONFIGURATION_MAX_AGE = 300;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Registers tenant discovery: the tenant's routing fields from the tenant and its area, in the
 * reference document's order. A malformed id is 400, an unknown or inactive tenant 404.
 * @see the reference document "Using query discovery service for api_endpoint base URL"
 */
export function registerTenantConfiguration(app: FastifyInstance, storage: Storage): void {
  app.get(ROUTE['tenant-configuration'].path, async (request, reply) => {
    const tenantId = (request.query as Record<string, unknown>)['tenantId'];
    if (tenantId === undefined || tenantId === '') throw new InvalidRequest('tenantId is required');
    if (typeof tenantId !== 'string') throw new InvalidRequest('tenantId must be given once');
    if (!UUID.test(tenantId)) throw new InvalidRequest('tenantId must be a UUID');
    const tenant = await storage.tenants.get(tenantId.toLowerCase());
    const area = tenant?.status === 'active' ? await storage.areas.get(tenant.area) : undefined;
    if (!tenant || !area) throw new NotFound('no such tenant');
    const body = {
      private: tenant.private,
      area: area.name,
      cluster: tenant.cluster,
      domain: area.domain,
      acdDomain: area.acdDomain,
      uhDomain: area.uhDomain,
      ui_endpoint: area.uiEndpoint,
      auth_endpoint: area.authEndpoint,
      api_endpoint: area.apiEndpoint,
      tenantId: tenant.id,
    };
    return sendJson(cacheFor(reply, TENANT_CONFIGURATION_MAX_AGE), JSON.stringify(body));
  });
}
