// Resource-server nonces (RFC 9449 §9): a proof must carry a nonce this server gave out. Nonces are
// stateless: the time window's number and a keyed hash (HMAC-SHA-256) of it, so every instance given
// the same secret gives out and accepts the same nonces without sharing a store. A nonce is accepted
// in its window and the next one, so a client that learnt it just before the window turned keeps
// working; a new nonce is sent with every DPoP answer, so clients move on to it (rotation).
import { createHmac, randomBytes } from 'node:crypto';

/** Options of `dpop.nonce`. */
export interface DpopNonceOptions {
  /**
   * The key nonces are made with (at least 32 bytes, or a string of at least 32 characters). Default:
   * random per verifier, so only this instance accepts its nonces: instances behind one name pass the
   * same secret, or a client sent from one to another is asked for a new nonce each time.
   */
  secret?: string | Uint8Array;
  /** How long one nonce is given out, seconds (default 300, at least 10); it is accepted twice as long. */
  rotateSec?: number;
}

/** The nonces of one verifier. */
export interface NonceIssuer {
  /** The nonce to give out now (`DPoP-Nonce`). */
  current(nowSec: number): string;
  /** True for the nonce of the current window or the one before. */
  valid(nonce: string | undefined, nowSec: number): boolean;
}

const MAC_BYTES = 16;

function secretOf(secret: string | Uint8Array | undefined): Buffer {
  if (secret === undefined) return randomBytes(32);
  const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret);
  if (bytes.length < 32) throw new TypeError('dpop.nonce.secret must be at least 32 bytes long');
  return bytes;
}

/** The nonce issuer of `dpop.nonce` (true for the defaults). @see RFC 9449 §9 */
export function nonceIssuer(options: DpopNonceOptions | true): NonceIssuer {
  const settings = options === true ? {} : options;
  const rotate = settings.rotateSec ?? 300;
  if (typeof rotate !== 'number' || !Number.isFinite(rotate) || rotate < 10) {
    throw new TypeError(`dpop.nonce.rotateSec must be a number of at least 10; it is ${String(rotate)}`);
  }
  const key = secretOf(settings.secret);
  const make = (window: number) => {
    const mac = createHmac('sha256', key).update(`dpop-nonce:${window}`).digest().subarray(0, MAC_BYTES);
    return `${window.toString(36)}.${mac.toString('base64url')}`;
  };
  // The nonces of the current and previous windows, made once per window: a check is two compares.
  let window = Number.NaN;
  let now = '';
  let before = '';
  const windowAt = (nowSec: number) => {
    const w = Math.floor(nowSec / rotate);
    if (w !== window) {
      before = w === window + 1 ? now : make(w - 1);
      now = make(w);
      window = w;
    }
  };
  return {
    current(nowSec) {
      windowAt(nowSec);
      return now;
    },
    valid(nonce, nowSec) {
      if (typeof nonce !== 'string') return false;
      windowAt(nowSec);
      return nonce === now || nonce === before;
    },
  };
}
