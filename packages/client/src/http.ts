// One HTTP exchange with a timeout, bounded retries after 429 + Retry-After, and transport failures
// mapped to `network` / `timeout`. Every request of the SDK goes through `send`.
import { createDpopKey, type DpopKey } from './dpop.js';
import { ClientError } from './errors.js';

/** What the SDK needs from its environment; tests inject `fetch`, `now` and `sleep`. */
export interface HttpContext {
  readonly fetch: typeof globalThis.fetch;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  /** Per exchange (request and body), milliseconds. */
  readonly timeoutMs: number;
  /** How many times a 429 is retried before `rate_limited`. */
  readonly maxRetries: number;
  /** The longest Retry-After honoured, milliseconds; a longer one fails at once with `rate_limited`. */
  readonly maxRetryWaitMs: number;
  /** The DPoP key that proofs are made with, when DPoP is on (RFC 9449). */
  readonly dpop?: DpopKey | undefined;
}

/** The tunables of {@link HttpContext} as callers give them (all optional). */
export interface HttpOptions {
  /** Per request, ms (default 10 000). */
  timeoutMs?: number;
  /** Retries after a 429 (default 2) and the longest Retry-After honoured, ms (default 30 000). */
  maxRetries?: number;
  maxRetryWaitMs?: number;
  /** Injected for tests and odd runtimes. */
  fetch?: typeof globalThis.fetch;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /**
   * Bind tokens to a DPoP key (RFC 9449): `true` makes a new non-extractable key for this client,
   * or pass one from `createDpopKey()` to share it between calls (a sign-in and later API calls).
   * Proofs go with token requests and API calls; a `use_dpop_nonce` answer is retried once.
   */
  dpop?: boolean | DpopKey;
}

/** Fills in the defaults; refuses negative or non-finite numbers with `invalid_config`. */
export function httpContext(options: HttpOptions): HttpContext {
  return {
    // Looked up at call time, so a fetch patched later (tests, instrumentation) is honoured.
    fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    now: options.now ?? Date.now,
    sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    timeoutMs: timerMs(nonNegative(options.timeoutMs, 10_000, 'timeoutMs', false), 'timeoutMs'),
    maxRetries: nonNegative(options.maxRetries, 2, 'maxRetries'),
    maxRetryWaitMs: nonNegative(options.maxRetryWaitMs, 30_000, 'maxRetryWaitMs'),
    dpop: options.dpop === true ? createDpopKey() : options.dpop || undefined,
  };
}

/** A validated option: `fallback` when absent; zero allowed unless `zeroOk` is false. */
export function nonNegative(
  value: number | undefined,
  fallback: number,
  name: string,
  zeroOk = true,
): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0 || (!zeroOk && value === 0)) {
    throw new ClientError(
      'invalid_config',
      `${name} must be a ${zeroOk ? 'non-negative' : 'positive'} number`,
    );
  }
  return value;
}

/** Longest delay a Node timer (and so AbortSignal.timeout) takes, ms. */
const MAX_TIMER_MS = 2 ** 32 - 1;

/** A delay AbortSignal.timeout accepts: whole milliseconds (rounded up), at most {@link MAX_TIMER_MS}. */
function timerMs(value: number, name: string): number {
  if (value > MAX_TIMER_MS) {
    throw new ClientError('invalid_config', `${name} must be at most ${MAX_TIMER_MS} ms`);
  }
  return Math.ceil(value);
}

export interface HttpResult {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

export interface SendInit {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

/**
 * Sends one request and reads its body, retrying after `429 Too Many Requests` as its `Retry-After`
 * says, at most `maxRetries` times and never waiting longer than `maxRetryWaitMs`.
 *
 * @throws {ClientError} `network`, `timeout` or `rate_limited`
 * @see https://www.rfc-editor.org/rfc/rfc6585#section-4
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-10.2.3
 */
export async function send(ctx: HttpContext, url: string, init: SendInit): Promise<HttpResult> {
  for (let attempt = 0; ; attempt++) {
    const result = await once(ctx, url, init);
    if (result.status !== 429) return result;
    const wait = retryAfterMs(result.headers.get('retry-after'), ctx.now());
    if (attempt >= ctx.maxRetries || wait > ctx.maxRetryWaitMs) {
      throw new ClientError(
        'rate_limited',
        `${new URL(url).host} answered 429 Too Many Requests ${attempt + 1} time(s)` +
          (wait > ctx.maxRetryWaitMs ? ` and asked to wait ${Math.ceil(wait / 1000)} s` : ''),
        { status: 429, body: parseMaybeJson(result.text) },
      );
    }
    await ctx.sleep(wait);
  }
}

async function once(ctx: HttpContext, url: string, init: SendInit): Promise<HttpResult> {
  const timeout = AbortSignal.timeout(ctx.timeoutMs);
  const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
  try {
    const response = await ctx.fetch(url, {
      method: init.method,
      headers: init.headers,
      ...(init.body === undefined ? {} : { body: init.body }),
      signal,
      // Never follow: a redirect would carry the client password or bearer token to another URL.
      redirect: 'manual',
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text };
  } catch (cause) {
    if (init.signal?.aborted) throw cause;
    const host = new URL(url).host;
    if (timeout.aborted || (cause as { name?: unknown })?.name === 'TimeoutError') {
      throw new ClientError('timeout', `${host} did not answer within ${ctx.timeoutMs} ms`, { cause });
    }
    throw new ClientError('network', `could not reach ${host}${reason(cause)}`, { cause });
  }
}

/** The undici cause code (ECONNREFUSED, ENOTFOUND…) that says why, without the request. */
function reason(cause: unknown): string {
  const inner = (cause as { cause?: { code?: unknown; message?: unknown } })?.cause;
  if (typeof inner?.code === 'string') return ` (${inner.code})`;
  if (typeof inner?.message === 'string') return ` (${inner.message})`;
  return '';
}

/** Milliseconds to wait from a Retry-After value: delta-seconds or an HTTP-date; 1 s when absent. */
export function retryAfterMs(value: string | null, now: number): number {
  if (value === null || value.trim() === '') return 1000;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? 1000 : Math.max(0, date - now);
}

/** JSON when the text is JSON, else the text itself (or undefined when empty). */
export function parseMaybeJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
