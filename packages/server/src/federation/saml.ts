// The one seam to @node-saml/node-saml (and to the XML of SAML metadata): a tenant's SAML 2.0 IdP read
// from its metadata, this service's SP metadata per IdP, the AuthnRequest (HTTP-Redirect binding) whose
// ID the pending request keeps, and the HTTP-POST response's checks: a valid signature of the response
// or of the assertion (the IdP's certificate from its metadata), the IdP's issuer, our audience, the
// validity window, `InResponseTo` equal to that ID (or, for an IdP that may start sign-ins, none at
// all), and the recipient and destination our ACS.
// @see SAML 2.0 Core §2.5, §3.2.2; Bindings §3.4, §3.5; Profiles §4.1.4

import type { SAML } from '@node-saml/node-saml';
import { DOMParser } from '@xmldom/xmldom';
import type { IdentityProvider, SamlSettings } from '../domain/identity-providers.js';
import { onDemand } from '../domain/on-demand.js';
import { UpstreamError, type UpstreamIdentity } from './oidc.js';

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DS = 'http://www.w3.org/2000/09/xmldsig#';
const SAMLP = 'urn:oasis:names:tc:SAML:2.0:protocol';
const ASSERTION = 'urn:oasis:names:tc:SAML:2.0:assertion';
const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';

