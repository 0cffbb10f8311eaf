// What the SCIM tests share: a tenant with a SCIM token, and requests to its `/scim/v2/{tenantId}/`.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Tenant } from '../../src/domain/types.js';
import { newScimToken } from '../../src/scim/tokens.js';
import type { TestService } from '../support/service.js';

export interface ScimTenant {
  tenant: Tenant;
  bearer: string;
  tokenId: string;
}

/** A new tenant with one SCIM token (stored as the admin API stores it). */
export async function scimTenant(svc: TestService): Promise<ScimTenant> {
  const tenant = await svc.addTenant();
  const { record, bearer } = newScimToken(svc.hasher, tenant.id, 'test', svc.clock.now());
  await svc.storage.scim.createToken(record);
  return { tenant, bearer, tokenId: record.id };
}

export interface ScimRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Below `/scim/v2/{tenantId}`, query included. */
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Sends one request as an identity provider does: bearer token, `application/scim+json`. */
export function scim(
  app: FastifyInstance,
  to: ScimTenant,
  req: ScimRequest,
  bearer: string = to.bearer,
): Promise<LightMyRequestResponse> {
  return app.inject({
    method: req.method,
    url: `/scim/v2/${to.tenant.id}${req.path}`,
    headers: {
      authorization: `Bearer ${bearer}`,
      ...(req.body === undefined ? {} : { 'content-type': 'application/scim+json; charset=utf-8' }),
      ...req.headers,
    },
    ...(req.body === undefined ? {} : { payload: JSON.stringify(req.body) }),
  });
}
