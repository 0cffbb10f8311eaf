// Fetching the issuer's JSON documents (discovery, JWKS): a timeout, a size cap, and errors that say
// which URL failed without echoing its body.

/** The `fetch` this package calls; injectable for tests and custom agents. */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface FetchJsonOptions {
  fetch: FetchLike;
  /** Milliseconds for the whole exchange, body included. */
  timeoutMs: number;
  /** Largest body accepted, in bytes. */
  maxBytes: number;
}

/** GETs `url` and parses its JSON body; rejects on a timeout, a non-2xx status, or an oversized body. */
export async function fetchJson(url: string, options: FetchJsonOptions): Promise<unknown> {
  const response = await options.fetch(url, {
    headers: { accept: 'application/json' },
    signal: AbortSignal.timeout(options.timeoutMs),
  });
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    throw new Error(`GET ${url} answered ${response.status}`);
  }
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > options.maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new Error(`GET ${url}: body larger than ${options.maxBytes} bytes`);
  }
  const text = await response.text();
  if (text.length > options.maxBytes)
    throw new Error(`GET ${url}: body larger than ${options.maxBytes} bytes`);
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new Error(`GET ${url}: body is not JSON`, { cause: err });
  }
}
