// GET /: a page (no script, the hosted pages' strict policy) linking the console, discovery, keys,
// probes and the admin API, naming the docs by path; a JSON index for clients that ask for JSON.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, TEST_ISSUER, type TestService } from './support/service.js';

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(() => svc.close());

describe('GET /', () => {
  it('is an HTML page with links to the console, discovery, keys and probes, and no script', async () => {
    const res = await svc.app.inject({ url: '/', headers: { accept: 'text/html,*/*' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toMatch(/^default-src 'none'; style-src 'nonce-[^']+';/);
    expect(csp).not.toContain('script-src');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.body).not.toMatch(/<script/i);
    for (const path of [
      '/console/',
      '/.well-known/openid-configuration',
      '/auth/jwks',
      '/healthz',
      '/readyz',
      '/admin/v1/openapi.json',
    ]) {
      expect(res.body).toContain(`href="${TEST_ISSUER}${path}"`);
    }
    expect(res.body).toContain('docs/operations.md');
    expect(res.body).toContain('cxauth admin bootstrap --email');
    // Every link named is served.
    for (const path of ['/.well-known/openid-configuration', '/auth/jwks', '/healthz', '/readyz']) {
      expect((await svc.app.inject({ url: path })).statusCode).toBe(200);
    }
  });

  it('answers JSON clients with a small index, and a browser (or curl */*) with the page', async () => {
    const res = await svc.app.inject({ url: '/', headers: { accept: 'application/json' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['vary']).toBe('Accept');
    expect(res.json()).toMatchObject({
      issuer: TEST_ISSUER,
      console: `${TEST_ISSUER}/console/`,
      discovery: `${TEST_ISSUER}/.well-known/openid-configuration`,
      readyz: `${TEST_ISSUER}/readyz`,
      docs: expect.arrayContaining(['README.md', 'docs/operations.md']),
    });
    const any = await svc.app.inject({ url: '/' });
    expect(any.headers['content-type']).toBe('text/html; charset=utf-8');
  });

  it('answers other methods 405 with Allow, and an unknown path 404 as before', async () => {
    const post = await svc.app.inject({ method: 'POST', url: '/' });
    expect(post.statusCode).toBe(405);
    expect(post.headers['allow']).toBe('GET, HEAD');
    expect((await svc.app.inject({ url: '/nothing-here' })).statusCode).toBe(404);
  });
});
