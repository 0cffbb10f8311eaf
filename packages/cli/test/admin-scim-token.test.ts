// `cxauth admin scim-token` in-process against a SQLite file in a temp folder: create prints the token
// once, list never shows it, revoke marks it revoked; another tenant's token id is unknown (exit 1).
import { expect, it } from 'vitest';
import { adminCli } from './support/in-process.js';

const { cli, json } = adminCli('cxauth-admin-scim-');

it('creates a SCIM token once, lists it without its secret, and revokes it', async () => {
  const tenant = await json('tenant', 'create', '--name', 'acme', '--area', 'na1');
  const other = await json('tenant', 'create', '--name', 'other', '--area', 'na1');
  const made = await json('scim-token', 'create', '--tenant', tenant.id, '--name', 'Okta');
  expect(made).toMatchObject({ tenantId: tenant.id, name: 'Okta', revokedAt: null });
  expect(made.token).toMatch(/^cxscim\./);
  const secret = String(made.token).split('.')[2] ?? '';
  const list = await cli('scim-token', 'list', '--tenant', tenant.id, '--json');
  expect(JSON.parse(list.out)).toEqual([expect.objectContaining({ id: made.id, name: 'Okta' })]);
  expect(list.out).not.toContain(secret);
  const unknown = await cli('scim-token', 'revoke', made.id, '--tenant', other.id);
  expect(unknown.code).toBe(1);
  const revoked = await json('scim-token', 'revoke', made.id, '--tenant', tenant.id);
  expect(revoked.revokedAt).not.toBeNull();
});
