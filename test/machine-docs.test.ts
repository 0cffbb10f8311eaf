// The curl examples of docs/endpoints.md for the machine side (client_credentials, token exchange,
// revocation, introspection, RFC 8414 metadata), run in one bash session against a live service:
// each statement must succeed and print what the page shows under it.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../packages/server/test/support/service.js';
import { freePort } from './support/ports.js';
import { shBlocks, steps } from './support/shell-steps.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const page = readFileSync(path.join(root, 'docs/endpoints.md'), 'utf8');
const SECTIONS = [
  'POST /auth/token',
  'POST /auth/revoke (RFC 7009)',
  'POST /auth/introspect (RFC 7662)',
  'GET /.well-known/oauth-authorization-server (RFC 8414)',
];
const HEADINGS = /grant_type=client_credentials|token-exchange|revoke|introspect|oauth-authorization-server/;
// The blocks of the machine side: those under their headings (### headings split POST /auth/token).
const blocks = (() => {
  const out: string[] = [];
  let sub = '';
  let code: string[] | undefined;
  let section = '';
  for (const line of page.split('\n')) {
    if (code) {
      if (line.startsWith('```')) {
        if (SECTIONS.includes(section) && HEADINGS.test(`${section} ${sub}`)) out.push(code.join('\n'));
        code = undefined;
      } else code.push(line);
    } else if (line.startsWith('## ')) {
      section = line.slice(3).trim();
      sub = '';
    } else if (line.startsWith('### ')) sub = line.slice(4).trim();
    else if (line === '```sh') code = [];
  }
  return out;
})();

let svc: TestService;
let dir: string;
beforeAll(async () => {
  const port = await freePort();
  svc = await startTestService({ issuer: `http://127.0.0.1:${port}` });
  await svc.app.listen({ host: '127.0.0.1', port });
  dir = path.dirname(svc.config.databaseUrl.replace(/^sqlite:/, ''));
});
afterAll(async () => svc?.close());

describe('docs/endpoints.md, the machine side', () => {
  it('has the blocks this test runs', () => {
    expect(blocks.length).toBe(5);
    expect(shBlocks(page).length).toBeGreaterThan(blocks.length);
  });

  it('runs every statement and prints what the page shows', { timeout: 60_000 }, async () => {
    const creds = path.join(dir, 'demo-credentials.json');
    const f = svc.fixture;
    const setup = [
      `creds=${creds}`,
      `printf '%s' '${JSON.stringify({ issuer: svc.config.issuer, client_id: f.clientId, client_secret: f.clientSecret, accessKeyId: f.accessKeyId, accessKeySecret: f.accessKeySecret, tenantId: f.tenant.id })}' > $creds`,
      'ISSUER=$(jq -r .issuer $creds)',
      'CLIENT_ID=$(jq -r .client_id $creds); CLIENT_SECRET=$(jq -r .client_secret $creds)',
      'KEY_ID=$(jq -r .accessKeyId $creds);  KEY_SECRET=$(jq -r .accessKeySecret $creds)',
    ];
    const script: string[] = ['set -euo pipefail', ...setup];
    const expected: string[] = [];
    blocks.forEach((block, b) => {
      steps(block).forEach((step, i) => {
        script.push(`printf "\\n@@step ${b}.${i}\\n"`, step.command);
        expected.push(`@@step ${b}.${i}`, ...step.shown);
      });
    });
    // Asynchronously: the service answering curl runs in this very process.
    const child = spawn('bash', ['-c', script.join('\n')], {
      cwd: root,
      env: {
        ...process.env,
        CXAUTH_DATA_DIR: dir,
        CXAUTH_DATABASE_URL: svc.config.databaseUrl,
        CXAUTH_KEK: svc.kek.toString('base64'),
      },
    });
    const ran = { stdout: '', stderr: '', status: null as number | null };
    child.stdout.on('data', (d: Buffer) => {
      ran.stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      ran.stderr += d.toString();
    });
    ran.status = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(ran.stderr, ran.stderr).not.toMatch(/error|Error/);
    expect(ran.status, ran.stderr).toBe(0);
    const lines = ran.stdout.split('\n').filter((l) => l !== '');
    for (const line of expected) expect(lines, `${line}\n${ran.stdout}\n${ran.stderr}`).toContain(line);
    // Nothing printed that the page does not show.
    expect(lines.filter((l) => !l.startsWith('@@step'))).toEqual(
      expected.filter((l) => !l.startsWith('@@step')),
    );
  });
});
