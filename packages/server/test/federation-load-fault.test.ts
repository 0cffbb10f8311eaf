// A library the service loads at its first use (domain/on-demand.ts) that cannot be loaded: the SAML
// library's import fails with EMFILE while `fault.on` is set. A federated sign-in and the SP metadata
// then answer 503 with Retry-After (a fault of the service, docs/operations.md "Parts loaded at first
// use"), never a refusal page or an audited federation failure, and work once the load succeeds.
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import type { Application } from '../src/domain/types.js';
import { addSamlIdp, adminOf } from './support/federation.js';
import { startTestSamlIdp } from './support/saml-idp.js';
import { startTestService, type TestService } from './support/service.js';
import { authorizeQuery, Browser, pkce, publicApp } from './support/sign-in.js';

const fault = vi.hoisted(() => ({ on: true }));
// A factory runs before the file's imports: it imports what it needs itself.
vi.mock('@node-saml/node-saml', async (importOriginal) => {
  if (fault.on) throw (await import('./support/load-fault.js')).tooManyOpenFiles();
  return importOriginal();
});

let svc: TestService;
let app: Application;
let idpId: string;
beforeAll(async () => {
  svc = await startTestService();
  app = await publicApp(svc);
  const idp = startTestSamlIdp();
  ({ id: idpId } = await addSamlIdp(adminOf(svc), svc.fixture.tenant.id, idp, {
    name: 'SAML while broken',
    domains: ['broken.test'],
  }));
}, 30_000);
afterAll(async () => svc?.close());

it('answers 503 with Retry-After while the SAML library cannot be loaded, and serves once it can', async () => {
  const metadata = `/auth/sso/saml/${idpId}/metadata`;
  const handOver = () =>
    new Browser(svc.app).get(`/auth/authorize?${authorizeQuery(app, pkce(), { idp_hint: idpId })}`);

  for (const res of [await svc.app.inject({ method: 'GET', url: metadata }), await handOver()]) {
    expect(res.statusCode, res.body).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.headers['cache-control']).toContain('no-store');
    expect(res.json()).toMatchObject({ error: 'temporarily_unavailable' });
    expect(res.body).not.toMatch(/EMFILE|node_modules|SAML/i);
  }
  // A fault of the service, not a refused sign-in: nothing is audited as the IdP's failure.
  expect(await svc.storage.auditEvents.list({ type: 'federation.failed', limit: 10 })).toEqual([]);

  fault.on = false;
  const served = await svc.app.inject({ method: 'GET', url: metadata });
  expect(served.statusCode).toBe(200);
  expect(served.body).toContain('EntityDescriptor');
  const redirected = await handOver();
  expect(redirected.statusCode).toBe(302);
  expect(String(redirected.headers.location)).toContain('SAMLRequest=');
});
