// The URL a request was made at, as a DPoP proof's `htu` names it: the origin and the path, without
// the query (RFC 9449 §4.3).

/** `origin` (no trailing slash) joined with the path of `url` (a request target), its query dropped. */
export function requestUrl(origin: string, url: string): string {
  const query = url.indexOf('?');
  const path = query < 0 ? url : url.slice(0, query);
  return origin.endsWith('/') ? `${origin.slice(0, -1)}${path}` : `${origin}${path}`;
}
