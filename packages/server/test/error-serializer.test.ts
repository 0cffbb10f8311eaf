// The one serializer of error responses (http/errors.ts): each failure is classified once and written
// in the shape of the endpoint it reached, OAuth JSON or RFC 9457 problem details, with nothing internal.
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModuleUnavailableError } from '../src/domain/on-demand.js';
import { handleError, handleProblem } from '../src/http/errors.js';
import { AdminError, InvalidClient, Problem } from '../src/protocol/errors.js';
import { StorageUnavailableError } from '../src/storage/errors.js';

const failures: Record<string, () => unknown> = {
  oauth: () => new InvalidClient('unknown client', true),
  admin: () => new AdminError('conflict', 'the e-mail is taken', { in: 'body', name: 'email' }),
  problem: () => new Problem(404, 'Not Found', 'no such resource'),
  database: () => new StorageUnavailableError('locked', 2, { cause: new Error('SQLITE_BUSY at /var/db') }),
  module: () =>
    new ModuleUnavailableError('the passkey checks', {
      cause: new Error("EMFILE: too many open files, open '/srv/cxauth/node_modules/@simplewebauthn/server'"),
    }),
  unexpected: () => new Error('secret-internal-detail'),
};

let app: FastifyInstance;
const logged: string[] = [];
beforeAll(async () => {
  app = Fastify({
    logger: { level: 'warn', stream: { write: (line: string) => void logged.push(line) } },
  });
  await app.register(async (scope) => {
    scope.setErrorHandler(handleError);
    scope.get('/oauth/:kind', async (request) => {
      throw failures[(request.params as { kind: string }).kind]?.();
    });
    scope.post('/oauth/json', async () => 'never');
  });
  await app.register(async (scope) => {
    scope.setErrorHandler(handleProblem);
    scope.get('/admin/:kind', async (request) => {
      throw failures[(request.params as { kind: string }).kind]?.();
    });
    scope.post(
      '/admin/json',
      { schema: { body: { type: 'object', required: ['email'], additionalProperties: false } } },
      async () => 'never',
    );
  });
  await app.ready();
});
afterAll(async () => app?.close());

const get = (url: string) => app.inject({ method: 'GET', url });

describe('one serializer for every error response', () => {
  it('writes OAuth errors as RFC 6749 §5.2 JSON, and as problems where they reach the admin API', async () => {
    const oauth = await get('/oauth/oauth');
    expect(oauth.statusCode).toBe(401);
    expect(oauth.headers['www-authenticate']).toMatch(/^Basic /);
    expect(oauth.json()).toEqual({ error: 'invalid_client', error_description: 'unknown client' });

    const admin = await get('/admin/oauth');
    expect(admin.statusCode).toBe(401);
    expect(admin.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(admin.headers['www-authenticate']).toMatch(/^Basic /);
    expect(admin.json()).toEqual({
      type: 'about:blank',
      title: 'Unauthorized',
      status: 401,
      detail: 'unknown client',
    });
  });

  it('writes problems with their fields, and as OAuth errors where they reach an OAuth endpoint', async () => {
    const admin = await get('/admin/admin');
    expect(admin.statusCode).toBe(409);
    expect(admin.json()).toMatchObject({
      title: 'Conflict',
      errors: [{ in: 'body', pointer: '/email', reason: 'the e-mail is taken' }],
    });
    const oauth = await get('/oauth/problem');
    expect(oauth.statusCode).toBe(404);
    expect(oauth.json()).toEqual({ error: 'not_found', error_description: 'no such resource' });
  });

  it('answers a database fault 503 with Retry-After in both shapes, its cause in the log only', async () => {
    for (const url of ['/oauth/database', '/admin/database']) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(503);
      expect(res.headers['retry-after'], url).toBe('2');
      expect(res.body, url).not.toMatch(/SQLITE|var\/db/);
    }
    expect(logged.join('')).toMatch(/SQLITE_BUSY/);
  });

  it('answers a dependency that could not be loaded 503 with Retry-After, naming no module or path', async () => {
    for (const url of ['/oauth/module', '/admin/module']) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(503);
      expect(res.headers['retry-after'], url).toBe('5');
      expect(res.body, url).not.toMatch(/passkey|EMFILE|node_modules|simplewebauthn/);
    }
    expect((await get('/oauth/module')).json()).toEqual({
      error: 'temporarily_unavailable',
      error_description: 'the service is temporarily unavailable; retry later',
    });
    expect(logged.join('')).toMatch(/the passkey checks could not be loaded.*EMFILE/s);
  });

  it('turns anything unexpected into a bare 500 in both shapes', async () => {
    const oauth = await get('/oauth/unexpected');
    expect(oauth.statusCode).toBe(500);
    expect(oauth.json()).toEqual({ error: 'server_error', error_description: 'internal server error' });
    const admin = await get('/admin/unexpected');
    expect(admin.statusCode).toBe(500);
    expect(admin.json()).toMatchObject({ title: 'Internal Server Error', status: 500 });
    for (const res of [oauth, admin]) expect(res.body).not.toContain('secret-internal-detail');
  });

  it('answers framework refusals alike: 400 for OAuth (RFC 6749 §5.2), 415 and schema fields for problems', async () => {
    const form = { 'content-type': 'application/xml' };
    const oauth = await app.inject({ method: 'POST', url: '/oauth/json', headers: form, payload: 'x' });
    expect(oauth.statusCode).toBe(400);
    expect(oauth.json()).toEqual({ error: 'invalid_request', error_description: 'unsupported Content-Type' });
    const admin = await app.inject({ method: 'POST', url: '/admin/json', headers: form, payload: 'x' });
    expect(admin.statusCode).toBe(415);
    const schema = await app.inject({ method: 'POST', url: '/admin/json', payload: { mail: 'x' } });
    expect(schema.statusCode).toBe(400);
    expect(schema.json().errors.length).toBeGreaterThan(0);
    expect(schema.json().detail).toBe('the body does not match its schema');
  });
});
