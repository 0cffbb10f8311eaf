// Load for the HA test, as clients behave: password grants that open sessions and refresh chains that
// rotate them, spread over the cxauth nodes; a 503 is retried after its Retry-After with the same
// request (the same refresh token), as RFC 9110 §10.2.3 invites. Every answer is recorded, and every
// acknowledged refresh token is judged afterwards.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { tokenHeaders } from '../../bench/lib/cxauth.js';

const CHAIN_LENGTH = 6;
/** How long a client keeps retrying one request through 503s, ms. */
const CLIENT_PATIENCE_MS = 40_000;

async function post(issuer, creds, form) {
  const t0 = performance.now();
  try {
    const res = await fetch(`${issuer}/auth/token`, {
      method: 'POST',
      headers: tokenHeaders(creds),
      body: new URLSearchParams(form).toString(),
      signal: AbortSignal.timeout(20_000),
    });
    const body = await res.json().catch(() => ({}));
    return {
      t0,
      t1: performance.now(),
      status: res.status,
      body,
      retryAfter: Number(res.headers.get('retry-after')),
    };
  } catch (err) {
    return { t0, t1: performance.now(), status: 0, body: { error: err.cause?.code ?? err.name } };
  }
}

const passwordForm = (creds) => ({
  grant_type: 'password',
  username: creds.accessKeyId,
  password: creds.accessKeySecret,
});
const refreshForm = (token) => ({ grant_type: 'refresh_token', refresh_token: token });

/**
 * Starts `workers` clients over `issuers`; `stop()` ends them and resolves with what they saw:
 * `answers` (every HTTP answer: kind, start, end, status), `chains` (each session's acknowledged refresh
 * tokens, and whether a retry after a 503 found the session gone) and `failed` operations.
 */
export function startLoad({ issuers, creds, workers = 6 }) {
  let stopped = false;
  const answers = [];
  const chains = [];
  let failed = 0;
  let spentAfter503 = 0;
  let turn = 0;

  /** One operation: retried after 503 or a network error, within the client's patience. */
  const operation = async (kind, form) => {
    const start = performance.now();
    let saw503 = false;
    for (;;) {
      const issuer = issuers[turn++ % issuers.length];
      const r = await post(issuer, creds, form);
      answers.push({ kind, t0: r.t0, t1: r.t1, status: r.status });
      if (r.status === 200) return { ...r, saw503 };
      if (r.status !== 503 && r.status !== 0) return { ...r, saw503 };
      saw503 = true;
      if (performance.now() - start > CLIENT_PATIENCE_MS) return { ...r, saw503 };
      await sleep(1000 * (r.retryAfter || 1));
    }
  };

  const worker = async () => {
    let chain;
    while (!stopped) {
      if (!chain || chain.tokens.length >= CHAIN_LENGTH) {
        const r = await operation('password', passwordForm(creds));
        if (r.status !== 200) {
          failed++;
          continue;
        }
        chain = { tokens: [r.body.refresh_token], lost: false };
        chains.push(chain);
        continue;
      }
      const r = await operation('refresh', refreshForm(chain.tokens.at(-1)));
      if (r.status === 200) {
        chain.tokens.push(r.body.refresh_token);
        continue;
      }
      failed++;
      if (r.status === 400) {
        // The retry of a token whose rotation was answered 503: the session is gone.
        chain.lost = true;
        if (r.saw503) spentAfter503++;
        chain = undefined;
      }
    }
  };
  const running = Array.from({ length: workers }, worker);
  return {
    async stop() {
      stopped = true;
      await Promise.all(running);
      return { answers, chains, failed, spentAfter503 };
    },
  };
}

/**
 * Judges every session the load opened: its last acknowledged refresh token must refresh once more
 * (nothing acknowledged was lost), and no refresh token was handed out twice (nothing applied twice).
 */
export async function judge({ issuer, creds, chains }) {
  let ok = 0;
  let lost = 0;
  const seen = new Set();
  let duplicates = 0;
  for (const chain of chains) {
    for (const t of chain.tokens) {
      if (seen.has(t)) duplicates++;
      seen.add(t);
    }
  }
  const pending = chains.filter((c) => !c.lost);
  for (let i = 0; i < pending.length; i += 8) {
    const batch = pending.slice(i, i + 8);
    const results = await Promise.all(batch.map((c) => post(issuer, creds, refreshForm(c.tokens.at(-1)))));
    for (const r of results) {
      if (r.status === 200) ok++;
      else lost++;
    }
  }
  return {
    sessions: chains.length,
    tokensAcknowledged: seen.size + duplicates,
    lastTokensJudged: pending.length,
    lastTokensWorking: ok,
    lastTokensLost: lost,
    sessionsEndedByRetry: chains.length - pending.length,
    duplicates,
  };
}

/** What the clients saw around an event at `at` (performance.now() ms) until `until`. */
export function around(answers, at, until) {
  const during = answers.filter((a) => a.t1 >= at && a.t0 <= until);
  const statuses = {};
  for (const a of during) statuses[a.status] = (statuses[a.status] ?? 0) + 1;
  const firstOk = answers
    .filter((a) => a.t0 >= at && a.status === 200)
    .reduce((min, a) => Math.min(min, a.t1 - at), Number.POSITIVE_INFINITY);
  const slowest = during.reduce((max, a) => Math.max(max, a.t1 - a.t0), 0);
  const slowestNot200 = during
    .filter((a) => a.status !== 200)
    .reduce((max, a) => Math.max(max, a.t1 - a.t0), 0);
  return {
    answers: during.length,
    statuses,
    notOk: during.filter((a) => a.status !== 200).length,
    firstOkAfterMs: Number.isFinite(firstOk) ? Math.round(firstOk) : null,
    slowestMs: Math.round(slowest),
    slowestNotOkMs: Math.round(slowestNot200),
  };
}

/** Password grants per second through one node, `concurrency` clients for `seconds`. */
export async function throughput({ issuer, creds, seconds = 8, concurrency = 8 }) {
  const end = performance.now() + seconds * 1000;
  const latencies = [];
  let errors = 0;
  const client = async () => {
    while (performance.now() < end) {
      const r = await post(issuer, creds, passwordForm(creds));
      if (r.status === 200) latencies.push(r.t1 - r.t0);
      else errors++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  latencies.sort((a, b) => a - b);
  const q = (p) =>
    Math.round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0);
  return { perSecond: Math.round(latencies.length / seconds), p50Ms: q(0.5), p99Ms: q(0.99), errors };
}
