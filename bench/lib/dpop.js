// DPoP on the regional API (RFC 9449 §7): a token bound to an ES256 key by the password grant, and
// GET server-time with `Authorization: DPoP` and a fresh proof per request (each jti is accepted once).
// Proofs are signed before each round, so the load generator's signing (a client's cost, not the
// server's) stays out of the measured window; past the pool, proofs are signed inline.
import { createHash, generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { passwordForm, SERVER_TIME, tokenHeaders } from './cxauth.js';
import { http } from './measurements.js';

/** Proofs signed ahead per second of a round: above the throughput DPoP reaches on this machine. */
const PROOFS_PER_SECOND = 25_000;
const MAX_POOL = 200_000;

const part = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A key of `alg` (ES256 or RS256) and the proofs it signs for one method and URL (and access token, for `ath`). */
function proofSigner(alg) {
  const { privateKey, publicKey } =
    alg === 'RS256'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const { kty, crv, x, y, n, e } = publicKey.export({ format: 'jwk' });
  const jwk = alg === 'RS256' ? { kty, n, e } : { kty, crv, x, y };
  const header = part({ typ: 'dpop+jwt', alg, jwk });
  const key = alg === 'RS256' ? privateKey : { key: privateKey, dsaEncoding: 'ieee-p1363' };
  return (htm, htu, accessToken) => {
    const claims = { jti: randomUUID(), htm, htu, iat: Math.floor(Date.now() / 1000) };
    if (accessToken) claims.ath = createHash('sha256').update(accessToken).digest('base64url');
    const input = `${header}.${part(claims)}`;
    const signature = sign('sha256', Buffer.from(input), key);
    return `${input}.${signature.toString('base64url')}`;
  };
}

/** A DPoP-bound access token of the demo access key at `issuer`, and the signer of its key (`alg`). */
export async function dpopToken(issuer, creds, alg = 'ES256') {
  const proof = proofSigner(alg);
  const res = await fetch(`${issuer}/auth/token`, {
    method: 'POST',
    headers: { ...tokenHeaders(creds), dpop: proof('POST', `${issuer}/auth/token`) },
    body: passwordForm(creds),
    signal: AbortSignal.timeout(10_000),
  });
  const body = await res.json().catch(() => ({}));
  if (!res.ok || body.token_type !== 'DPoP') {
    throw new Error(`DPoP token request failed: HTTP ${res.status} ${body.error ?? body.token_type ?? ''}`);
  }
  return { accessToken: body.access_token, proof };
}

/** GET server-time on the regional API `target` ({pid, api}) with DPoP and a new proof per request. */
export function dpopServerTime(id, label, target, dpop, proofsPerSecond = PROOFS_PER_SECOND) {
  const url = `${target.api}${SERVER_TIME}`;
  const authorization = `DPoP ${dpop.accessToken}`;
  const make = () => dpop.proof('GET', url, dpop.accessToken);
  let pool = [];
  const request = {
    method: 'GET',
    path: SERVER_TIME,
    setupRequest: (req) => {
      req.headers = { ...req.headers, authorization, dpop: pool.pop() ?? make() };
      return req;
    },
  };
  const measurement = http({
    id,
    label,
    server: { pid: target.pid, url: target.api },
    request,
    check: async () => {
      const res = await fetch(url, {
        headers: { authorization, dpop: make() },
        signal: AbortSignal.timeout(10_000),
      });
      const body = await res.json().catch(() => undefined);
      if (!res.ok || !/Z$/.test(body?.ServerTime ?? '')) {
        throw new Error(`${url} answered HTTP ${res.status} ${JSON.stringify(body)?.slice(0, 200)}`);
      }
    },
  });
  return {
    ...measurement,
    run: async (options) => {
      pool = Array.from({ length: Math.min(MAX_POOL, Math.ceil(options.duration * proofsPerSecond)) }, make);
      try {
        return await measurement.run(options);
      } finally {
        pool = [];
      }
    },
  };
}
