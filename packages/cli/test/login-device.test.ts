// `cxauth login --device` against a live service (RFC 8628): the CLI prints the verification URI and
// the user code and polls; a fetch browser opens the verification page, enters the code, signs in as
// the demo user and allows; the CLI then saves the tokens in the profile (0600), which refresh.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { refreshSignIn } from '@cxauth/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoService, startDemoService } from '../../server/test/support/service.js';
import { startMain } from './support/in-process.js';

const home = mkdtempSync(path.join(tmpdir(), 'cxauth-cli-device-'));
let svc: DemoService;

beforeAll(async () => {
  svc = await startDemoService();
});
afterAll(async () => {
  await svc?.close();
  rmSync(home, { recursive: true, force: true });
});

const start = (argv: string[]) => startMain({ XDG_CONFIG_HOME: home, CXAUTH_DATA_DIR: svc.dataDir }, argv);

async function printed(err: string[]): Promise<{ uri: string; code: string }> {
  for (let i = 0; i < 200; i++) {
    const text = err.join('\n');
    const uri = /(http:\/\/127\.0\.0\.1:\d+\/auth\/device\/verify)\s/.exec(text)?.[1];
    const code = /\b([B-Z]{4}-[B-Z]{4})\b/.exec(text)?.[1];
    if (uri && code) return { uri, code };
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`nothing printed: ${err.join('\n')}`);
}

/** A person at the verification page in a fetch browser: the code, the sign-in, Allow or Deny. */
async function verify(uri: string, code: string, decision: 'allow' | 'deny'): Promise<string> {
  const jar = new Map<string, string>();
  const keep = (res: Response) => {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = (pair ?? '').indexOf('=');
      if (eq > 0) jar.set((pair as string).slice(0, eq), (pair as string).slice(eq + 1));
    }
    return res;
  };
  const hidden = (html: string) =>
    Object.fromEntries(
      [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [
        m[1] as string,
        (m[2] as string).replace(/&quot;/g, '"').replace(/&amp;/g, '&'),
      ]),
    );
  const post = async (html: string, fields: Record<string, string>) => {
    const res = keep(
      await fetch(uri, {
        method: 'POST',
        redirect: 'manual',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
        },
        body: new URLSearchParams({ ...hidden(html), ...fields }),
      }),
    );
    return res.text();
  };
  const page = await keep(await fetch(uri)).text();
  const signIn = await post(page, { user_code: code });
  const confirm = await post(signIn, { username: svc.creds.username, password: svc.creds.password });
  return post(confirm, { decision });
}

describe('cxauth login --device', () => {
  it('prints the URI and the code, waits for the approval, and saves the tokens', async () => {
    const login = start(['login', '--device', '--json', '--wait', '60']);
    const { uri, code } = await printed(login.err);
    expect(login.err.join('\n')).toContain(`${uri}?user_code=${code}`);
    expect(await verify(uri, code, 'allow')).toContain('is signed in on your device');
    expect(await login.done, login.err.join('\n')).toBe(0);
    const printedProfile = JSON.parse(login.out.join('\n')) as { sub: string; profile: string };
    expect(printedProfile.sub).toMatch(/^user:/);
    expect(statSync(printedProfile.profile).mode & 0o777).toBe(0o600);
    const profile = JSON.parse(readFileSync(printedProfile.profile, 'utf8')) as Record<string, string>;
    expect(profile['login_client_id']).toBe(svc.creds.public_client_id);
    const renewed = await refreshSignIn({
      issuer: svc.creds.issuer,
      clientId: svc.creds.public_client_id,
      refreshToken: profile['refresh_token'] as string,
    });
    expect(renewed.access_token).toBeTruthy();
  }, 60_000);

  it('fails with access_denied when the person denies', async () => {
    const login = start(['login', '--device', '--profile', 'denied', '--wait', '60']);
    const { uri, code } = await printed(login.err);
    expect(await verify(uri, code, 'deny')).toContain('You denied');
    expect(await login.done).toBe(1);
    expect(login.err.join('\n')).toContain('[access_denied]');
  }, 60_000);
});
