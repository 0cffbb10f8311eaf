// `cxauth decode`: header and payload decoded locally, the unchecked signature stated, and never a
// network call.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../src/main.js';

function capture(stdin = '') {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: {
      env: {},
      stdout: (t: string) => out.push(t),
      stderr: (t: string) => err.push(t),
      readStdin: async () => stdin,
    },
  };
}

const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const TOKEN = `${part({ alg: 'RS256', typ: 'at+jwt', kid: 'k1' })}.${part({
  tenantId: '11eb660f-4c6d-34a0-8733-0242ac110002',
  exp: 1626878286,
  name: 'user1@nice.com',
})}.bm90LWNoZWNrZWQ`;

afterEach(() => vi.restoreAllMocks());

describe('cxauth decode', () => {
  it('prints header, payload with readable times, and says the signature was not checked and why', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    const c = capture();
    expect(await main(['decode', TOKEN], c.io)).toBe(0);
    const text = c.out.join('\n');
    expect(text).toMatch(/alg\s+RS256/);
    expect(text).toMatch(/tenantId\s+11eb660f-4c6d-34a0-8733-0242ac110002/);
    expect(text).toContain('1626878286 (2021-07-21T14:38:06.000Z)');
    expect(text).toMatch(/signature: NOT CHECKED: decode works offline .*JWKS/);
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it('--json gives header, payload and signature_verified: false; "-" reads stdin, "Bearer " is accepted', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    const c = capture(`Bearer ${TOKEN}\n`);
    expect(await main(['decode', '-', '--json'], c.io)).toBe(0);
    const doc = JSON.parse(c.out.join(''));
    expect(doc.header).toEqual({ alg: 'RS256', typ: 'at+jwt', kid: 'k1' });
    expect(doc.payload.exp).toBe(1626878286);
    expect(doc.signature_verified).toBe(false);
    expect(doc.note).toMatch(/offline/);
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it('prints a time claim beyond the range of Date as the bare number (exit 0, not a crash)', async () => {
    const c = capture();
    const odd = `${part({ alg: 'none' })}.${part({ exp: 1e20, iat: -1e300, nbf: 5 })}.`;
    expect(await main(['decode', odd], c.io)).toBe(0);
    const text = c.out.join('\n');
    expect(text).toMatch(/exp\s+100000000000000000000\n/);
    expect(text).toMatch(/iat\s+-1e\+300\n/);
    expect(text).toContain('5 (1970-01-01T00:00:05.000Z)');
  });

  it('with --json, a refusal or bad usage is still one JSON document on stdout', async () => {
    const bad = capture();
    expect(await main(['decode', 'not-a-token', '--json'], bad.io)).toBe(1);
    expect(JSON.parse(bad.out.join('\n')).error).toMatchObject({ code: 'failed', message: /not a JWT/ });
    const usage = capture();
    expect(await main(['decode', '--json', '--verify', TOKEN], usage.io)).toBe(2);
    expect(JSON.parse(usage.out.join('\n')).error).toMatchObject({ code: 'usage' });
  });

  it('stops quietly when the reader closes the pipe early (`| head`), with no stack trace', async () => {
    const big = `${part({ alg: 'none' })}.${part({ x: 'a'.repeat(2_000_000) })}.`;
    const bin = fileURLToPath(new URL('../bin/cxauth.js', import.meta.url));
    const child = spawn(process.execPath, [bin, 'decode', '--json', '-'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    // Like `head -c 10`: read the first chunk, then close our end of the pipe.
    child.stdout.once('data', () => child.stdout.destroy());
    child.stdin.end(big);
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(stderr).not.toMatch(/EPIPE|\n\s+at /);
    expect(code).toBe(0);
  });

  it('refuses what is not a JWT (exit 1) and bad usage (exit 2)', async () => {
    const bad = capture();
    expect(await main(['decode', 'not-a-token'], bad.io)).toBe(1);
    expect(bad.err.join('')).toMatch(/not a JWT/);
    expect(await main(['decode'], capture().io)).toBe(2);
    expect(await main(['decode', TOKEN, '--verify'], capture().io)).toBe(2);
  });
});
