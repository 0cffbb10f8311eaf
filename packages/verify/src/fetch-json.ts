// Fetching the issuer's JSON documents (discovery, JWKS, the revocation feed): a timeout, a size cap,
// and errors that say which URL failed without echoing its body.

/** The `fetch` this package calls; injectable for tests and custom agents. */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface FetchJsonOptions {
  fetch: FetchLike;
  /** Milliseconds for the whole exchange, body included. */
  timeoutMs: number;
  /** Largest body accepted, in bytes. */
  maxBytes: number;
}

/** A parsed JSON body with the response headers it came with (for `Cache-Control`). */
export interface FetchedJson {
  body: unknown;
  headers: Headers;
}

/**
 * GETs `url` and parses its JSON body, keeping the response headers; rejects on a timeout, a non-2xx
 * status, or an oversized body.
 */
export async function fetchJsonResponse(url: string, options: FetchJsonOptions): Promise<FetchedJson> {
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
    return { body: JSON.parse(text) as unknown, headers: response.headers };
  } catch (err) {
    throw new Error(`GET ${url}: body is not JSON`, { cause: err });
  }
}

/** GETs `url` and parses its JSON body; rejects on a timeout, a non-2xx status, or an oversized body. */
export async function fetchJson(url: string, options: FetchJsonOptions): Promise<unknown> {
  return (await fetchJsonResponse(url, options)).body;
}
