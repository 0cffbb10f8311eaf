// DPoP for the SDK (RFC 9449): one ES256 key pair per client, generated with WebCrypto and not
// extractable (the private key cannot be exported, in browsers or in Node), proofs for the token
// endpoint and for API calls (`ath`), and the server nonces learnt from `DPoP-Nonce` answers.
// Browser-safe: WebCrypto, TextEncoder and btoa only.

/** A DPoP key and the nonces servers gave it. Create one with {@link createDpopKey}. */
export interface DpopKey {
  /**
   * A proof for one request: `htm` and `htu` (its query and fragment dropped), `ath` when an access
   * token goes with it, and the nonce last learnt from that origin.
   * @see RFC 9449 §4.2
   */
  proof(method: string, url: string, accessToken?: string): Promise<string>;
  /** Remembers the `DPoP-Nonce` of an answer from `url`'s origin (RFC 9449 §8). */
  learnNonce(url: string, headers: Headers): void;
  /** The RFC 7638 thumbprint of the public key: `cnf.jkt`, and `dpop_jkt` of an authorization request. */
  thumbprint(): Promise<string>;
}

const encoder = new TextEncoder();

function base64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const jsonPart = (value: unknown) => base64Url(encoder.encode(JSON.stringify(value)));

async function sha256(text: string): Promise<string> {
  return base64Url(new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text))));
}

interface Keys {
  readonly privateKey: CryptoKey;
  readonly jwk: { kty: 'EC'; crv: 'P-256'; x: string; y: string };
}

/**
 * A new DPoP key: ES256 (P-256), its private half generated non-extractable, so neither script nor
 * a heap dump can copy it out in a usable form. The pair is made on first use.
 * @example
 * const dpop = createDpopKey();
 * const client = createClient({ issuer, clientId, clientSecret, accessKeyId, accessKeySecret, dpop });
 * @see RFC 9449 §2, W3C Web Cryptography API (`extractable`)
 */
export function createDpopKey(): DpopKey {
  let keys: Promise<Keys> | undefined;
  const nonces = new Map<string, string>();
  const load = (): Promise<Keys> => {
    keys ??= (async () => {
      const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, [
        'sign',
        'verify',
      ])) as CryptoKeyPair;
      // A public key is always exportable; only its public members are sent.
      const { x, y } = (await crypto.subtle.exportKey('jwk', pair.publicKey)) as { x: string; y: string };
      return { privateKey: pair.privateKey, jwk: { kty: 'EC', crv: 'P-256', x, y } };
    })();
    return keys;
  };
  return {
    async proof(method, url, accessToken) {
      const { privateKey, jwk } = await load();
      const target = new URL(url);
      const htu = `${target.protocol}//${target.host}${target.pathname}`;
      const nonce = nonces.get(target.origin);
      const payload = {
        jti: crypto.randomUUID(),
        htm: method.toUpperCase(),
        htu,
        iat: Math.floor(Date.now() / 1000),
        ...(accessToken === undefined ? {} : { ath: await sha256(accessToken) }),
        ...(nonce === undefined ? {} : { nonce }),
      };
      const input = `${jsonPart({ typ: 'dpop+jwt', alg: 'ES256', jwk })}.${jsonPart(payload)}`;
      // WebCrypto's ECDSA signature is r||s, the JWS form (RFC 7518 §3.4).
      const signature = await crypto.subtle.sign(
        { name: 'ECDSA', hash: 'SHA-256' },
        privateKey,
        encoder.encode(input),
      );
      return `${input}.${base64Url(new Uint8Array(signature))}`;
    },
    learnNonce(url, headers) {
      const nonce = headers.get('dpop-nonce');
      if (nonce) nonces.set(new URL(url).origin, nonce);
    },
    async thumbprint() {
      const { jwk } = await load();
      // RFC 7638 §3.2: the required members in lexicographic order.
      return sha256(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }));
    },
  };
}

/** True when an answer asks for a (new) DPoP nonce: `use_dpop_nonce` in the body or the challenge. */
export function wantsNonce(
  status: number,
  headers: Headers,
  doc: Record<string, unknown> | undefined,
): boolean {
  if (!headers.has('dpop-nonce')) return false;
  if (status === 400 && doc?.['error'] === 'use_dpop_nonce') return true;
  return status === 401 && /error="use_dpop_nonce"/.test(headers.get('www-authenticate') ?? '');
}
