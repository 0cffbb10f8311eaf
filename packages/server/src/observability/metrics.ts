// The service's metrics (prom-client, the one module that imports it): requests and outcomes per route
// and grant, latency, throttling, purge failures, and — read when scraped — sessions, signing keys and
// the database pool (docs/operations.md "Metrics"). Each process keeps its own registry, so tests and embedders can
// build many servers.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { SigningKey, SigningKeyState } from '../domain/types.js';
import type { PoolStats, Storage } from '../storage/contract/index.js';

/** Seconds; from a cached token grant (~1 ms) to a slow database. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** The longest a scrape waits for the count of active sessions, ms. */
export const SESSION_COUNT_TIMEOUT_MS = 1000;

const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;

/**
 * One signing key's state as the key series read it: what keys/states.ts KeyStatus gives, declared
 * here so metrics depend on the shape they read, not on the key ring.
 */
export interface KeyGaugeSource {
  readonly key: Pick<SigningKey, 'kid' | 'alg' | 'publishAt'>;
  readonly state: SigningKeyState;
}

/** What the scrape-time series read: storage, the signing keys' states, the time. */
export interface MetricSources {
  readonly storage: Pick<Storage, 'sessions' | 'pool'>;
  readonly keyStatuses: () => readonly KeyGaugeSource[];
  readonly clock: () => Date;
}

/** The counters of one route: its latency, and per status class and error code its requests. */
export interface RouteSeries {
  observe(status: number, error: string | null, seconds: number): void;
}

/** Per grant type: its outcomes (`success` or the OAuth error code). */
export interface GrantSeries {
  count(outcome: string): void;
}

/** The metrics of one service process. */
export interface ServiceMetrics {
  readonly registry: Registry;
  /** The series of a route name (or `unmatched`), cached: call once per route, not per request. */
  route(name: string): RouteSeries;
  grant(grantType: string): GrantSeries;
  /** Counts one throttled attempt for each kind of counter delaying it (throttling/throttle.ts kinds). */
  throttled(kind: string): void;
  /**
   * The purge's failures by kind: `known` starts each kind at 0 (so a rate is defined from the first
   * scrape), `failed` counts one purger that stopped on an error in a run.
   */
  readonly purge: { known(kinds: readonly string[]): void; failed(kind: string): void };
  /** Gives the scrape-time series their sources (createServer calls it once). */
  watch(sources: MetricSources): void;
  /**
   * Webhook deliveries (docs/webhooks.md): `attempted` counts one attempt by outcome (delivered,
   * retry, failed); `watch` gives the queue's gauges (depth, age of the oldest) their source.
   */
  readonly webhooks: {
    attempted(outcome: string): void;
    watch(queue: () => Promise<WebhookQueueSource>, clock: () => Date): void;
  };
  /** Mail sent from the outbox (docs/people.md): one attempt by template and outcome (sent, retry, failed). */
  readonly mail: { attempted(template: string, outcome: string): void };
}

/** The outbox as the webhook gauges read it: deliveries waiting, and when the oldest was written. */
export interface WebhookQueueSource {
  readonly depth: number;
  readonly oldest: Date | null;
}

/** A promise that rejects after `ms` (the timer does not keep the process alive). */
function within<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** The value of `key` in `map`, made and kept on first use. */
function memo<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  const found = map.get(key);
  if (found !== undefined) return found;
  const made = make();
  map.set(key, made);
  return made;
}

/** A two-level cache of label children, so a request builds no label string (nor a closure). */
function cached<T>(make: (a: string, b: string) => T): (a: string, b: string) => T {
  const outer = new Map<string, Map<string, T>>();
  return (a, b) => {
    const hit = outer.get(a)?.get(b);
    if (hit !== undefined) return hit;
    return memo(
      memo(outer, a, () => new Map<string, T>()),
      b,
      () => make(a, b),
    );
  };
}

