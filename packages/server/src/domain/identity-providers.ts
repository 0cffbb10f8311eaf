// Enterprise sign-in per tenant (docs/sso.md): a tenant's identity providers, the links of their
// subjects to users, and the pending sign-ins a callback from one must match.

export type IdpKind = 'oidc' | 'saml';

/** Which upstream claim (OIDC) or attribute (SAML) fills each user field. */
export interface AttributeMapping {
  email: string;
  givenName: string;
  familyName: string;
}

/** An OpenID Connect provider: discovery at `issuer`, the code flow with PKCE. */
export interface OidcSettings {
  issuer: string;
  clientId: string;
  scopes: string[];
}

/** A SAML 2.0 IdP, from its metadata XML (what cxauth read of it beside it). */
export interface SamlSettings {
  metadataXml: string;
  /** The IdP's entityID: the Issuer its responses must name. */
  entityId: string;
  /** Its SingleSignOnService of the HTTP-Redirect binding. */
  ssoUrl: string;
  /** Its signing certificates (base64 DER): a response or its assertion must be signed by one. */
  certificates: string[];
  /**
   * Unsolicited (IdP-initiated) responses are accepted: off unless set (docs/sso.md), since no request
   * of this service's binds such an answer to the browser that posts it.
   */
  allowIdpInitiated?: boolean;
  /** Where an IdP-initiated sign-in lands; null or absent: the console (`{issuer}/console/`). */
  idpInitiatedUrl?: string | null;
}

export interface IdentityProvider {
  id: string;
  tenantId: string;
  kind: IdpKind;
  name: string;
  enabled: boolean;
  /** The e-mail domains it claims (lower case): the sign-in page sends their users to it. */
  domains: string[];
  /** The legacy role name given to users it creates (`Agent` unless set). */
  defaultRole: string;
  attributes: AttributeMapping;
  oidc: OidcSettings | null;
  saml: SamlSettings | null;
  /** The OIDC client secret, sealed with the KEK and bound to the IdP id; null for none (or SAML). */
  secretSealed: Buffer | null;
  createdAt: Date;
  updatedAt: Date;
}

/** An upstream subject linked to a user: the user it signs in from now on. */
export interface FederatedIdentity {
  idpId: string;
  subject: string;
  userId: string;
  tenantId: string;
  createdAt: Date;
}

/** A federated sign-in on its way to the IdP: found again only by its state's keyed hash. */
export interface FederationRequest {
  stateHash: Buffer;
  idpId: string;
  /** Sealed with the KEK: what the callback needs (PKCE verifier, nonce, the app's request). */
  payloadSealed: Buffer;
  createdAt: Date;
  expiresAt: Date;
}

/** The default mapping of SAML attributes (the LDAP names; Entra ID's need a mapping: docs/sso.md). */
export const SAML_ATTRIBUTES: AttributeMapping = {
  email: 'email',
  givenName: 'givenName',
  familyName: 'sn',
};

/** The default mapping: the OIDC standard claims (OIDC Core §5.1). */
export const OIDC_ATTRIBUTES: AttributeMapping = {
  email: 'email',
  givenName: 'given_name',
  familyName: 'family_name',
};

/** The domain part of an e-mail address, lower case; undefined when it has none. */
export function emailDomain(email: string): string | undefined {
  const at = email.lastIndexOf('@');
  if (at < 1 || at === email.length - 1) return undefined;
  return email.slice(at + 1).toLowerCase();
}

/** The additional authenticated data binding a sealed IdP secret to its IdP. */
export const idpSecretAad = (idpId: string): string => `idp-secret:${idpId}`;

/** The redirect URI path of an OIDC IdP at this issuer (registered at the IdP). */
export const oidcCallbackPath = (idpId: string): string =>
  `/auth/sso/oidc/${encodeURIComponent(idpId)}/callback`;
