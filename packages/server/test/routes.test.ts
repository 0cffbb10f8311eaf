// The route table (http/routes.ts) is what the service does: every line answers, every other method is a
// 405 naming exactly the table's methods, preflight exists only where CORS is on, the auth column is
// what a caller without credentials meets, and a route outside the table cannot be registered.
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enforceRoutes, ROUTES, type Route } from '../src/http/routes.js';
import { startTestService, type TestService } from './support/service.js';

const ORIGIN = 'https://app.example.com';
let svc: TestService;
beforeAll(async () => {
  svc = await startTestService({ application: { origins: [ORIGIN] } });
});
afterAll(async () => svc?.close());

const each = ROUTES.map((r) => [r.name, r] as const);

/** What `Allow` must say for a route: its methods, OPTIONS with CORS, HEAD with GET. */
function allowOf(route: Route): string {
  const methods: string[] = [...route.methods];
  if (route.cors) methods.push('OPTIONS');
  if (methods.includes('GET')) methods.push('HEAD');
  return methods.join(', ');
}

/** What the 405 description says: the methods to use, HEAD left out. */
function useOf(route: Route): string {
  return `use ${[...route.methods, ...(route.cors ? ['OPTIONS'] : [])].join(' or ')}`;
}

describe('the route table', () => {
  it('has unique names and paths', () => {
    expect(new Set(ROUTES.map((r) => r.name)).size).toBe(ROUTES.length);
    expect(new Set(ROUTES.map((r) => r.path)).size).toBe(ROUTES.length);
  });

  it.each(each)('%s answers every method it lists', async (_name, route) => {
    for (const method of route.methods) {
      const res = await svc.app.inject({ method, url: route.path });
      expect([404, 405], `${method} ${route.path}`).not.toContain(res.statusCode);
      // The sign-in pages (docs/sign-in.md), the device verification page, the console (docs/console.md) and the landing page answer
      // browsers in HTML; every other route in JSON.
      const html = [
        'authorize',
        'logout',
        'device-verify',
        'password-reset',
        'password-reset-confirm',
        'invitation',
        'email-verification',
        'email-verification-confirm',
        'passkeys',
        'console',
        'landing',
      ].includes(route.name);
      expect(res.headers['content-type'], `${method} ${route.path}`).toMatch(
        route.name === 'passkeys-script'
          ? /^text\/javascript; charset=utf-8/
          : html
            ? /^text\/html; charset=utf-8/
            : /^application\/json/,
      );
    }
  });

  it.each(each)('%s answers other methods with 405 and the right Allow', async (_name, route) => {
    for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const) {
      if ((route.methods as readonly string[]).includes(method)) continue;
      const res = await svc.app.inject({ method, url: route.path });
      expect(res.statusCode, `${method} ${route.path}`).toBe(405);
      expect(res.headers['allow']).toBe(allowOf(route));
      expect(res.json()).toEqual({ error: 'method_not_allowed', error_description: useOf(route) });
    }
  });

  it.each(each)('%s has a preflight exactly when it has CORS', async (_name, route) => {
    const res = await svc.app.inject({
      method: 'OPTIONS',
      url: route.path,
      headers: { origin: ORIGIN, 'access-control-request-method': route.methods[0] as string },
    });
    expect(res.headers['allow']).toBe(allowOf(route));
    if (route.cors) {
      expect(res.statusCode).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe(ORIGIN);
      expect(res.headers['access-control-allow-methods']).toBe(route.methods.join(', '));
    } else {
      expect(res.statusCode).toBe(405);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    }
  });

  it.each(each)(
    '%s sends CORS headers to a registered origin exactly when it has CORS',
    async (_n, route) => {
      const method = route.methods[0] as 'GET';
      const res = await svc.app.inject({ method, url: route.path, headers: { origin: ORIGIN } });
      expect(res.headers['access-control-allow-origin']).toBe(route.cors ? ORIGIN : undefined);
    },
  );

  it.each(each)('%s meets a caller without credentials as its auth column says', async (_name, route) => {
    const method = route.methods[0] as 'GET' | 'POST';
    const res = await svc.app.inject({
      method,
      url: route.path,
      ...(method === 'POST'
        ? { headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'grant_type=password' }
        : {}),
    });
    const challenge = res.headers['www-authenticate'];
    switch (route.auth) {
      case 'client':
        expect(res.statusCode).toBe(401);
        expect(res.json()).toMatchObject({ error: 'invalid_client' });
        break;
      case 'bearer':
        expect(res.statusCode).toBe(401);
        expect(challenge).toMatch(/^Bearer /);
        break;
      case 'none':
        expect(res.statusCode).not.toBe(401);
        expect(challenge).toBeUndefined();
        break;
    }
  });
});

describe('enforceRoutes', () => {
  const table: Route[] = [
    { name: 'jwks', path: '/a', methods: ['GET'], cors: false, log: 'info', auth: 'none' },
    { name: 'token', path: '/b', methods: ['POST'], cors: true, log: 'info', auth: 'client' },
  ];

  it('refuses to register a route, or a method, the table does not list', async () => {
    const app = Fastify();
    enforceRoutes(app, table);
    app.get('/a', async () => 'ok');
    app.options('/b', async () => 'ok');
    expect(() => app.get('/c', async () => 'no')).toThrow(/GET \/c is not in the route table/);
    expect(() => app.post('/a', async () => 'no')).toThrow(/POST \/a is not in the route table/);
    expect(() => app.options('/a', async () => 'no')).toThrow(/OPTIONS \/a is not in the route table/);
    await app.close();
  });

  it('finds a listed route that nothing answers', async () => {
    const app = Fastify();
    const routes = enforceRoutes(app, table);
    app.get('/a', async () => 'ok');
    expect(() => routes.check()).toThrow(/lists POST \/b, but nothing answers it/);
    app.post('/b', async () => 'ok');
    expect(() => routes.check()).not.toThrow();
    await app.close();
  });
});
