// The curl example of docs/endpoints.md for RFC 8628 (POST /auth/device and the first polls), run
// statement by statement in one bash session against a live service with a public app registered as
// the demo's is: each must succeed and print what the page shows under it.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVICE_CODE } from '../packages/server/src/domain/app-types.js';
import { startTestService, type TestService } from '../packages/server/test/support/service.js';
import { freePort } from './support/ports.js';
import { BashSession, missingShownLine, shBlocks, steps } from './support/shell-steps.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const page = readFileSync(path.join(root, 'docs/endpoints.md'), 'utf8');
const SECTIONS = ['POST /auth/device (RFC 8628)'];
const blocks = shBlocks(page).filter((b) => SECTIONS.includes(b.section));

let svc: TestService;
let creds: string;
beforeAll(async () => {
  const port = await freePort();
  svc = await startTestService({ issuer: `http://127.0.0.1:${port}` });
  await svc.app.listen({ host: '127.0.0.1', port });
  const { clientId } = await svc.addApplication({
    type: 'public',
    secretHash: null,
    name: 'Demo sign-in',
    grantTypes: ['authorization_code', 'refresh_token', DEVICE_CODE],
    redirectUris: ['http://127.0.0.1/callback'],
    firstParty: true,
  });
  creds = path.join(path.dirname(svc.config.databaseUrl.replace(/^sqlite:/, '')), 'demo-credentials.json');
  writeFileSync(creds, JSON.stringify({ issuer: svc.config.issuer, public_client_id: clientId }));
});
afterAll(async () => svc?.close());

describe('docs/endpoints.md, the device flow', () => {
  it('has one block per section', () => {
    expect(blocks.map((b) => b.section)).toEqual(SECTIONS);
  });

  it('runs every statement and prints what the page shows', { timeout: 60_000 }, async () => {
    const bash = new BashSession(root, { PATH: process.env['PATH'] ?? '/usr/bin:/bin' });
    try {
      await bash.run(`set -o pipefail; creds=${creds}; ISSUER=${svc.config.issuer}`);
      for (const block of blocks) {
        for (const step of steps(block.code)) {
          const result = await bash.run(step.command);
          expect(result.code, `${step.command}\n${result.stderr}`).toBe(0);
          expect(result.stderr, step.command).toBe('');
          expect(
            missingShownLine(step.shown, result.stdout),
            `${step.command}\n${result.stdout}`,
          ).toBeUndefined();
          if (step.shown.length === 0) expect(result.stdout, step.command).toBe('');
        }
      }
    } finally {
      bash.close();
    }
  });
});
