// `cxauth login --no-browser` against a live service: the printed URL is opened by a fetch browser that
// posts the sign-in form and follows the redirect to the CLI's loopback listener; the profile then
// holds the tokens (0600). `cxauth logout` revokes them: the refresh token no longer works.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isClientError, refreshSignIn } from '@cxauth/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInWithForm } from '../../../test/support/sign-in-browser.js';
import { type DemoService, startDemoService } from '../../server/test/support/service.js';
import { startMain } from './support/in-process.js';

const home = mkdtempSync(path.join(tmpdir(), 'cxauth-cli-home-'));
let svc: DemoService;
let dataDir: string;
let creds: DemoService['creds'];

beforeAll(async () => {
  svc = await startDemoService();
  ({ dataDir, creds } = svc);
});

afterAll(async () => {
  await svc?.close();
  rmSync(home, { recursive: true, force: true });
});

const start = (argv: string[]) => startMain({ XDG_CONFIG_HOME: home, CXAUTH_DATA_DIR: dataDir }, argv);

async function printedUrl(err: string[]): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const m = /(http:\/\/127\.0\.0\.1:\d+\/auth\/authorize\?\S+)/.exec(err.join('\n'));
    if (m) return m[1] as string;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no URL printed: ${err.join('\n')}`);
}

describe('cxauth login and logout', () => {
  it('signs in through a loopback redirect, saves the tokens, and logout revokes them', async () => {
    const login = start(['login', '--no-browser', '--wait', '30']);
    const url = await printedUrl(login.err);
    const q = new URL(url).searchParams;
    expect(q.get('client_id')).toBe(creds.public_client_id);
    expect(q.get('code_challenge_method')).toBe('S256');
    const callback = await signInWithForm(url, creds.username, creds.password);
    expect(callback).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback\?/);
    // The browser follows the redirect to the CLI, which answers with a small page.
    const page = await fetch(callback);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Signed in');
    expect(await login.done).toBe(0);
    expect(login.out.join('\n')).toContain(creds.username);

    const file = path.join(home, 'cxauth', 'profiles', 'default.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const profile = JSON.parse(readFileSync(file, 'utf8'));
    expect(profile).toMatchObject({ issuer: creds.issuer, login_client_id: creds.public_client_id });
    for (const key of ['access_token', 'refresh_token', 'id_token'])
      expect(typeof profile[key]).toBe('string');

    const logout = start(['logout']);
    expect(await logout.done).toBe(0);
    const after = JSON.parse(readFileSync(file, 'utf8'));
    expect(after.refresh_token).toBeUndefined();
    expect(after.access_token).toBeUndefined();
    const refused = await refreshSignIn({
      issuer: creds.issuer,
      clientId: creds.public_client_id,
      refreshToken: profile.refresh_token,
    }).catch((e: unknown) => e);
    expect(isClientError(refused, 'invalid_grant')).toBe(true);
  });

  it('gives up after --wait without a sign-in, and answers other paths with 404', async () => {
    const login = start(['login', '--no-browser', '--wait', '1']);
    const url = await printedUrl(login.err);
    const redirect = new URL(new URL(url).searchParams.get('redirect_uri') as string);
    expect((await fetch(new URL('/other', redirect))).status).toBe(404);
    expect(await login.done).toBe(1);
    expect(login.err.join('\n')).toContain('no sign-in within 1 s');
  });
});
