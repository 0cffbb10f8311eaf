// `cxauth token --client-credentials`, `cxauth revoke` and `cxauth introspect` in-process against the
// real global service over a socket: output without secrets, --json, and exit codes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../test/support/ports.js';
import { startTestService, type TestService } from '../../server/test/support/service.js';
import { main } from '../src/main.js';

let svc: TestService;
let robot: { clientId: string; clientSecret: string };

beforeAll(async () => {
  const port = await freePort();
  svc = await startTestService({ issuer: `http://127.0.0.1:${port}` });
  await svc.app.listen({ host: '127.0.0.1', port });
  robot = await svc.addApplication({ tenantId: svc.fixture.tenant.id, grantTypes: ['client_credentials'] });
});
afterAll(async () => svc?.close());

async function run(argv: string[], stdin = '') {
  const out: string[] = [];
  const err: string[] = [];
  const io = {
    env: { HOME: '/nonexistent-cxauth-home', CXAUTH_DATA_DIR: '/nonexistent-cxauth-data' },
    stdout: (t: string) => out.push(t),
    stderr: (t: string) => err.push(t),
    readStdin: async () => stdin,
  };
  const code = await main(argv, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}
const as = (c: { clientId: string; clientSecret: string }) => [
  '--issuer',
  svc.config.issuer,
  '--client-id',
  c.clientId,
  '--client-secret',
  c.clientSecret,
];

describe('machine client commands', () => {
  it('token --client-credentials prints a summary without the token, --json the response', async () => {
    const human = await run(['token', '--client-credentials', ...as(robot)]);
    expect(human.code, human.err).toBe(0);
    expect(human.out).toMatch(new RegExp(`sub\\s+app:${robot.clientId}`));
    expect(human.out).toMatch(/refresh_token\s+none/);
    expect(human.out).not.toMatch(/eyJ/);
    expect(human.out).not.toContain(robot.clientSecret);
    const json = await run(['token', '--client-credentials', '--json', ...as(robot)]);
    expect(JSON.parse(json.out).access_token).toMatch(/^eyJ/);
  });

  it('introspect exits 0 for an active token and 1 once revoked; revoke reads stdin', async () => {
    const password = await run([
      'token',
      '--json',
      ...as(svc.fixture),
      '--access-key-id',
      svc.fixture.accessKeyId,
      '--access-key-secret',
      svc.fixture.accessKeySecret,
    ]);
    expect(password.code, password.out + password.err).toBe(0);
    const { access_token, refresh_token } = JSON.parse(password.out);
    const active = await run(['introspect', access_token, '--json', ...as(svc.fixture)]);
    expect(active.code, active.err).toBe(0);
    expect(JSON.parse(active.out)).toMatchObject({ active: true, sub: `user:${svc.fixture.user.id}` });
    const revoked = await run(['revoke', '-', '--json', ...as(svc.fixture)], `${refresh_token}\n`);
    expect(revoked.code, revoked.err).toBe(0);
    expect(JSON.parse(revoked.out)).toEqual({ revoked: true });
    const inactive = await run(['introspect', access_token, '--json', ...as(svc.fixture)]);
    expect(inactive.code).toBe(1);
    expect(JSON.parse(inactive.out)).toEqual({ active: false });
  });

  it('takes a secret that starts with a dash as the value of --client-secret (as getopt does)', async () => {
    // One generated secret in 64 starts with "-" (base64url); node:util alone calls it ambiguous.
    const clientSecret = '-Dash-first-secret-0123456789abcdefghijklmnop';
    const dashed = await svc.addApplication({
      tenantId: svc.fixture.tenant.id,
      grantTypes: ['client_credentials'],
      secretHash: svc.hasher.hash(clientSecret),
    });
    const got = await run(['token', '--client-credentials', '--json', ...as({ ...dashed, clientSecret })]);
    expect(got.code, got.out + got.err).toBe(0);
    expect(JSON.parse(got.out).access_token).toMatch(/^eyJ/);
    // Everything after `--` stays an argument, and a value missing at the end is still a usage error.
    expect((await run(['token', '--client-credentials', '--client-secret'])).code).toBe(2);
  });

  it('refuses without a token or credentials (usage), and reports a wrong secret', async () => {
    expect((await run(['revoke', ...as(robot)])).code).toBe(2);
    expect((await run(['introspect', 'x', '--issuer', svc.config.issuer])).code).toBe(2);
    const wrong = await run(['introspect', 'x', ...as({ ...robot, clientSecret: 'nope' })]);
    expect(wrong.code).toBe(1);
    expect(wrong.err).toMatch(/invalid_client|refused the application/);
  });
});
