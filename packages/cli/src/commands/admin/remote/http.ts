// The admin REST API (docs/admin-api.md) as `cxauth admin --server` sees it: JSON requests with a
// bearer token, lists followed through their `Link: rel="next"` pages, and every failure turned into
// the CLI's one-line message and exit code (problem `detail` → 1, 401/403 → log in, unreachable → 3).
import { CliError, EXIT } from '../../../io.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** The largest page the API hands out; lists are read whole, page after page. */
const PAGE_LIMIT = 200;

/** What a remote admin command calls: one request, or a whole list. */
export interface AdminApi {
  readonly server: string;
  call(method: Method, path: string, body?: unknown): Promise<unknown>;
  /** Every item of a list, following `rel="next"` until it is absent (or `max` items are read). */
  list(path: string, query?: Record<string, string | undefined>, max?: number): Promise<unknown[]>;
}

/** A source of bearer tokens: `token()` for each request, `renew()` once after a 401 (if it can). */
export interface TokenSource {
  token(): Promise<string | undefined>;
  renew?(): Promise<string | undefined>;
}

/** `/admin/v1` of the server, from `--server URL` (its origin, or already ending in /admin/v1). */
export function adminBase(server: string): string {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new CliError(`--server must be a URL such as http://127.0.0.1:8080, not "${server}"`, EXIT.usage);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CliError(`--server must be an http or https URL, not "${server}"`, EXIT.usage);
  }
  const base = url.href.replace(/\/+$/, '');
  return base.endsWith('/admin/v1') ? base : `${base}/admin/v1`;
}

/** The next page's URL of an RFC 8288 `Link` header, if any. */
function nextLink(header: string | null): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(',')) {
    const m = /<([^>]*)>\s*;\s*rel="?next"?/i.exec(part);
    if (m) return m[1];
  }
  return undefined;
}

async function problemDetail(res: Response): Promise<string | undefined> {
  try {
    const body = (await res.json()) as { detail?: unknown };
    return typeof body.detail === 'string' && body.detail !== '' ? body.detail : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The failure of a response as the CLI reports it. The problem's `detail` is written by the API for
 * people and holds no internals (docs/admin-api.md, "Problem details"); only its first line is kept.
 * @see RFC 9457 §3.1.4 (detail)
 */
async function failure(res: Response, server: string): Promise<CliError> {
  const detail = (await problemDetail(res))?.split('\n')[0];
  if (res.status === 401 || res.status === 403) {
    return new CliError(
      `${detail ?? res.statusText}: log in with an account allowed to administer ` +
        `(cxauth login --issuer ${server} --scope "openid admin", then --profile), ` +
        'or set CXAUTH_ADMIN_TOKEN',
      EXIT.failed,
    );
  }
  if (res.status >= 400 && res.status < 500 && detail) return new CliError(detail, EXIT.failed);
  return new CliError(`the admin API at ${server} answered ${res.status} ${res.statusText}`, EXIT.failed);
}

/** The admin API of `server` with tokens from `tokens`; `timeoutMs` bounds each request. */
export function adminApi(server: string, tokens: TokenSource, timeoutMs = 30_000): AdminApi {
  const base = adminBase(server);
  const origin = new URL(base).origin;

  async function send(method: Method, url: string, body: unknown, token: string | undefined) {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (token) headers['authorization'] = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    try {
      return await fetch(url, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        redirect: 'error',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch {
      // The cause (refused, DNS, TLS, timeout) is the network's: no answer came from the API.
      throw new CliError(`cannot reach the admin API at ${base}`, EXIT.unreachable);
    }
  }

  async function request(method: Method, url: string, body?: unknown): Promise<Response> {
    // A link the server hands back must stay on the server the token was meant for.
    if (new URL(url).origin !== origin) throw new CliError(`the admin API linked away to ${url}`);
    let res = await send(method, url, body, await tokens.token());
    if (res.status === 401 && tokens.renew) {
      const renewed = await tokens.renew();
      if (renewed) res = await send(method, url, body, renewed);
    }
    if (!res.ok) throw await failure(res, origin);
    return res;
  }

  return {
    server: origin,
    async call(method, path, body) {
      const res = await request(method, `${base}${path}`, body);
      if (res.status === 204) return undefined;
      return res.json();
    },
    async list(path, query = {}, max = Number.POSITIVE_INFINITY) {
      const url = new URL(`${base}${path}`);
      url.searchParams.set('limit', String(PAGE_LIMIT));
      for (const [name, value] of Object.entries(query))
        if (value !== undefined) url.searchParams.set(name, value);
      const items: unknown[] = [];
      let next: string | undefined = url.href;
      while (next !== undefined && items.length < max) {
        const res = await request('GET', next);
        items.push(...((await res.json()) as { items: unknown[] }).items);
        next = nextLink(res.headers.get('link'));
      }
      return items.slice(0, max);
    },
  };
}