/** The scrape-time series: sessions and database reachability, signing keys, the pool. */
function scrapeSeries(registry: Registry, source: () => MetricSources | undefined): void {
  // One read per scrape, shared: the sessions gauge starts it (it is collected first), the
  // reachability gauge reports how it ended.
  let read: Promise<boolean> = Promise.resolve(false);
  new Gauge({
    name: 'cxauth_active_sessions',
    help: 'Sessions neither revoked nor expired (the last value read; see cxauth_database_up).',
    registers: [registry],
    async collect() {
      const sources = source();
      if (!sources) return;
      const count = sources.storage.sessions.countActive(sources.clock(), SESSION_COUNT_TIMEOUT_MS);
      read = within(count, SESSION_COUNT_TIMEOUT_MS).then(
        (n) => {
          this.set(n);
          return true;
        },
        // A scrape never fails for the database: the other series are still worth having.
        () => false,
      );
      await read;
    },
  });
  new Gauge({
    name: 'cxauth_database_up',
    help: 'Whether the database answered the last scrape within its bound (1) or not (0).',
    registers: [registry],
    async collect() {
      this.set((await read) ? 1 : 0);
    },
  });
  new Gauge({
    name: 'cxauth_signing_key_age_seconds',
    help: 'Seconds since each signing key not yet removed was published, by kid, alg and state.',
    labelNames: ['kid', 'alg', 'state'],
    registers: [registry],
    collect() {
      this.reset();
      const sources = source();
      if (!sources) return;
      const now = sources.clock().getTime();
      for (const s of sources.keyStatuses()) {
        if (s.state === 'removed') continue;
        const age = Math.max(0, (now - s.key.publishAt.getTime()) / 1000);
        this.labels(s.key.kid, s.key.alg, s.state).set(age);
      }
    },
  });
  new Gauge({
    name: 'cxauth_signing_keys',
    help: 'Signing keys by state (published, signing, retired, removed).',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const sources = source();
      if (!sources) return;
      const counts = { published: 0, signing: 0, retired: 0, removed: 0 };
      for (const s of sources.keyStatuses()) counts[s.state] += 1;
      for (const [state, n] of Object.entries(counts)) this.labels(state).set(n);
    },
  });
}

/** The webhook outbox's gauges, read once per scrape (bounded: a slow database fails no scrape). */
function webhookQueueSeries(
  registry: Registry,
  queue: () => Promise<WebhookQueueSource>,
  clock: () => Date,
): void {
  let read: Promise<WebhookQueueSource | undefined> = Promise.resolve(undefined);
  new Gauge({
    name: 'cxauth_webhook_queue_depth',
    help: 'Webhook deliveries waiting for an attempt or a retry.',
    registers: [registry],
    async collect() {
      read = within(queue(), SESSION_COUNT_TIMEOUT_MS).catch(() => undefined);
      const q = await read;
      if (q) this.set(q.depth);
    },
  });
  new Gauge({
    name: 'cxauth_webhook_oldest_age_seconds',
    help: 'Seconds since the event of the oldest webhook delivery still waiting (0 when none waits).',
    registers: [registry],
    async collect() {
      const q = await read;
      if (!q) return;
      this.set(q.oldest ? Math.max(0, (clock().getTime() - q.oldest.getTime()) / 1000) : 0);
    },
  });
}

/** The pool series, registered only where there is a pool (PostgreSQL). */
function poolSeries(registry: Registry, stats: () => PoolStats): void {
  const gauge = (name: string, help: string, read: (p: PoolStats) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read(stats()));
      },
    });
  gauge('cxauth_db_pool_connections', 'Connections the PostgreSQL pool holds open.', (p) => p.total);
  gauge('cxauth_db_pool_idle', 'Open PostgreSQL connections not in use.', (p) => p.idle);
  gauge('cxauth_db_pool_waiting', 'Queries waiting for a PostgreSQL connection.', (p) => p.waiting);
}