/** Reads what cxauth needs of IdP metadata; throws a one-line Error when it is not usable. */
export function readIdpMetadata(xml: string): Omit<SamlSettings, 'metadataXml'> {
  const errors: string[] = [];
  const fail = (msg: string) => {
    errors.push(msg);
  };
  const doc = new DOMParser({
    errorHandler: { warning: () => undefined, error: fail, fatalError: fail },
  }).parseFromString(xml, 'text/xml');
  if (errors.length > 0 || !doc?.documentElement) throw new Error('the metadata is not well-formed XML');
  if (/<!DOCTYPE/i.test(xml)) throw new Error('the metadata must not have a DOCTYPE');
  const entity = doc.getElementsByTagNameNS(MD, 'EntityDescriptor')[0];
  const idp = entity?.getElementsByTagNameNS(MD, 'IDPSSODescriptor')[0];
  const entityId = entity?.getAttribute('entityID') ?? '';
  if (!idp || entityId === '')
    throw new Error('the metadata has no EntityDescriptor with an IDPSSODescriptor');
  const services = Array.from(idp.getElementsByTagNameNS(MD, 'SingleSignOnService'));
  const sso = services.find((s) => s.getAttribute('Binding') === REDIRECT);
  const ssoUrl = sso?.getAttribute('Location') ?? '';
  if (!/^https?:\/\//.test(ssoUrl))
    throw new Error('the metadata has no SingleSignOnService with the HTTP-Redirect binding');
  const certificates = Array.from(idp.getElementsByTagNameNS(MD, 'KeyDescriptor'))
    .filter((k) => (k.getAttribute('use') ?? 'signing') === 'signing')
    .flatMap((k) => Array.from(k.getElementsByTagNameNS(DS, 'X509Certificate')))
    .map((c) => (c.textContent ?? '').replace(/\s+/g, ''))
    .filter((c) => c !== '');
  if (certificates.length === 0) throw new Error('the metadata has no signing certificate');
  return { entityId, ssoUrl, certificates: [...new Set(certificates)] };
}

/** The SP's entity id (its metadata URL) and ACS of an IdP at `issuer`. */
export const samlMetadataPath = (idpId: string) => `/auth/sso/saml/${encodeURIComponent(idpId)}/metadata`;
export const samlAcsPath = (idpId: string) => `/auth/sso/saml/${encodeURIComponent(idpId)}/acs`;

/** What the callback learned besides the identity: the assertion's id (never accepted twice). */
export interface SamlAssertion extends UpstreamIdentity {
  readonly assertionId: string;
}

/** Clock skew accepted on the validity window, ms. */
const SKEW_MS = 60_000;

/**
 * @node-saml/node-saml, loaded with the first SAML step (a metadata document, a redirect, a response)
 * rather than by every node at start: with its XML signature stack it is about 15 MiB resident.
 */
const nodeSaml = onDemand('the SAML library', () => import('@node-saml/node-saml'));

async function saml(
  idp: IdentityProvider,
  issuer: string,
  expected?: { requestId: string; createdAt: Date },
): Promise<SAML> {
  const settings = idp.saml;
  if (!settings) throw new UpstreamError('the identity provider is not a SAML IdP');
  const { SAML, ValidateInResponseTo } = await nodeSaml();
  return new SAML({
    issuer: `${issuer}${samlMetadataPath(idp.id)}`,
    audience: `${issuer}${samlMetadataPath(idp.id)}`,
    callbackUrl: `${issuer}${samlAcsPath(idp.id)}`,
    entryPoint: settings.ssoUrl,
    idpIssuer: settings.entityId,
    idpCert: settings.certificates,
    // Either signature will do, one is required (node-saml refuses an answer with neither).
    wantAuthnResponseSigned: false,
    wantAssertionsSigned: false,
    acceptedClockSkewMs: SKEW_MS,
    // Unsolicited (no `expected` request): an answer naming any request is still refused, since the
    // cache below knows none.
    validateInResponseTo: expected ? ValidateInResponseTo.always : ValidateInResponseTo.ifPresent,
    identifierFormat: null,
    disableRequestedAuthnContext: true,
    // The pending request holds the one AuthnRequest ID this answer may respond to.
    cacheProvider: {
      saveAsync: async (key: string, value: string) => ({ value, createdAt: Date.now(), key }) as never,
      getAsync: async (key: string) =>
        expected !== undefined && key === expected.requestId ? expected.createdAt.toISOString() : null,
      removeAsync: async (key: string | null) => key,
    },
  });
}

/** The SP metadata document of an IdP (what its administrator imports). */
export async function spMetadata(idp: IdentityProvider, issuer: string): Promise<string> {
  return (await saml(idp, issuer)).generateServiceProviderMetadata(null, null);
}

/** The AuthnRequest redirect and the request's ID. */
export async function samlRedirect(
  idp: IdentityProvider,
  issuer: string,
  relayState: string,
): Promise<{ url: string; requestId: string }> {
  const instance = await saml(idp, issuer);
  let requestId = '';
  const cache = (
    instance as unknown as { cacheProvider: { saveAsync: (k: string, v: string) => Promise<unknown> } }
  ).cacheProvider;
  const save = cache.saveAsync;
  cache.saveAsync = async (key, value) => {
    requestId = key;
    return save(key, value);
  };
  const url = await instance.getAuthorizeUrlAsync(relayState, undefined, {});
  if (requestId === '') throw new UpstreamError('no AuthnRequest id');
  return { url, requestId };
}

const text = (el: Element | undefined, name: string) => el?.getAttribute(name) ?? null;

/**
 * Checks a posted SAMLResponse for the AuthnRequest `requestId`; with `request` undefined, an unsolicited
 * (IdP-initiated) one, which must answer no request at all (SAML 2.0 Profiles §4.1.5).
 */
export async function samlValidate(
  idp: IdentityProvider,
  issuer: string,
  samlResponse: string,
  request: { requestId: string; createdAt: Date } | undefined,
): Promise<SamlAssertion> {
  // Outside the mapping below: a library that could not be loaded is the service's fault (503).
  const instance = await saml(idp, issuer, request);
  let result: Awaited<ReturnType<SAML['validatePostResponseAsync']>>;
  try {
    result = await instance.validatePostResponseAsync({ SAMLResponse: samlResponse });
  } catch (err) {
    throw new UpstreamError(
      `the SAML response was refused (${String((err as Error).message).slice(0, 120)})`,
      {
        cause: err,
      },
    );
  }
  const profile = result.profile;
  if (!profile || result.loggedOut) throw new UpstreamError('the SAML response signs no one in');
  const acs = `${issuer}${samlAcsPath(idp.id)}`;
  const response = new DOMParser().parseFromString(profile.getSamlResponseXml?.() ?? '', 'text/xml');
  const destination = text(response.getElementsByTagNameNS(SAMLP, 'Response')[0], 'Destination');
  if (destination !== null && destination !== acs)
    throw new UpstreamError('the SAML response is for another destination');
  const assertion = new DOMParser().parseFromString(profile.getAssertionXml?.() ?? '', 'text/xml');
  const assertionEl = assertion.getElementsByTagNameNS(ASSERTION, 'Assertion')[0];
  const assertionId = text(assertionEl, 'ID');
  if (!assertionId) throw new UpstreamError('the SAML assertion has no ID');
  const confirmations = Array.from(assertion.getElementsByTagNameNS(ASSERTION, 'SubjectConfirmationData'));
  if (confirmations.length === 0 || confirmations.some((d) => d.getAttribute('Recipient') !== acs)) {
    throw new UpstreamError('the SAML assertion is for another recipient');
  }
  if (request === undefined && confirmations.some((d) => d.hasAttribute('InResponseTo'))) {
    throw new UpstreamError('the unsolicited SAML assertion answers a request');
  }
  const claims: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(profile)) {
    if (typeof value === 'string') claims[name] = value;
    else if (Array.isArray(value) && typeof value[0] === 'string') claims[name] = value[0];
  }
  return { subject: profile.nameID, claims, amr: [], assertionId };
}
