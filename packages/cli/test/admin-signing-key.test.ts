// `cxauth admin signing-key list|rotate|retire`: a first key signs at once, a rotation publishes a key
// that signs later, and retiring the key that signs now is refused with what to do.
import { describe, expect, it } from 'vitest';
import { adminCli } from './support/in-process.js';

const admin = adminCli('cxauth-signing-key-', { CXAUTH_SIGNING_ALG: 'ES256' });
const cli = (...argv: string[]) => admin.cli('signing-key', ...argv);

describe('cxauth admin signing-key', () => {
  it('rotates, lists and refuses to retire the key that signs now', async () => {
    expect(JSON.parse((await cli('list', '--json')).out)).toEqual({ items: [] });
    const first = JSON.parse((await cli('rotate', '--json')).out);
    expect(first).toMatchObject({ alg: 'ES256', state: 'signing', retiredAt: null });
    const refused = await cli('retire', first.kid);
    expect(refused.code).not.toBe(0);
    expect(refused.err).toMatch(/is the current signer: rotate first \(`cxauth admin signing-key rotate`\)/);
    const next = JSON.parse((await cli('rotate', '--json')).out);
    expect(next.state).toBe('published');
    expect(Date.parse(next.signFrom) - Date.parse(next.publishAt)).toBe(300_000 + 2 * 60_000);
    const { items } = JSON.parse((await cli('list', '--json')).out);
    expect(items.map((k: { kid: string; state: string }) => [k.kid, k.state])).toEqual([
      [next.kid, 'published'],
      [first.kid, 'signing'],
    ]);
    const missing = await cli('retire', 'no-such-kid');
    expect(missing.err).toMatch(/no signing key with kid "no-such-kid"/);
    // A kid is base64url and one in 64 starts with a dash: it is the KID, not an unknown option.
    const dashed = await cli('retire', '-xQ3v9Lk2mZpR7tYwUe1sNa0bCdEfGhIjKlMnOpQrStU');
    expect(dashed.err).toMatch(/no signing key with kid "-xQ3v9Lk2mZpR7tYwUe1sNa0bCdEfGhIjKlMnOpQrStU"/);
    expect((await cli('retire', '--help')).out).toContain('cxauth admin signing-key retire KID');

    // Each rotation is in the audit trail; the refused retirements are not.
    const audit = await admin.cli('audit', '--type', 'signing_key.*', '--json');
    expect(audit.code).toBe(0);
    const events = JSON.parse(audit.out);
    expect(events.map((e: { type: string; subject: string }) => [e.type, e.subject])).toEqual([
      ['signing_key.rotated', `signing_key:${next.kid}`],
      ['signing_key.rotated', `signing_key:${first.kid}`],
    ]);
    expect(events[0]).toMatchObject({ actor: 'cli', details: { alg: 'ES256', signFrom: next.signFrom } });
  });
});
