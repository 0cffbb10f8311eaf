// The service's metrics (docs/operations.md "Metrics"), read back through a Prometheus text-format
// parser: requests per route, status class and error, grants by outcome, latency, throttling, sessions,
// signing keys; a scrape that survives a database that does not answer.
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServiceMetrics, SESSION_COUNT_TIMEOUT_MS } from '../src/observability/metrics.js';
import type { Storage } from '../src/storage/contract/index.js';
import { basic, tokenRequest } from './support/http.js';
import { startTestService, type TestService } from './support/service.js';

interface Sample {
  labels?: Record<string, string>;
  value?: string;
  count?: string;
  sum?: string;
  buckets?: Record<string, string>;
}
interface Family {
  name: string;
  type: string;
  metrics: Sample[];
}

/** The scrape parsed by a Prometheus text parser, by family name. */
export async function scrape(text: string | Promise<string>): Promise<Map<string, Family>> {
  const families = parsePrometheusTextFormat(await text) as Family[];
  return new Map(families.map((f) => [f.name, f]));
}

/**
 * One child of a labelled histogram, parsed alone: the parser merges the buckets of every label set
 * of a histogram family into one, so the family's lines of `label="value"` are given to it without
 * that label.
 */
export function histogram(text: string, name: string, label: string, value: string): Sample | undefined {
  const selector = `${label}="${value}"`;
  const lines = text
    .split('\n')
    .filter(
      (line) =>
        line.startsWith(`# HELP ${name} `) ||
        line.startsWith(`# TYPE ${name} `) ||
        (line.startsWith(`${name}_`) && line.includes(selector)),
    )
    .map((line) =>
      line.replace(`,${selector}`, '').replace(`{${selector},`, '{').replace(`{${selector}}`, ''),
    );
  const [family] = parsePrometheusTextFormat(`${lines.join('\n')}\n`) as Family[];
  return family?.metrics[0];
}

/** The value of the sample of `name` whose labels include `labels`; undefined when there is none. */
export function value(
  families: Map<string, Family>,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const sample = families
    .get(name)
    ?.metrics.find((m) => Object.entries(labels).every(([k, v]) => (m.labels?.[k] ?? '') === v));
  return sample?.value === undefined ? undefined : Number(sample.value);
}

