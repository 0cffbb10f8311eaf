// The id_token claims check both sign-in flows (code and device) share, OIDC Core §3.1.3.7.
import { describe, expect, it } from 'vitest';
import { checkIdToken, type IdTokenExpectations } from '../src/id-token.js';

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const jwt = (payload: Record<string, unknown>) => `${b64({ alg: 'ES256' })}.${b64(payload)}.c2ln`;
const now = 1_800_000_000;
const good = { iss: 'https://id.example', aud: 'app', exp: now + 60, iat: now, nonce: 'n1' };
const codeFlow = { issuer: 'https://id.example', clientId: 'app', nonce: 'n1' };
const deviceFlow = { issuer: 'https://id.example', clientId: 'app' };
const refusal = (payload: Record<string, unknown>, expected: IdTokenExpectations = codeFlow) => {
  try {
    checkIdToken(jwt(payload), expected, now, 60);
  } catch (err) {
    return (err as Error & { code: string }).code + ': ' + (err as Error).message;
  }
  return 'accepted';
};

describe('id_token claims', () => {
  it('accepts the token meant for this client and returns its claims', () => {
    expect(checkIdToken(jwt({ ...good, sub: 'user:1' }), codeFlow, now, 60)).toMatchObject({ sub: 'user:1' });
    expect(refusal({ ...good, nonce: undefined }, deviceFlow)).toBe('accepted');
  });

  it('refuses another issuer, client, nonce, a stale or future token, and garbage', () => {
    expect(refusal({ ...good, iss: 'https://evil.example' })).toMatch(/^invalid_id_token: .*another issuer/);
    expect(refusal({ ...good, aud: 'other' })).toMatch(/not for this client/);
    expect(refusal({ ...good, nonce: 'n2' })).toMatch(/another nonce/);
    expect(refusal({ ...good, exp: now - 61 })).toMatch(/expired/);
    expect(refusal({ ...good, iat: now + 61 })).toMatch(/future/);
    expect(() => checkIdToken('not-a-jwt', codeFlow, now, 60)).toThrow(/not a JWT/);
  });

  it('refuses a token for several audiences whose azp is another client, in the device flow too', () => {
    const shared = { ...good, aud: ['app', 'other'] };
    expect(refusal({ ...shared, azp: 'other' }, deviceFlow)).toMatch(/azp of another client/);
    expect(refusal({ ...shared, azp: 'app' }, deviceFlow)).toBe('accepted');
  });
});
