// The enterprise sign-in page in Chromium against `cxauth serve --demo`: an Administrator adds a SAML
// IdP by pasting its metadata XML and sees the SP metadata URL (which answers the SP metadata) and
// the ACS to register at the IdP; adds an OpenID Connect IdP by issuer URL and sees its redirect URI;
// deletes one.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Demo, openConsole, shoot, startDemo } from './support/console.js';

let demo: Demo;
beforeAll(async () => {
  demo = await startDemo();
}, 60_000);
afterAll(async () => demo?.close());

const METADATA = `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://idp.contoso.test/saml">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>MIIBszCCAVmgAwIBAgIU</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.contoso.test/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`;

it('adds a SAML IdP from pasted metadata and an OIDC IdP by issuer, showing what to register', async () => {
  const who = { email: demo.creds['username'] ?? '', password: demo.creds['password'] ?? '' };
  const { page, violations } = await openConsole(demo, { width: 1280, height: 800 }, who);
  await page.getByRole('link', { name: 'Enterprise sign-in' }).click();
  await page.getByRole('heading', { name: 'Enterprise sign-in', level: 1 }).waitFor();
  await page.getByLabel('Name').fill('Contoso SAML');
  await page.getByLabel('E-mail domains (one per line)').fill('contoso.test');
  await page.getByLabel('IdP metadata XML').fill(METADATA);
  await page.getByRole('button', { name: 'Add identity provider' }).click();
  const row = page.getByRole('row').filter({ hasText: 'Contoso SAML' });
  await row.waitFor();
  const metadataUrl = (await row.locator('code').first().textContent()) ?? '';
  expect(metadataUrl).toMatch(new RegExp(`^${demo.issuer}/auth/sso/saml/[0-9a-f-]+/metadata$`));
  expect(await row.locator('code').nth(1).textContent()).toBe(metadataUrl.replace(/metadata$/, 'acs'));
  const sp = await fetch(metadataUrl);
  expect(sp.status).toBe(200);
  expect(await sp.text()).toContain(`entityID="${metadataUrl}"`);
  await shoot(page, 'sso-saml-added');
  expect(await row.textContent()).toContain('IdP-initiated sign-inrefused');

  // A second SAML IdP that may start sign-ins itself, landing on a page of the tenant's app.
  await page.getByLabel('Name').fill('Portal SAML');
  await page.getByLabel('E-mail domains (one per line)').fill('portal-co.test');
  await page.getByLabel('IdP metadata XML').fill(METADATA);
  await page.getByLabel(/Accept sign-ins started at the IdP's portal/).check();
  await page
    .getByLabel(/Landing page after an IdP-initiated sign-in/)
    .fill('https://app.portal-co.test/start');
  await page.getByRole('button', { name: 'Add identity provider' }).click();
  const portal = page.getByRole('row').filter({ hasText: 'Portal SAML' });
  await portal.getByText('accepted, lands on https://app.portal-co.test/start').waitFor();
  await page.getByRole('button', { name: 'Refuse IdP-initiated sign-in for Portal SAML' }).click();
  await page.getByRole('button', { name: 'Accept IdP-initiated sign-in for Portal SAML' }).waitFor();
  expect(await portal.textContent()).toContain('IdP-initiated sign-inrefused');

  await page.getByLabel('OpenID Connect').check();
  await page.getByLabel('Name').fill('Okta');
  await page.getByLabel('E-mail domains (one per line)').fill('okta-co.test');
  await page.getByLabel('Issuer URL').fill('https://okta-co.okta.test');
  await page.getByLabel('Client ID').fill('0oa1');
  await page.getByLabel('Client secret').fill('a-client-secret');
  await page.getByRole('button', { name: 'Add identity provider' }).click();
  const okta = page.getByRole('row').filter({ hasText: 'Okta' });
  await okta.waitFor();
  expect(await okta.locator('code').first().textContent()).toMatch(
    /\/auth\/sso\/oidc\/[0-9a-f-]+\/callback$/,
  );
  expect(await page.content()).not.toContain('a-client-secret');

  await page.getByRole('button', { name: 'Delete identity provider Okta' }).click();
  await page.getByRole('button', { name: 'Delete identity provider', exact: true }).click();
  await okta.waitFor({ state: 'detached' });
  expect(violations).toEqual([]);
}, 90_000);
