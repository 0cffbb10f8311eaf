// `cxauth admin issuer show|record` in-process on a SQLite file: the issuer the database recorded
// against CXAUTH_ISSUER, and recording a new one for good (audited) once an installation has moved.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Io } from '../src/io.js';
import { main } from '../src/main.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cxauth-issuer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function admin(issuer: string, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = {
    env: { CXAUTH_DATA_DIR: dir, CXAUTH_ISSUER: issuer },
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    readStdin: async () => '',
  };
  const code = await main(['admin', ...argv, '--json'], io);
  expect(code, err.join('\n')).toBe(0);
  return JSON.parse(out.join('\n'));
}

describe('cxauth admin issuer', () => {
  it('shows the recorded issuer against CXAUTH_ISSUER and records a new one, audited', async () => {
    const a = 'https://auth-a.example.com';
    const b = 'https://auth.example.com';
    expect(await admin(a, 'issuer', 'show')).toEqual({ configured: a, recorded: null, status: 'same' });
    expect(await admin(a, 'issuer', 'record')).toEqual({ recorded: a, previous: null });
    expect(await admin(b, 'issuer', 'show')).toEqual({ configured: b, recorded: a, status: 'differs' });
    expect(await admin(b, 'issuer', 'record')).toEqual({ recorded: b, previous: a });
    expect(await admin(b, 'issuer', 'show')).toMatchObject({ recorded: b, status: 'same' });
    const events = await admin(b, 'audit', 'list', '--type', 'issuer.recorded');
    expect(events[0]).toMatchObject({ subject: 'issuer', details: { recorded: b, previous: a } });
  });
});
