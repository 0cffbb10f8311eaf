// How long a fetched document stays fresh by its own response headers: the JWKS says how long a key
// set may be kept, and a verifier keeping it longer can meet a rotated key before it has fetched it.

/**
 * The freshness left to a response, in milliseconds: its `Cache-Control: max-age` less its `Age`,
 * 0 for `no-cache` or `no-store`, undefined when the headers set no lifetime (the caller's default
 * then applies). A malformed `max-age` counts as none.
 * @see RFC 9111 §4.2.1, §4.2.3, §5.2.2.1
 */
export function freshnessMs(headers: Headers): number | undefined {
  const value = headers.get('cache-control');
  if (value === null) return undefined;
  let maxAge: number | undefined;
  for (const part of value.split(',')) {
    const [rawName = '', ...rest] = part.split('=');
    const name = rawName.trim().toLowerCase();
    if (name === 'no-cache' || name === 'no-store') return 0;
    if (name !== 'max-age' || rest.length !== 1) continue;
    // delta-seconds is 1*DIGIT; a quoted form is tolerated as RFC 9111 §5.2 allows recipients to.
    const digits = (rest[0] ?? '').trim().replace(/^"(.*)"$/, '$1');
    if (/^\d+$/.test(digits)) maxAge = Math.min(maxAge ?? Number.POSITIVE_INFINITY, Number(digits));
  }
  if (maxAge === undefined) return undefined;
  const age = Number(headers.get('age') ?? '0');
  const used = Number.isFinite(age) && age > 0 ? age : 0;
  return Math.max(0, maxAge - used) * 1000;
}