/**
 * Builds the metrics of a service process, with Node's default process metrics. Pool series appear
 * only over PostgreSQL (SQLite has one connection and no pool).
 */
export function createServiceMetrics(): ServiceMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'cxauth_http_requests_total',
    help: 'Requests answered, by route name, status class and OAuth error code (empty on success).',
    labelNames: ['route', 'status_class', 'error'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'cxauth_http_request_duration_seconds',
    help: 'Time from receiving a request to the end of its response, by route name.',
    labelNames: ['route'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const grants = new Counter({
    name: 'cxauth_token_requests_total',
    help: 'Token requests by grant_type and outcome (success, or the OAuth error code).',
    labelNames: ['grant_type', 'outcome'],
    registers: [registry],
  });
  const throttled = new Counter({
    name: 'cxauth_throttled_total',
    help: 'Attempts refused with 429 while throttled, by the kind of counter delaying them.',
    labelNames: ['kind'],
    registers: [registry],
  });
  const purgeFailures = new Counter({
    name: 'cxauth_purge_failures_total',
    help: 'Purger runs that stopped on an error, by kind of record (each is tried again the next run).',
    labelNames: ['kind'],
    registers: [registry],
  });
  const webhookDeliveries = new Counter({
    name: 'cxauth_webhook_deliveries_total',
    help: 'Webhook delivery attempts by outcome: delivered, retry (failed, tried again later), failed (given up).',
    labelNames: ['outcome'],
    registers: [registry],
  });
  for (const outcome of ['delivered', 'retry', 'failed']) webhookDeliveries.labels(outcome).inc(0);
  const mailDeliveries = new Counter({
    name: 'cxauth_mail_deliveries_total',
    help: 'Mail delivery attempts by template and outcome: sent, retry (failed, tried again later), failed (given up).',
    labelNames: ['template', 'outcome'],
    registers: [registry],
  });
  for (const template of ['password_reset', 'password_changed', 'invitation', 'email_verification']) {
    for (const outcome of ['sent', 'retry', 'failed']) mailDeliveries.labels(template, outcome).inc(0);
  }
  let webhookQueueWatched = false;
  let sources: MetricSources | undefined;
  scrapeSeries(registry, () => sources);

  const routes = new Map<string, RouteSeries>();
  const makeRoute = (name: string): RouteSeries => {
    const histogram = latency.labels(name);
    const child = cached((cls, error) => requests.labels(name, cls, error));
    return {
      observe(status, error, seconds) {
        histogram.observe(seconds);
        child(STATUS_CLASSES[Math.trunc(status / 100) - 1] ?? '5xx', error ?? '').inc();
      },
    };
  };
  const grantSeries = new Map<string, GrantSeries>();
  return {
    registry,
    route: (name) => memo(routes, name, () => makeRoute(name)),
    grant: (grantType) =>
      memo(grantSeries, grantType, () => {
        const child = cached((outcome) => grants.labels(grantType, outcome));
        return { count: (outcome) => child(outcome, '').inc() };
      }),
    throttled: (kind) => throttled.labels(kind).inc(),
    purge: {
      known: (kinds) => {
        for (const kind of kinds) purgeFailures.labels(kind).inc(0);
      },
      failed: (kind) => purgeFailures.labels(kind).inc(),
    },
    webhooks: {
      attempted: (outcome) => webhookDeliveries.labels(outcome).inc(),
      watch(queue, clock) {
        if (webhookQueueWatched) return;
        webhookQueueWatched = true;
        webhookQueueSeries(registry, queue, clock);
      },
    },
    mail: { attempted: (template, outcome) => mailDeliveries.labels(template, outcome).inc() },
    watch(given) {
      if (sources) throw new Error('these metrics already watch a service');
      sources = given;
      if (given.storage.pool) poolSeries(registry, given.storage.pool);
    },
  };
}