describe('service metrics after token requests', () => {
  let svc: TestService;
  const metrics = createServiceMetrics();
  beforeAll(async () => {
    svc = await startTestService({ metrics });
  });
  afterAll(async () => svc?.close());

  const password = (secret: string) =>
    tokenRequest(
      svc.app,
      { grant_type: 'password', username: svc.fixture.accessKeyId, password: secret },
      { authorization: basic(svc.fixture.clientId, svc.fixture.clientSecret) },
    );

  it('counts a success, invalid_grant refusals and a throttled request, by route and by grant', async () => {
    expect((await password(svc.fixture.accessKeySecret)).statusCode).toBe(200);
    for (let i = 0; i < 5; i++) expect((await password('wrong')).statusCode).toBe(400);
    expect((await password('wrong')).statusCode).toBe(429);
    expect((await svc.app.inject({ method: 'GET', url: '/auth/jwks' })).statusCode).toBe(200);
    expect((await svc.app.inject({ method: 'GET', url: '/no-such-path' })).statusCode).toBe(404);

    const text = await metrics.registry.metrics();
    const m = await scrape(text);
    expect(m.get('cxauth_http_requests_total')?.type).toBe('COUNTER');
    const requests = (labels: Record<string, string>) => value(m, 'cxauth_http_requests_total', labels);
    expect(requests({ route: 'token', status_class: '2xx', error: '' })).toBe(1);
    expect(requests({ route: 'token', status_class: '4xx', error: 'invalid_grant' })).toBe(5);
    expect(requests({ route: 'token', status_class: '4xx', error: 'temporarily_unavailable' })).toBe(1);
    expect(requests({ route: 'jwks', status_class: '2xx', error: '' })).toBe(1);
    expect(requests({ route: 'unmatched', status_class: '4xx', error: 'not_found' })).toBe(1);

    const grants = (outcome: string) =>
      value(m, 'cxauth_token_requests_total', { grant_type: 'password', outcome });
    expect([grants('success'), grants('invalid_grant'), grants('temporarily_unavailable')]).toEqual([
      1, 5, 1,
    ]);

    expect(m.get('cxauth_http_request_duration_seconds')?.type).toBe('HISTOGRAM');
    const token = histogram(text, 'cxauth_http_request_duration_seconds', 'route', 'token');
    expect(Number(token?.count)).toBe(7);
    expect(Number(token?.buckets?.['+Inf'])).toBe(7);
    expect(Number(token?.sum)).toBeGreaterThan(0);

    // The access key had failed five times from this address: its pair counter delays it. The client
    // authenticated every time, so its counter counts nothing.
    expect(value(m, 'cxauth_throttled_total', { kind: 'access_key' })).toBe(1);
    expect(value(m, 'cxauth_throttled_total', { kind: 'client' })).toBeUndefined();
    expect(value(m, 'cxauth_throttled_total', { kind: 'address' })).toBeUndefined();

    expect(value(m, 'cxauth_active_sessions')).toBe(1);
    expect(value(m, 'cxauth_database_up')).toBe(1);
    expect(value(m, 'cxauth_signing_keys', { state: 'signing' })).toBe(1);
    expect(value(m, 'cxauth_signing_keys', { state: 'published' })).toBe(0);
    const kid = svc.keys.active.kid;
    const age = value(m, 'cxauth_signing_key_age_seconds', { kid, alg: 'RS256', state: 'signing' });
    expect(age).toBeGreaterThanOrEqual(0);
    // SQLite has no pool; the process series are Node's defaults.
    expect(m.has('cxauth_db_pool_connections')).toBe(false);
    expect(m.get('process_cpu_user_seconds_total')?.type).toBe('COUNTER');
    expect(m.has('nodejs_heap_size_used_bytes')).toBe(true);
  });

  it('counts the sessions that are open: an expired one no longer counts', async () => {
    svc.clock.advance(3600 * 24 * 400);
    const m = await scrape(metrics.registry.metrics());
    expect(value(m, 'cxauth_active_sessions')).toBe(0);
  });
});

describe('a scrape while the database does not answer', () => {
  it('answers within its bound with cxauth_database_up 0 and every other series', async () => {
    const metrics = createServiceMetrics();
    const hanging = {
      sessions: { countActive: () => new Promise<number>(() => undefined) },
      pool: () => ({ total: 10, idle: 0, waiting: 3 }),
    } as unknown as Pick<Storage, 'sessions' | 'pool'>;
    metrics.watch({ storage: hanging, keyStatuses: () => [], clock: () => new Date() });
    metrics.route('token').observe(200, null, 0.002);
    const started = performance.now();
    const m = await scrape(metrics.registry.metrics());
    expect(performance.now() - started).toBeLessThan(SESSION_COUNT_TIMEOUT_MS + 500);
    expect(value(m, 'cxauth_database_up')).toBe(0);
    expect(value(m, 'cxauth_db_pool_connections')).toBe(10);
    expect(value(m, 'cxauth_db_pool_waiting')).toBe(3);
    expect(value(m, 'cxauth_http_requests_total', { route: 'token', status_class: '2xx' })).toBe(1);
  });

  it('reports a failing count the same way', async () => {
    const metrics = createServiceMetrics();
    const failing = {
      sessions: { countActive: () => Promise.reject(new Error('connection refused')) },
    } as unknown as Pick<Storage, 'sessions' | 'pool'>;
    metrics.watch({ storage: failing, keyStatuses: () => [], clock: () => new Date() });
    const m = await scrape(metrics.registry.metrics());
    expect(value(m, 'cxauth_database_up')).toBe(0);
    expect(m.has('cxauth_db_pool_connections')).toBe(false);
  });
});
