// `cxauth admin audit` and `cxauth admin purge` in-process against a SQLite file: the changes made by
// other admin commands are listed newest first, filtered by type and time, and the purge reports counts.
import { describe, expect, it } from 'vitest';
import { adminCli } from './support/in-process.js';

const { cli } = adminCli('cxauth-admin-ops-');

describe('cxauth admin audit and purge', () => {
  it('lists the changes made by admin commands, newest first, with no secret', async () => {
    const tenant = JSON.parse(
      (await cli('tenant', 'create', '--name', 'Ops', '--area', 'na1', '--json')).out,
    );
    const user = JSON.parse(
      (await cli('user', 'create', '--tenant', tenant.id, '--email', 'o@example.com', '--json')).out,
    );
    const key = JSON.parse((await cli('key', 'create', '--user', user.id, '--json')).out);
    expect((await cli('key', 'deactivate', key.accessKeyId)).code).toBe(0);

    const all = await cli('audit', '--json');
    expect(all.code).toBe(0);
    const events = JSON.parse(all.out) as { type: string; subject: string; actor: string }[];
    expect(events.map((e) => e.type)).toEqual([
      'access_key.changed',
      'access_key.created',
      'user.created',
      'tenant.created',
    ]);
    expect(events[0]).toMatchObject({ subject: `access_key:${key.accessKeyId}`, actor: 'cli' });
    expect(all.out).not.toContain(key.accessKeySecret);

    const keys = JSON.parse((await cli('audit', '--type', 'access_key.*', '--limit', '1', '--json')).out);
    expect(keys.map((e: { type: string }) => e.type)).toEqual(['access_key.changed']);
    expect(JSON.parse((await cli('audit', '--since', '2999-01-01T00:00:00Z', '--json')).out)).toEqual([]);
    expect(JSON.parse((await cli('audit', '--since', '1h', '--json')).out)).toHaveLength(4);

    const human = await cli('audit', '--type', 'tenant.created');
    expect(human.out).toMatch(
      new RegExp(
        `^\\d{4}-\\d\\d-\\d\\dT\\S+  tenant\\.created  tenant:${tenant.id}  cli  name="Ops" area="na1"$`,
      ),
    );
  });

  it('refuses a bad --limit or --since with a one-line usage error', async () => {
    expect((await cli('audit', '--limit', 'lots')).code).toBe(2);
    const bad = await cli('audit', '--since', 'yesterday');
    expect(bad.code).toBe(1);
    expect(bad.err.trim().split('\n')).toHaveLength(1);
  });

  it('purge prints what it deleted', async () => {
    const r = await cli('purge', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({
      refresh_tokens: { deleted: 0 },
      sessions: { deleted: 0 },
      authorization_codes: { deleted: 0 },
      sign_ins: { deleted: 0 },
      audit_events: { deleted: 0 },
      throttle: { deleted: 0 },
      revocation_events: { deleted: 0 },
      consents: { deleted: 0 },
      device_authorizations: { deleted: 0 },
      federation_requests: { deleted: 0 },
      saml_assertions: { deleted: 0 },
      dpop_proofs: { deleted: 0 },
      passkey_challenges: { deleted: 0 },
      webhook_deliveries: { deleted: 0 },
      mail_outbox: { deleted: 0 },
      password_resets: { deleted: 0 },
      invitations: { deleted: 0 },
      email_verifications: { deleted: 0 },
    });
    expect((await cli('purge')).out).toContain('sessions  0 deleted');
  });
});
