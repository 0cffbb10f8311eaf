// `cxauth admin signing-key list|rotate|retire`: a first key signs at once, a rotation publishes a key
// that signs later, and retiring the key that signs now is refused with what to do.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Io } from '../src/io.js';
import { main } from '../src/main.js';

let dir: string;
let env: NodeJS.ProcessEnv;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cxauth-signing-key-'));
  env = {
    CXAUTH_DATA_DIR: dir,
    CXAUTH_DATABASE_URL: `sqlite:${path.join(dir, 'admin.db')}`,
    CXAUTH_SIGNING_ALG: 'ES256',
  };
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { env, stdout: (t) => out.push(t), stderr: (t) => err.push(t), readStdin: async () => '' };
  const code = await main(['admin', 'signing-key', ...argv], io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const out: string[] = [];

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
    expect((await cli('retire', '--help')).out).toContain('cxauth admin signing-key retire KID');

    // Each rotation is in the audit trail; the refused retirements are not.
    const audit = await main(['admin', 'audit', '--type', 'signing_key.*', '--json'], {
      env,
      stdout: (t) => out.push(t),
      stderr: () => undefined,
      readStdin: async () => '',
    });
    expect(audit).toBe(0);
    const events = JSON.parse(out.join('\n'));
    expect(events.map((e: { type: string; subject: string }) => [e.type, e.subject])).toEqual([
      ['signing_key.rotated', `signing_key:${next.kid}`],
      ['signing_key.rotated', `signing_key:${first.kid}`],
    ]);
    expect(events[0]).toMatchObject({ actor: 'cli', details: { alg: 'ES256', signFrom: next.signFrom } });
  });
});
