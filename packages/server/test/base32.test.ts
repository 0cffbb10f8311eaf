// The base32 encoder of access keys and TOTP secrets, against the test vectors of RFC 4648 §10.
import { describe, expect, it } from 'vitest';
import { base32, base32NoPad } from '../src/secrets/base32.js';

const VECTORS: ReadonlyArray<readonly [string, string]> = [
  ['', ''],
  ['f', 'MY======'],
  ['fo', 'MZXQ===='],
  ['foo', 'MZXW6==='],
  ['foob', 'MZXW6YQ='],
  ['fooba', 'MZXW6YTB'],
  ['foobar', 'MZXW6YTBOI======'],
];

describe('base32 (RFC 4648 §6)', () => {
  it.each(VECTORS)('encodes %j as %j, padded', (input, encoded) => {
    expect(base32(Buffer.from(input, 'ascii'))).toBe(encoded);
  });

  it.each(VECTORS)('encodes %j as %j without its padding', (input, encoded) => {
    expect(base32NoPad(Buffer.from(input, 'ascii'))).toBe(encoded.replace(/=+$/, ''));
  });

  it('encodes 32 random bytes as 56 characters ending in four "=" (an access-key part)', () => {
    expect(base32(Buffer.alloc(32, 0xff))).toMatch(/^[A-Z2-7]{52}====$/);
  });
});
