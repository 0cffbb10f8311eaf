// `cxauth admin idp` in-process against a SQLite file in a temp folder: create (the client secret from
// standard input, never shown), list, show, update, delete; another tenant does not see it (exit 1);
// `tenant sso-required` switches the tenant's policy.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { adminCli } from './support/in-process.js';

const admin = adminCli('cxauth-admin-idp-');

const SECRET = 'upstream-client-secret-from-stdin';

const cli = (argv: string[], stdin = '') => admin.run(argv, { stdin });

/** As admin.json, reading `stdin`; nor does the answer ever hold the upstream secret. */
async function json(argv: string[], stdin = '') {
  const r = await cli([...argv, '--json'], stdin);
  expect(r.err, r.err).toBe('');
  expect(r.code).toBe(0);
  expect(r.out).not.toContain(SECRET);
  return JSON.parse(r.out);
}

it('creates, lists, shows, updates and deletes an identity provider of a tenant', async () => {
  const tenant = await json(['tenant', 'create', '--name', 'acme', '--area', 'na1']);
  const other = await json(['tenant', 'create', '--name', 'other', '--area', 'na1']);
  const made = await json(
    [
      'idp',
      'create',
      '--tenant',
      tenant.id,
      '--name',
      'Okta',
      '--issuer',
      'https://acme.okta.test',
      '--client-id',
      '0oa123',
      '--client-secret-stdin',
      '--domain',
      'acme.test',
    ],
    `${SECRET}\n`,
  );
  expect(made).toMatchObject({
    tenantId: tenant.id,
    name: 'Okta',
    domains: ['acme.test'],
    oidc: { issuer: 'https://acme.okta.test', client_id: '0oa123', client_secret_set: true },
  });
  expect(made.oidc.redirect_uri).toMatch(new RegExp(`/auth/sso/oidc/${made.id}/callback$`));
  const list = await json(['idp', 'list', '--tenant', tenant.id]);
  expect(list.map((i: { id: string }) => i.id)).toEqual([made.id]);
  expect((await json(['idp', 'show', made.id, '--tenant', tenant.id])).name).toBe('Okta');
  expect((await cli(['idp', 'show', made.id, '--tenant', other.id])).code).toBe(1);
  const updated = await json([
    'idp',
    'update',
    made.id,
    '--tenant',
    tenant.id,
    '--disable',
    '--domain',
    'acme.example',
  ]);
  expect(updated).toMatchObject({ enabled: false, domains: ['acme.example'] });
  expect((await cli(['idp', 'update', made.id, '--tenant', tenant.id])).code).toBe(2);
  const sso = await json(['tenant', 'sso-required', tenant.id, '--set', 'on']);
  expect(sso.sso_required).toBe(true);
  // The e-mail verification switch, in the same style; and given at creation.
  const verifying = await json(['tenant', 'email-verification', tenant.id, '--set', 'on']);
  expect(verifying).toMatchObject({ email_verification_required: true, sso_required: true });
  const off = await json(['tenant', 'email-verification', tenant.id, '--set', 'off']);
  expect(off.email_verification_required).toBe(false);
  const strict = await json([
    'tenant',
    'create',
    '--name',
    'strict-co',
    '--area',
    'na1',
    '--email-verification-required',
  ]);
  expect(strict.email_verification_required).toBe(true);
  expect((await json(['idp', 'delete', made.id, '--tenant', tenant.id])).id).toBe(made.id);
  expect(await json(['idp', 'list', '--tenant', tenant.id])).toEqual([]);
});

const METADATA = `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://idp.example.test/saml">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>MIIBszCCAVmgAwIBAgIUX</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.test/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`;

/** `idp create --kind saml` of `tenantId` from {@link METADATA} written to `file`. */
async function createSaml(tenantId: string, name: string, file: string, extra: string[] = []) {
  writeFileSync(file, METADATA);
  return json([
    'idp',
    'create',
    '--tenant',
    tenantId,
    '--name',
    name,
    '--kind',
    'saml',
    '--metadata-file',
    file,
    ...extra,
  ]);
}

it('adds a SAML IdP from its metadata file and prints the SP metadata URL and ACS', async () => {
  const tenant = await json(['tenant', 'create', '--name', 'saml-co', '--area', 'na1']);
  const file = path.join(admin.dir, 'idp-metadata.xml');
  const made = await createSaml(tenant.id, 'ADFS', file);
  expect(made).toMatchObject({
    kind: 'saml',
    saml: { entity_id: 'https://idp.example.test/saml', sso_url: 'https://idp.example.test/sso' },
  });
  expect(made.saml.acs_url).toMatch(new RegExp(`/auth/sso/saml/${made.id}/acs$`));
  expect(made.saml.sp_metadata_url).toMatch(new RegExp(`/auth/sso/saml/${made.id}/metadata$`));
  writeFileSync(file, '<not-metadata/>');
  const bad = await cli(['idp', 'update', made.id, '--tenant', tenant.id, '--metadata-file', file]);
  expect(bad.code).toBe(1);
  expect(bad.err).toMatch(/metadata/);
  expect(made.saml).toMatchObject({ allow_idp_initiated: false, idp_initiated_url: null });
});

it('lets a SAML IdP start sign-ins, landing where it says, and refuses them again', async () => {
  const tenant = await json(['tenant', 'create', '--name', 'portal-co', '--area', 'na1']);
  const made = await createSaml(tenant.id, 'Portal', path.join(admin.dir, 'portal-metadata.xml'), [
    '--allow-idp-initiated',
    '--idp-initiated-url',
    'https://app.example.test/start',
  ]);
  expect(made.saml).toMatchObject({
    allow_idp_initiated: true,
    idp_initiated_url: 'https://app.example.test/start',
  });
  const refused = await json([
    'idp',
    'update',
    made.id,
    '--tenant',
    tenant.id,
    '--refuse-idp-initiated',
    '--clear-idp-initiated-url',
  ]);
  expect(refused.saml).toMatchObject({
    allow_idp_initiated: false,
    idp_initiated_url: null,
    entity_id: 'https://idp.example.test/saml',
  });
  const both = await cli([
    'idp',
    'update',
    made.id,
    '--tenant',
    tenant.id,
    '--allow-idp-initiated',
    '--refuse-idp-initiated',
  ]);
  expect(both.code).not.toBe(0);
  const plain = await cli([
    'idp',
    'update',
    made.id,
    '--tenant',
    tenant.id,
    '--idp-initiated-url',
    'http://x.test/',
  ]);
  expect(plain.code).toBe(1);
  expect(plain.err).toMatch(/idp_initiated_url/);
});
