// The OpenAPI 3.1 document of the admin API is valid and lists exactly the routes the server answers.
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BEFORE_COLON } from '../../src/admin/api/mail-templates.js';
import { startTestService, type TestService } from '../support/service.js';

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(async () => svc?.close());

describe('GET /admin/v1/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const res = await svc.app.inject({ url: '/admin/v1/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toBe('3.1.0');
    const result = await new Validator().validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('lists every admin route the server answers, and nothing else', async () => {
    const doc = (await svc.app.inject({ url: '/admin/v1/openapi.json' })).json() as {
      paths: Record<string, Record<string, unknown>>;
    };
    const documented = Object.entries(doc.paths)
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    const registered: string[] = [];
    for (const entry of documented) {
      const [method, path] = entry.split(' ') as [string, string];
      // A literal colon (`users:import`) is `::` to Fastify.
      const url = path.replace(/:/g, '::').replace(/\{([^}]+)\}/g, ':$1');
      // A parameter right before a literal colon carries its pattern (`{name}:preview`).
      const patterned = url.replace(/(:[A-Za-z_]+)::/g, `$1${BEFORE_COLON}::`);
      if (
        svc.app.hasRoute({ method: method as 'GET', url }) ||
        svc.app.hasRoute({ method: method as 'GET', url: patterned })
      )
        registered.push(entry);
    }
    expect(registered).toEqual(documented);
    // And the other way round: each route module's routes are in the document.
    for (const expected of [
      'GET /admin/v1/tenants',
      'POST /admin/v1/tenants',
      'PATCH /admin/v1/tenants/{id}',
      'POST /admin/v1/tenants/{id}/users',
      'PATCH /admin/v1/users/{id}',
      'POST /admin/v1/users/{id}/access-keys',
      'PATCH /admin/v1/access-keys/{accessKeyId}',
      'POST /admin/v1/applications',
      'DELETE /admin/v1/applications/{client_id}',
      'POST /admin/v1/applications/{client_id}/secret',
      'POST /admin/v1/areas',
      'PATCH /admin/v1/areas/{name}',
      'POST /admin/v1/signing-keys/rotate',
      'DELETE /admin/v1/sessions/{id}',
      'GET /admin/v1/audit-events',
      'GET /admin/v1/stats',
    ]) {
      expect(documented).toContain(expected);
    }
  });

  it('documents on every route the 503 problem it answers when the database is at fault', async () => {
    const doc = (await svc.app.inject({ url: '/admin/v1/openapi.json' })).json() as {
      paths: Record<string, Record<string, { responses: Record<string, { content?: object }> }>>;
    };
    const operations = Object.values(doc.paths).flatMap((ops) => Object.values(ops));
    expect(operations.length).toBeGreaterThan(0);
    for (const op of operations) {
      expect(op.responses['503']).toEqual(op.responses['400']);
    }
  });
});
