// What the enterprise sign-in tests share (docs/sso.md): the admin service that adds identity
// providers (with the KEK that seals their secrets), and a SAML IdP made from the test IdP's metadata.
import { createAdminService } from '../../src/admin/service/admin.js';
import type { TestSamlIdp } from './saml-idp.js';
import type { TestService } from './service.js';

export type TestAdmin = ReturnType<typeof createAdminService>;

/** The admin service of `svc`, as the admin API runs it (identity provider secrets sealed). */
export function adminOf(svc: TestService): TestAdmin {
  return createAdminService(svc.storage, svc.hasher, () => svc.clock.now(), {
    credentials: { kek: svc.kek, issuer: svc.config.issuer },
  });
}

/** A SAML IdP of `tenantId` from `idp`'s metadata: its id, its ACS and this SP's entity id for it. */
export async function addSamlIdp(
  admin: TestAdmin,
  tenantId: string,
  idp: TestSamlIdp,
  o: { name: string; domains: string[] },
): Promise<{ id: string; acs: string; audience: string }> {
  const made = await admin.createIdentityProvider(tenantId, {
    kind: 'saml',
    ...o,
    saml: { metadata_xml: idp.metadata },
  });
  return { id: made.id, acs: made.saml?.acs_url as string, audience: made.saml?.sp_entity_id as string };
}
