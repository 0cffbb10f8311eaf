// README.md's shell steps, run with bash as a reader would paste them, on free ports and temporary data
// folders (so they must not depend on the defaults): the quick start's `npm start` is the built CLI's
// `serve --demo`, then the flow blocks run against it and the admin block on a fresh data folder. Each
// output the README shows (the `# ` lines under a command) must be what the command prints.
// Uses the build made by `npm test` (`npx tsc -b`).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInThroughPage } from './support/hosted-sign-in.js';
import { freePort } from './support/ports.js';
import { BashSession, missingShownLine, type ShBlock, shBlocks, steps } from './support/shell-steps.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const blocks = shBlocks(readFileSync(path.join(root, 'README.md'), 'utf8'));
const inSection = (section: string) => blocks.filter((b) => b.section === section);
const temps: string[] = [];
const tempDir = (name: string) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), `cxauth-readme-${name}-`));
  temps.push(dir);
  return dir;
};

/** This environment without any cxauth setting, so only what the test sets applies. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(CXAUTH|CXONE)_/.test(k)) env[k] = v;
  }
  return { ...env, ...extra };
}

interface Ran {
  command: string;
  stdout: string;
}

/** What a `create` prints, as JSON or as the human `key  value` lines. */
function record(stdout: string): Record<string, unknown> {
  try {
    return JSON.parse(stdout) as Record<string, unknown>;
  } catch {
    const fields: Record<string, string> = {};
    for (const m of stdout.matchAll(/^(\S+) {2,}(.*)$/gm)) fields[m[1] as string] = m[2] as string;
    return fields;
  }
}

/** The README's `<placeholder>`s, filled from what an earlier `admin <kind> create` printed. */
const PLACEHOLDERS: Record<string, [placeholder: string, field: string]> = {
  tenant: ['tenantId', 'id'],
  user: ['userId', 'id'],
  app: ['client_id', 'client_id'],
  key: ['accessKeyId', 'accessKeyId'],
};

/** Runs every statement of a block in one bash session; each must succeed and print what is shown. */
async function runBlock(block: ShBlock, env: NodeJS.ProcessEnv): Promise<Ran[]> {
  const bash = new BashSession(root, env);
  const filled: Record<string, string> = {};
  const ran: Ran[] = [];
  try {
    for (const step of steps(block.code)) {
      const command = step.command.replace(/<(\w+)>/g, (_, name: string) => {
        const value = filled[name];
        if (value === undefined) throw new Error(`nothing earlier in the block gives <${name}>`);
        return value;
      });
      const result = await bash.run(command);
      expect(result.code, `${command}\n${result.stderr}`).toBe(0);
      expect(missingShownLine(step.shown, result.stdout), `${command}\n${result.stdout}`).toBeUndefined();
      const kind = /admin (\w+) create/.exec(command)?.[1];
      const fill = kind ? PLACEHOLDERS[kind] : undefined;
      if (fill) filled[fill[0]] = String(record(result.stdout)[fill[1]]);
      ran.push({ command, stdout: result.stdout });
    }
  } finally {
    bash.close();
  }
  return ran;
}

function output(ran: Ran[], command: RegExp): string {
  const found = ran.find((r) => command.test(r.command));
  if (!found) throw new Error(`no step runs ${command}`);
  return found.stdout;
}

const FIRST_HOUR = 'From git clone to the console, without the demo';

/** Resolves with the process's stdout once `pattern` appears in it; rejects if it exits first. */
function waitFor(child: ChildProcess, pattern: RegExp): Promise<string> {
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (d) => {
      out += d;
      if (pattern.test(out)) resolve(out);
    });
    child.on('exit', (code) => reject(new Error(`exited ${code}:\n${out}`)));
  });
}

const SERVER_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/;

