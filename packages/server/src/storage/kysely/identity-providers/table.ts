// Identity-provider rows (migration 0023) and their mapping.
import type { Selectable } from 'kysely';
import {
  type AttributeMapping,
  type FederatedIdentity,
  type FederationRequest,
  type IdentityProvider,
  OIDC_ATTRIBUTES,
} from '../../../domain/identity-providers.js';
import { type Millis, toDate } from '../rows.js';

export interface IdentityProvidersTable {
  id: string;
  tenant_id: string;
  kind: string;
  name: string;
  enabled: number;
  default_role: string;
  /** JSON: `{ attributes, oidc, saml }`. */
  settings: string;
  secret_sealed: Buffer | null;
  created_at: Millis;
  updated_at: Millis;
}

export interface IdentityProviderDomainsTable {
  tenant_id: string;
  domain: string;
  idp_id: string;
}

export interface FederatedIdentitiesTable {
  idp_id: string;
  subject: string;
  user_id: string;
  tenant_id: string;
  created_at: Millis;
}

export interface SamlAssertionsTable {
  idp_id: string;
  assertion_id: string;
  expires_at: Millis;
}

export interface FederationRequestsTable {
  state_hash: Buffer;
  idp_id: string;
  payload_sealed: Buffer;
  created_at: Millis;
  expires_at: Millis;
}

interface Settings {
  attributes?: Partial<AttributeMapping>;
  oidc?: IdentityProvider['oidc'];
  saml?: IdentityProvider['saml'];
}

export const idpRow = {
  from: (r: Selectable<IdentityProvidersTable>, domains: string[]): IdentityProvider => {
    const s = JSON.parse(r.settings) as Settings;
    return {
      id: r.id,
      tenantId: r.tenant_id,
      // Anything unknown reads as disabled SAML with no metadata: it signs no one in.
      kind: r.kind === 'oidc' ? 'oidc' : 'saml',
      name: r.name,
      enabled: Number(r.enabled) === 1 && (r.kind === 'oidc' || r.kind === 'saml'),
      domains: [...domains].sort(),
      defaultRole: r.default_role,
      attributes: { ...OIDC_ATTRIBUTES, ...s.attributes },
      oidc: s.oidc ?? null,
      saml: s.saml ?? null,
      secretSealed: r.secret_sealed ? Buffer.from(r.secret_sealed) : null,
      createdAt: toDate(r.created_at),
      updatedAt: toDate(r.updated_at),
    };
  },
  to: (idp: IdentityProvider) => ({
    id: idp.id,
    tenant_id: idp.tenantId,
    kind: idp.kind,
    name: idp.name,
    enabled: idp.enabled ? 1 : 0,
    default_role: idp.defaultRole,
    settings: JSON.stringify({
      attributes: idp.attributes,
      oidc: idp.oidc,
      saml: idp.saml,
    } satisfies Settings),
    secret_sealed: idp.secretSealed,
    created_at: idp.createdAt.getTime(),
    updated_at: idp.updatedAt.getTime(),
  }),
};

export const requestRow = {
  from: (r: Selectable<FederationRequestsTable>): FederationRequest => ({
    stateHash: Buffer.from(r.state_hash),
    idpId: r.idp_id,
    payloadSealed: Buffer.from(r.payload_sealed),
    createdAt: toDate(r.created_at),
    expiresAt: toDate(r.expires_at),
  }),
  to: (q: FederationRequest) => ({
    state_hash: q.stateHash,
    idp_id: q.idpId,
    payload_sealed: q.payloadSealed,
    created_at: q.createdAt.getTime(),
    expires_at: q.expiresAt.getTime(),
  }),
};

export const identityRow = {
  to: (i: FederatedIdentity) => ({
    idp_id: i.idpId,
    subject: i.subject,
    user_id: i.userId,
    tenant_id: i.tenantId,
    created_at: i.createdAt.getTime(),
  }),
};
