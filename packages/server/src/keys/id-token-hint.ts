// Reading an id_token this issuer signed, as logout's `id_token_hint`: the signature and issuer are
// checked against the keys published now, but not its expiry (RFC-initiated logout accepts hints
// that have expired). Access tokens are never checked here: they go through KeyRing.verifier.
import crypto from 'node:crypto';

interface Jwk {
  kty?: string;
  kid?: string;
  n?: string;
  e?: string;
}

const decodeJson = (segment: string): Record<string, unknown> | undefined => {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
};

/**
 * The claims of `token` when it is a JWT signed (RS256) by one of `jwks`'s keys with `iss` equal to
 * `issuer` and `typ` JWT (an id_token, not an access token); otherwise undefined.
 * @see OpenID Connect RP-Initiated Logout 1.0 §2 (`id_token_hint`), RFC 7515 §5.2
 */
export function readIdTokenHint(
  token: string,
  jwksJson: string,
  issuer: string,
): Record<string, unknown> | undefined {
  if (token.length > 8192) return undefined;
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [head, body, signature] = parts as [string, string, string];
  const header = decodeJson(head);
  if (header?.['alg'] !== 'RS256' || header['typ'] !== 'JWT' || typeof header['kid'] !== 'string')
    return undefined;
  const jwk = (JSON.parse(jwksJson) as { keys: Jwk[] }).keys.find((k) => k.kid === header['kid']);
  if (jwk?.kty !== 'RSA' || !jwk.n || !jwk.e) return undefined;
  let ok = false;
  try {
    const key = crypto.createPublicKey({ key: { kty: 'RSA', n: jwk.n, e: jwk.e }, format: 'jwk' });
    ok = crypto.verify('sha256', Buffer.from(`${head}.${body}`), key, Buffer.from(signature, 'base64url'));
  } catch {
    return undefined;
  }
  const claims = ok ? decodeJson(body) : undefined;
  return claims?.['iss'] === issuer ? claims : undefined;
}
