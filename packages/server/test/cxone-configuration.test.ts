// GET /.well-known/cxone-configuration?tenantId=…: the tenant's routing fields, 400 and 404 as JSON.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from './support/service.js';

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService({ tenant: { cluster: 'B32', private: false } });
});
afterAll(async () => svc?.close());

const get = (query: string) =>
  svc.app.inject({ method: 'GET', url: `/.well-known/cxone-configuration${query}` });

describe('tenant discovery', () => {
  it('answers the fields of the tenant and its area, in the reference order', async () => {
    const { tenant, area } = svc.fixture;
    const res = await get(`?tenantId=${tenant.id}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toMatch(/max-age=\d+/);
    expect(Object.keys(res.json())).toEqual([
      'private',
      'area',
      'cluster',
      'domain',
      'acdDomain',
      'uhDomain',
      'ui_endpoint',
      'auth_endpoint',
      'api_endpoint',
      'tenantId',
    ]);
    expect(res.json()).toEqual({
      private: false,
      area: 'na1',
      cluster: 'B32',
      domain: area.domain,
      acdDomain: area.acdDomain,
      uhDomain: area.uhDomain,
      ui_endpoint: area.uiEndpoint,
      auth_endpoint: area.authEndpoint,
      api_endpoint: 'https://api-na1.cxauth.test',
      tenantId: tenant.id,
    });
  });

  it('accepts the id in upper case', async () => {
    const res = await get(`?tenantId=${svc.fixture.tenant.id.toUpperCase()}`);
    expect(res.statusCode).toBe(200);
    expect(res.json().tenantId).toBe(svc.fixture.tenant.id);
  });

  it.each([
    ['missing', ''],
    ['empty', '?tenantId='],
    ['malformed', '?tenantId=not-a-uuid'],
    ['injection', "?tenantId=1'%20OR%20'1'='1"],
    ['repeated', `?tenantId=${crypto.randomUUID()}&tenantId=${crypto.randomUUID()}`],
  ])('answers a %s id with 400 invalid_request', async (_label, query) => {
    const res = await get(query);
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json().error).toBe('invalid_request');
  });

  it('answers an unknown or inactive tenant with 404 JSON', async () => {
    const unknown = await get(`?tenantId=${crypto.randomUUID()}`);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({ error: 'not_found', error_description: 'no such tenant' });
    const inactive = await svc.addTenant({ status: 'inactive' });
    expect((await get(`?tenantId=${inactive.id}`)).statusCode).toBe(404);
  });
});