describe('README shell steps', () => {
  let port: number;
  let apiPort: number;
  let dataDir: string;
  let server: ChildProcess;
  let creds: Record<string, string>;

  beforeAll(async () => {
    [port, apiPort] = [await freePort(), await freePort()];
    dataDir = tempDir('demo');
    server = spawn(process.execPath, [path.join(root, 'packages/cli/bin/cxauth.js'), 'serve', '--demo'], {
      cwd: root,
      env: cleanEnv({
        CXAUTH_PORT: String(port),
        CXAUTH_API_PORT: String(apiPort),
        CXAUTH_DATA_DIR: dataDir,
        CXAUTH_LOG_LEVEL: 'warn',
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    server.stderr?.resume();
    await new Promise<void>((resolve, reject) => {
      server.stdout?.on('data', (d) => {
        out += d;
        if (/saved to .*demo-credentials\.json/.test(out)) resolve();
      });
      server.on('exit', (code) => reject(new Error(`serve --demo exited ${code}:\n${out}`)));
    });
    creds = JSON.parse(readFileSync(path.join(dataDir, 'demo-credentials.json'), 'utf8'));
  });

  afterAll(() => {
    server?.kill('SIGKILL');
    for (const dir of temps) rmSync(dir, { recursive: true, force: true });
  });

  const demoEnv = () =>
    cleanEnv({
      CXAUTH_PORT: String(port),
      CXAUTH_API_PORT: String(apiPort),
      CXAUTH_DATA_DIR: dataDir,
      HOME: tempDir('home'),
    });

  it('are the quick start, two flow blocks and the admin block, all run here', () => {
    expect(blocks.map((b) => b.section)).toEqual([
      'Quick start',
      FIRST_HOUR,
      'Run the documented flow against the demo',
      'Run the documented flow against the demo',
      'Administer',
    ]);
  });

  it('quick start: `npm start` is the `serve --demo` this test starts, `npm test` every test', () => {
    const [quick] = inSection('Quick start');
    expect(steps(quick!.code).map((s) => s.command.replace(/\s+#.*$/, ''))).toEqual([
      'npm install && npm start',
      'npm install && npm test',
    ]);
    const scripts = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).scripts;
    expect(scripts.start).toBe('npm run build && node packages/cli/bin/cxauth.js serve --demo');
    expect(scripts.test).toMatch(/vitest run$/);
    expect(creds.issuer).toBe(`http://127.0.0.1:${port}`);
  });

  it('from git clone to an operator signed in to the console, without --demo', async () => {
    const [block] = inSection(FIRST_HOUR);
    const [clone, build, bootstrap, serve] = steps(block!.code);
    const bare = (command: string) => command.replace(/\s+#.*$/, '');
    // The checkout and the build are what this test runs from (`npm test` builds first).
    expect(bare(clone!.command)).toMatch(/^git clone \S.* cxauth && cd cxauth$/);
    expect(bare(build!.command)).toBe('npm install && npm run build');
    expect(JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).scripts.build).toMatch(/tsc -b/);
    expect(bare(serve!.command)).toBe('npx cxauth serve');
    const [ownPort, ownApi] = [await freePort(), await freePort()];
    const env = cleanEnv({
      CXAUTH_PORT: String(ownPort),
      CXAUTH_API_PORT: String(ownApi),
      CXAUTH_DATA_DIR: tempDir('first-hour'),
      CXAUTH_LOG_LEVEL: 'warn',
      HOME: tempDir('home'),
    });
    const password = 'a long enough password';
    const bash = new BashSession(root, env);
    try {
      // As a reader types the password when asked (standard input; never on the command line).
      const made = await bash.run(`${bare(bootstrap!.command)} <<< '${password}'`);
      expect(made.code, made.stderr).toBe(0);
      expect(missingShownLine(bootstrap!.shown, made.stdout), made.stdout).toBeUndefined();
      expect(made.stdout).not.toContain(password);
      const again = await bash.run(`${bare(bootstrap!.command)} <<< '${password}'`);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain('an operator exists already');
    } finally {
      bash.close();
    }
    const child = spawn(process.execPath, [path.join(root, 'packages/cli/bin/cxauth.js'), 'serve'], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stderr?.resume();
    try {
      const printed = await waitFor(child, /cxauth regional API/);
      const issuer = `http://127.0.0.1:${ownPort}`;
      const shown = serve!.shown.map((line) => line.replace('http://127.0.0.1:8080', issuer));
      expect(missingShownLine(shown, printed), printed).toBeUndefined();
      expect(printed).not.toContain('No operator');
      const landing = await fetch(`${issuer}/`);
      expect(await landing.text()).toContain(`href="${issuer}/console/"`);
      // The console's own sign-in: code + PKCE as the public app cxauth-console, then the admin API.
      const redirectUri = `${issuer}/console/callback`;
      const resource = `${issuer}/admin/v1`;
      const { code, verifier } = await signInThroughPage({
        issuer,
        clientId: 'cxauth-console',
        redirectUri,
        username: 'you@example.com',
        password,
        scope: 'openid profile admin',
        resource,
      });
      const token = await fetch(`${issuer}/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          client_id: 'cxauth-console',
          code,
          code_verifier: verifier,
          redirect_uri: redirectUri,
          resource,
        }),
      });
      expect(token.status).toBe(200);
      const { access_token } = (await token.json()) as { access_token: string };
      const tenants = await fetch(`${resource}/tenants`, {
        headers: { authorization: `Bearer ${access_token}` },
      });
      expect(tenants.status).toBe(200);
      expect(((await tenants.json()) as { items: { name: string }[] }).items.map((t) => t.name)).toEqual([
        'operators',
      ]);
    } finally {
      child.kill('SIGTERM');
    }
  }, 90_000);

  it('the flow with the CLI: a token, then the server time from the area API', async () => {
    const [cli] = inSection('Run the documented flow against the demo');
    const ran = await runBlock(cli!, demoEnv());
    expect(output(ran, /cxauth token/)).toMatch(new RegExp(`^tenantId +${creds.tenantId}$`, 'm'));
    expect(output(ran, /cxauth token/)).not.toContain('eyJ');
    const time = JSON.parse(output(ran, /cxauth api GET/));
    expect(Object.keys(time)).toEqual(['ServerTime']);
    expect(time.ServerTime).toMatch(SERVER_TIME);
  }, 60_000);

  it('the flow with curl: discovery, the grant, decode, tenant discovery, the API call', async () => {
    const [, curl] = inSection('Run the documented flow against the demo');
    const ran = await runBlock(curl!, demoEnv());
    const issuer = `http://127.0.0.1:${port}`;
    const discovery = JSON.parse(output(ran, /openid-configuration/));
    expect(discovery).toMatchObject({ issuer, token_endpoint: `${issuer}/auth/token` });
    const decoded = output(ran, /cxauth decode/);
    expect(decoded).toMatch(/^ {2}typ +at\+jwt$/m);
    expect(decoded).toMatch(new RegExp(`^ {2}tenantId +${creds.tenantId}$`, 'm'));
    const tenant = JSON.parse(output(ran, /^curl .*cxone-configuration/));
    expect(tenant).toMatchObject({
      area: 'na1',
      api_endpoint: `http://127.0.0.1:${apiPort}`,
      tenantId: creds.tenantId,
    });
    const time = JSON.parse(output(ran, /server-time/));
    expect(time.ServerTime).toMatch(SERVER_TIME);
  }, 60_000);

  it('administration, on a fresh data folder (the default area na1 exists at once)', async () => {
    const [admin] = inSection('Administer');
    const ran = await runBlock(
      admin!,
      cleanEnv({
        CXAUTH_API_PORT: String(apiPort),
        CXAUTH_DATA_DIR: tempDir('admin'),
        HOME: tempDir('home'),
      }),
    );
    const tenant = JSON.parse(output(ran, /tenant create/));
    expect(tenant).toMatchObject({ name: 'acme', area: 'na1', status: 'active' });
    const user = record(output(ran, /user create/));
    expect(user).toMatchObject({ tenantId: tenant.id, email: 'ops@acme.example' });
    const app = record(output(ran, /app create/));
    expect(app['client_secret']).toEqual(expect.any(String));
    expect(output(ran, /app create/)).toContain('shown only this once');
    const key = record(output(ran, /key create/));
    expect(key).toMatchObject({
      userId: user['id'],
      accessKeySecret: expect.stringMatching(/^[A-Z2-7]+=*$/),
    });
    expect(record(output(ran, /key deactivate/))).toMatchObject({
      accessKeyId: key['accessKeyId'],
      status: 'inactive',
    });
    expect(record(output(ran, /area create/))).toMatchObject({
      name: 'eu1',
      api_endpoint: 'https://api-eu1.example.com',
    });
  }, 60_000);
});
