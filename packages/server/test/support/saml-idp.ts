// A SAML 2.0 test IdP for the federation tests: a key and a self-signed certificate (made by the
// openssl command), its metadata, and responses built by hand and signed with xml-crypto (the XML
// signature library node-saml itself verifies with), so each test can make one wrong in one way.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SignedXml } from 'xml-crypto';

export interface TestSamlIdp {
  readonly entityId: string;
  readonly ssoUrl: string;
  readonly metadata: string;
  /** A response to `o.inResponseTo` for the SP `o.audience` at `o.acs`, signed as `o.sign` says. */
  response(o: ResponseOptions): string;
}

export interface ResponseOptions {
  readonly acs: string;
  readonly audience: string;
  readonly inResponseTo?: string;
  readonly nameId: string;
  readonly attributes?: Readonly<Record<string, string>>;
  /** What is signed: the assertion (default), the response, both or nothing. */
  readonly sign?: 'assertion' | 'response' | 'both' | 'none';
  /** The validity window's start and end (default now − 1 min, now + 5 min). */
  readonly notBefore?: Date;
  readonly notOnOrAfter?: Date;
  readonly recipient?: string;
  /** Changes the XML after signing (an altered assertion). */
  readonly tamper?: (xml: string) => string;
  /** Another key than the one in the metadata signs. */
  readonly foreignKey?: boolean;
  /** The assertion's ID (default: a new one). */
  readonly assertionId?: string;
}

function keyPair(): { key: string; cert: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cxauth-saml-idp-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-sha256',
        '-days',
        '2',
        '-subj',
        '/CN=cxauth test IdP',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    return {
      key: readFileSync(path.join(dir, 'key.pem'), 'utf8'),
      cert: readFileSync(path.join(dir, 'cert.pem'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const base64Der = (pem: string) => pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
const id = () => `_${crypto.randomBytes(16).toString('hex')}`;
const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';
const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';

function sign(xml: string, element: 'Assertion' | 'Response', key: string, cert: string): string {
  const sig = new SignedXml({ privateKey: key, publicCert: cert });
  sig.signatureAlgorithm = RSA_SHA256;
  sig.canonicalizationAlgorithm = EXC_C14N;
  const xpath = `//*[local-name(.)='${element}']`;
  sig.addReference({ xpath, transforms: [ENVELOPED, EXC_C14N], digestAlgorithm: SHA256 });
  // SAML Core §5.4.1: the signature follows the element's Issuer.
  sig.computeSignature(xml, {
    location: { reference: `${xpath}/*[local-name(.)='Issuer']`, action: 'after' },
  });
  return sig.getSignedXml();
}

export function startTestSamlIdp(
  entityId = 'https://idp.saml.test/metadata',
  ssoUrl = 'https://idp.saml.test/sso',
): TestSamlIdp {
  const { key, cert } = keyPair();
  const foreign = keyPair();
  const metadata = `<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${entityId}">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol" WantAuthnRequestsSigned="false">
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${base64Der(cert)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${ssoUrl}"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${ssoUrl}"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`;
  return {
    entityId,
    ssoUrl,
    metadata,
    response(o) {
      const now = new Date();
      const notBefore = o.notBefore ?? new Date(now.getTime() - 60_000);
      const notOnOrAfter = o.notOnOrAfter ?? new Date(now.getTime() + 300_000);
      const irt = o.inResponseTo === undefined ? '' : ` InResponseTo="${esc(o.inResponseTo)}"`;
      const attributes = Object.entries(o.attributes ?? {})
        .map(
          ([name, value]) =>
            `<saml:Attribute Name="${esc(name)}"><saml:AttributeValue>${esc(value)}</saml:AttributeValue></saml:Attribute>`,
        )
        .join('');
      const assertion = `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${o.assertionId ?? id()}" Version="2.0" IssueInstant="${iso(now)}"><saml:Issuer>${esc(entityId)}</saml:Issuer><saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">${esc(o.nameId)}</saml:NameID><saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData${irt} NotOnOrAfter="${iso(notOnOrAfter)}" Recipient="${esc(o.recipient ?? o.acs)}"/></saml:SubjectConfirmation></saml:Subject><saml:Conditions NotBefore="${iso(notBefore)}" NotOnOrAfter="${iso(notOnOrAfter)}"><saml:AudienceRestriction><saml:Audience>${esc(o.audience)}</saml:Audience></saml:AudienceRestriction></saml:Conditions><saml:AuthnStatement AuthnInstant="${iso(now)}" SessionIndex="${id()}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement><saml:AttributeStatement>${attributes}</saml:AttributeStatement></saml:Assertion>`;
      const signer = o.foreignKey ? foreign : { key, cert };
      const mode = o.sign ?? 'assertion';
      const signedAssertion =
        mode === 'assertion' || mode === 'both'
          ? sign(assertion, 'Assertion', signer.key, signer.cert)
          : assertion;
      let xml = `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${id()}" Version="2.0" IssueInstant="${iso(now)}" Destination="${esc(o.acs)}"${irt}><saml:Issuer>${esc(entityId)}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>${signedAssertion}</samlp:Response>`;
      if (mode === 'response' || mode === 'both') xml = sign(xml, 'Response', signer.key, signer.cert);
      if (o.tamper) xml = o.tamper(xml);
      return Buffer.from(xml, 'utf8').toString('base64');
    },
  };
}
