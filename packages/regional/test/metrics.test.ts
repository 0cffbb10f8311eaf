// The regional API's metrics, read through a Prometheus text-format parser on their own listener:
// verifications by outcome and code, refusals by reason (wrong area too), and the JWKS age.
import type { FastifyInstance } from 'fastify';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { accessClaims, type FakeIssuer, mint, startIssuer } from '../../verify/test/support/issuer.js';
import {
  createRegionalMetrics,
  createRegionalServer,
  type RegionalManagementServer,
  SERVER_TIME_PATH,
  serveRegionalMetrics,
} from '../src/index.js';

type Family = { name: string; metrics: { labels?: Record<string, string>; value: string }[] };

let issuer: FakeIssuer;
let app: FastifyInstance;
let management: RegionalManagementServer;
let now: number;

beforeEach(async () => {
  issuer = await startIssuer();
  now = Date.now();
  const metrics = createRegionalMetrics();
  app = await createRegionalServer({ area: 'na1', issuer: issuer.url, clock: () => now, metrics });
  management = await serveRegionalMetrics(metrics, { host: '127.0.0.1', port: 0 });
});

afterEach(async () => {
  await management.close();
  await app.close();
  await issuer.close();
});

async function scrape(): Promise<(name: string, labels: Record<string, string>) => number | undefined> {
  const res = await fetch(`${management.url}/metrics`);
  expect(res.status).toBe(200);
  const families = new Map((parsePrometheusTextFormat(await res.text()) as Family[]).map((f) => [f.name, f]));
  return (name, labels) => {
    const sample = families
      .get(name)
      ?.metrics.find((m) => Object.entries(labels).every(([k, v]) => (m.labels?.[k] ?? '') === v));
    return sample === undefined ? undefined : Number(sample.value);
  };
}

describe('regional metrics', () => {
  it('count a verified request, refused ones by code and reason, and report the JWKS age', async () => {
    const token = await mint(issuer.key, accessClaims(issuer.url, Math.floor(now / 1000), 'na1'));
    const call = (authorization?: string) =>
      app.inject({ url: SERVER_TIME_PATH, headers: authorization ? { authorization } : {} });
    expect((await call(`Bearer ${token}`)).statusCode).toBe(200);
    // The second one is a cache hit: it is counted as well.
    expect((await call(`Bearer ${token}`)).statusCode).toBe(200);
    expect((await call()).statusCode).toBe(401);
    const elsewhere = await mint(issuer.key, accessClaims(issuer.url, Math.floor(now / 1000), 'eu1'));
    expect((await call(`Bearer ${elsewhere}`)).statusCode).toBe(403);
    const old = await mint(issuer.key, accessClaims(issuer.url, Math.floor(now / 1000) - 7200, 'na1'));
    expect((await call(`Bearer ${old}`)).statusCode).toBe(401);
    // Within the JWKS max-age, so the keys are not fetched again: their age is the time since.
    now += 120_000;

    const value = await scrape();
    const verified = (outcome: string, code = '') =>
      value('cxauth_api_verifications_total', { area: 'na1', outcome, code });
    // The wrong-area token verifies (it is ours) before the area check refuses it.
    expect(verified('accepted')).toBe(3);
    expect(verified('refused', 'token_missing')).toBe(1);
    expect(verified('refused', 'token_expired')).toBe(1);
    expect(value('cxauth_api_refusals_total', { area: 'na1', reason: 'token_missing' })).toBe(1);
    expect(value('cxauth_api_refusals_total', { area: 'na1', reason: 'wrong_area' })).toBe(1);
    expect(value('cxauth_api_jwks_age_seconds', { area: 'na1' })).toBeCloseTo(120, 0);
    expect(value('process_cpu_user_seconds_total', {})).toBeGreaterThan(0);
    expect((await fetch(`${management.url}/healthz`)).status).toBe(200);
  });
});
