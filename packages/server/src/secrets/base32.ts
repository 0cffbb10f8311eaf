// RFC 4648 §6 base32 (upper case), the one encoder of the secrets the service shows: access keys
// (padded) and TOTP secrets (unpadded, as authenticator apps read them).

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * RFC 4648 §6 base32 without padding.
 * @see RFC 4648 §6
 */
export function base32NoPad(bytes: Buffer): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32[(buffer << (5 - bits)) & 31];
  return out;
}

/**
 * RFC 4648 §6 base32, padded with `=` to a multiple of 8 characters.
 * @see RFC 4648 §6
 */
export function base32(bytes: Buffer): string {
  const out = base32NoPad(bytes);
  return out.padEnd(Math.ceil(out.length / 8) * 8, '=');
}
