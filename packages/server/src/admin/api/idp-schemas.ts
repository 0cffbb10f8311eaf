// The admin API's identity-provider schemas (docs/sso.md): an IdP as shown (never its secret), its
// creation and its changes. Listed in schemas.ts COMPONENTS like the others.
import { Type } from '@sinclair/typebox';

const strict = { additionalProperties: false } as const;
const Time = Type.Union([Type.String(), Type.Null()]);
const Domains = Type.Array(Type.String({ minLength: 1, maxLength: 253 }), { maxItems: 50 });
const Claim = Type.String({ minLength: 1, maxLength: 200 });

export const AttributeMapping = Type.Object(
  { email: Claim, given_name: Claim, family_name: Claim },
  { $id: 'AttributeMapping', description: 'which upstream claim fills each user field' },
);
const AttributeMappingInput = Type.Partial(
  Type.Object({ email: Claim, given_name: Claim, family_name: Claim }, strict),
);

export const IdentityProvider = Type.Object(
  {
    id: Type.String(),
    tenantId: Type.String(),
    kind: Type.Union([Type.Literal('oidc'), Type.Literal('saml')]),
    name: Type.String(),
    enabled: Type.Boolean(),
    domains: Type.Array(Type.String()),
    default_role: Type.String(),
    attribute_mapping: AttributeMapping,
    oidc: Type.Optional(
      Type.Object({
        issuer: Type.String(),
        client_id: Type.String(),
        scopes: Type.Array(Type.String()),
        /** Whether a client secret is stored (sealed; it is never shown). */
        client_secret_set: Type.Boolean(),
        /** The redirect URI to register at the IdP. */
        redirect_uri: Type.String(),
      }),
    ),
    saml: Type.Optional(
      Type.Object({
        /** The IdP's entityID and SSO URL, as its metadata says. */
        entity_id: Type.String(),
        sso_url: Type.String(),
        /** This service's SP entity ID: also the URL of its SP metadata for this IdP. */
        sp_entity_id: Type.String(),
        sp_metadata_url: Type.String(),
        /** The Assertion Consumer Service (HTTP-POST binding) to register at the IdP. */
        acs_url: Type.String(),
        /** Unsolicited (IdP-initiated) responses are accepted (false unless set). */
        allow_idp_initiated: Type.Boolean(),
        /** Where an IdP-initiated sign-in lands; null: the console. */
        idp_initiated_url: Type.Union([Type.String(), Type.Null()]),
      }),
    ),
    createdAt: Time,
    updatedAt: Time,
  },
  { $id: 'IdentityProvider' },
);

const OidcInput = {
  issuer: Type.String({ minLength: 1, maxLength: 2000 }),
  client_id: Type.String({ minLength: 1, maxLength: 500 }),
  /** Write-only: sealed with the KEK, never returned. */
  client_secret: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
  scopes: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 30 })),
};

const SamlInput = {
  /** The IdP's SAML 2.0 metadata document (EntityDescriptor with an IDPSSODescriptor). */
  metadata_xml: Type.String({ minLength: 1, maxLength: 200_000 }),
  /** Accept unsolicited (IdP-initiated) responses; false unless set (docs/sso.md). */
  allow_idp_initiated: Type.Optional(Type.Boolean()),
  /** Where an IdP-initiated sign-in lands (an absolute URL); null or absent: the console. */
  idp_initiated_url: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 2000 }), Type.Null()])),
};

export const CreateIdentityProvider = Type.Object(
  {
    kind: Type.Union([Type.Literal('oidc'), Type.Literal('saml')]),
    name: Type.String({ minLength: 1, maxLength: 100 }),
    enabled: Type.Optional(Type.Boolean()),
    domains: Type.Optional(Domains),
    default_role: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    attribute_mapping: Type.Optional(AttributeMappingInput),
    /** For `oidc`. */
    oidc: Type.Optional(Type.Object(OidcInput, strict)),
    /** For `saml`. */
    saml: Type.Optional(Type.Object(SamlInput, strict)),
  },
  { ...strict, $id: 'CreateIdentityProvider' },
);

export const PatchIdentityProvider = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    enabled: Type.Optional(Type.Boolean()),
    domains: Type.Optional(Domains),
    default_role: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    attribute_mapping: Type.Optional(AttributeMappingInput),
    oidc: Type.Optional(Type.Partial(Type.Object(OidcInput, strict))),
    saml: Type.Optional(Type.Partial(Type.Object(SamlInput, strict))),
  },
  { ...strict, minProperties: 1, $id: 'PatchIdentityProvider' },
);

export const TenantIdentityProviderId = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 128 }), idpId: Type.String({ minLength: 1, maxLength: 128 }) },
  strict,
);

export const IDP_COMPONENTS = [
  AttributeMapping,
  IdentityProvider,
  CreateIdentityProvider,
  PatchIdentityProvider,
];
