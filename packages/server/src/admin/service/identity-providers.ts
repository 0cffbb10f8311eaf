// Admin of a tenant's identity providers (docs/sso.md): OpenID Connect providers with their issuer,
// client id, scopes, claimed e-mail domains, default role and attribute mapping; the client secret is
// sealed with the KEK, bound to the IdP id, and never shown again.
import crypto from 'node:crypto';
import type { Static } from '@sinclair/typebox';
import {
  type AttributeMapping,
  type IdentityProvider,
  idpSecretAad,
  OIDC_ATTRIBUTES,
  oidcCallbackPath,
  SAML_ATTRIBUTES,
} from '../../domain/identity-providers.js';
import { DEFAULT_ROLE } from '../../domain/roles.js';
import { readIdpMetadata, samlAcsPath, samlMetadataPath } from '../../federation/saml.js';
import { encrypt } from '../../keys/kek.js';
import type * as Wire from '../api/idp-schemas.js';
import { type AdminContext, creating, endpoint, invalid, iso, notFound, text } from './context.js';

/** The admin API's wire shape (admin/api/idp-schemas.ts). */
export type IdentityProviderView = Static<typeof Wire.IdentityProvider>;
export type CreateIdentityProviderInput = Static<typeof Wire.CreateIdentityProvider>;
export type PatchIdentityProviderInput = Static<typeof Wire.PatchIdentityProvider>;

export interface IdpKeys {
  /** Seals client secrets; without it an IdP with a secret cannot be stored. */
  readonly kek?: Buffer | undefined;
  /** The issuer: the redirect URI shown is below it. */
  readonly issuer?: string | undefined;
}

const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const ROLE = /^[A-Za-z][A-Za-z0-9 _.-]{0,63}$/;
const SCOPE = /^[\x21\x23-\x5b\x5d-\x7e]{1,100}$/;

function view(idp: IdentityProvider, issuer: string | undefined): IdentityProviderView {
  const { oidc, saml } = idp;
  const at = issuer ?? '';
  return {
    id: idp.id,
    tenantId: idp.tenantId,
    kind: idp.kind,
    name: idp.name,
    enabled: idp.enabled,
    domains: idp.domains,
    default_role: idp.defaultRole,
    attribute_mapping: {
      email: idp.attributes.email,
      given_name: idp.attributes.givenName,
      family_name: idp.attributes.familyName,
    },
    ...(oidc
      ? {
          oidc: {
            issuer: oidc.issuer,
            client_id: oidc.clientId,
            scopes: oidc.scopes,
            client_secret_set: idp.secretSealed !== null,
            redirect_uri: `${at}${oidcCallbackPath(idp.id)}`,
          },
        }
      : {}),
    ...(saml
      ? {
          saml: {
            entity_id: saml.entityId,
            sso_url: saml.ssoUrl,
            sp_entity_id: `${at}${samlMetadataPath(idp.id)}`,
            sp_metadata_url: `${at}${samlMetadataPath(idp.id)}`,
            acs_url: `${at}${samlAcsPath(idp.id)}`,
            allow_idp_initiated: saml.allowIdpInitiated === true,
            idp_initiated_url: saml.idpInitiatedUrl ?? null,
          },
        }
      : {}),
    createdAt: iso(idp.createdAt),
    updatedAt: iso(idp.updatedAt),
  };
}

function domainsOf(value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw invalid('domains must be a list of domain names', 'domains');
  const domains = value.map((d) => text('domain', d, 253).toLowerCase());
  for (const d of domains) {
    if (!DOMAIN.test(d))
      throw invalid(`domains must be domain names like example.com, got "${d}"`, 'domains');
  }
  return [...new Set(domains)].sort();
}

function roleOf(value: unknown): string {
  const role = value === undefined ? DEFAULT_ROLE : text('default role', value, 64);
  if (!ROLE.test(role))
    throw invalid(`default_role must be a role name like "Agent", got "${role}"`, 'default_role');
  return role;
}

function issuerOf(value: unknown): string {
  const issuer = endpoint('issuer', value);
  const url = new URL(issuer);
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !loopback) {
    throw invalid('oidc.issuer must be https (http only on a loopback address)', 'oidc.issuer');
  }
  return issuer;
}

function scopesOf(value: unknown): string[] {
  if (value === undefined) return ['openid', 'email', 'profile'];
  if (!Array.isArray(value)) throw invalid('oidc.scopes must be a list', 'oidc.scopes');
  const scopes = value.map((s) => String(s));
  for (const s of scopes)
    if (!SCOPE.test(s)) throw invalid(`oidc.scopes has an invalid scope "${s}"`, 'oidc.scopes');
  return [...new Set(['openid', ...scopes])];
}

/** Where an IdP-initiated sign-in lands: an absolute URL the tenant chose (https but on loopback). */
function landingOf(value: unknown): string | null {
  if (value === null) return null;
  const field = 'saml.idp_initiated_url';
  const raw = text('IdP-initiated landing URL', value, 2000);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid(`${field} must be an absolute URL, got "${raw}"`, field);
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (!(url.protocol === 'https:' || (url.protocol === 'http:' && loopback))) {
    throw invalid(`${field} must be https (http only on a loopback address)`, field);
  }
  if (url.hash || url.username || url.password) {
    throw invalid(`${field} must not have credentials or a fragment`, field);
  }
  return url.href;
}

type SamlInputOf = Partial<
  Record<'metadata_xml' | 'idp_initiated_url', unknown> & { allow_idp_initiated: unknown }
>;

/** The SAML settings of a creation (`base` undefined: the metadata is required) or of a change. */
function samlOf(
  value: SamlInputOf | undefined,
  base?: NonNullable<IdentityProvider['saml']>,
): NonNullable<IdentityProvider['saml']> {
  const raw = value?.metadata_xml;
  let read: NonNullable<IdentityProvider['saml']>;
  if (raw === undefined && base) read = base;
  else if (typeof raw !== 'string' || raw.trim() === '')
    throw invalid('saml.metadata_xml is required', 'saml.metadata_xml');
  else {
    const xml = raw.trim();
    try {
      read = { ...base, metadataXml: xml, ...readIdpMetadata(xml) };
    } catch (err) {
      throw invalid(`saml.metadata_xml: ${(err as Error).message}`, 'saml.metadata_xml');
    }
  }
  const allow = value?.allow_idp_initiated;
  if (allow !== undefined && typeof allow !== 'boolean')
    throw invalid('saml.allow_idp_initiated must be true or false', 'saml.allow_idp_initiated');
  return {
    ...read,
    allowIdpInitiated: allow ?? base?.allowIdpInitiated === true,
    idpInitiatedUrl:
      value?.idp_initiated_url === undefined
        ? (base?.idpInitiatedUrl ?? null)
        : landingOf(value.idp_initiated_url),
  };
}

function mappingOf(
  value: Partial<Record<'email' | 'given_name' | 'family_name', string>> | undefined,
  base: AttributeMapping,
): AttributeMapping {
  return {
    email: value?.email === undefined ? base.email : text('attribute mapping email', value.email, 200),
    givenName:
      value?.given_name === undefined
        ? base.givenName
        : text('attribute mapping given name', value.given_name, 200),
    familyName:
      value?.family_name === undefined
        ? base.familyName
        : text('attribute mapping family name', value.family_name, 200),
  };
}

export function identityProviderAdmin(ctx: AdminContext, keys: IdpKeys = {}) {
  const seal = (idpId: string, secret: string | undefined): Buffer | null => {
    if (secret === undefined) return null;
    if (!keys.kek)
      throw invalid('this service has no KEK to seal the client secret with', 'oidc.client_secret');
    return encrypt(keys.kek, Buffer.from(text('client secret', secret, 2000), 'utf8'), idpSecretAad(idpId));
  };
  async function tenantOf(tenantId: unknown): Promise<string> {
    const id = text('tenant', tenantId, 64);
    if (!(await ctx.storage.tenants.get(id))) throw notFound('tenant', id);
    return id;
  }
  async function load(tenantId: string, id: string): Promise<IdentityProvider> {
    const tenant = await tenantOf(tenantId);
    const idp = await ctx.storage.identityProviders.get(text('identity provider', id, 128));
    if (!idp || idp.tenantId !== tenant) throw notFound('identity provider', id);
    return idp;
  }
  return {
    async createIdentityProvider(
      tenantId: string,
      input: CreateIdentityProviderInput,
    ): Promise<IdentityProviderView> {
      const tenant = await tenantOf(tenantId);
      if (input.kind !== 'oidc' && input.kind !== 'saml') throw invalid('kind must be oidc or saml', 'kind');
      const saml = input.kind === 'saml';
      if (saml ? input.oidc !== undefined : input.saml !== undefined) {
        throw invalid(
          `an ${input.kind} identity provider takes "${input.kind}" settings only`,
          saml ? 'oidc' : 'saml',
        );
      }
      const now = ctx.clock();
      const id = crypto.randomUUID();
      const idp: IdentityProvider = {
        id,
        tenantId: tenant,
        kind: input.kind,
        name: text('name', input.name, 100),
        enabled: input.enabled !== false,
        domains: domainsOf(input.domains),
        defaultRole: roleOf(input.default_role),
        attributes: mappingOf(input.attribute_mapping, saml ? SAML_ATTRIBUTES : OIDC_ATTRIBUTES),
        oidc: saml
          ? null
          : {
              issuer: issuerOf(input.oidc?.issuer),
              clientId: text('client id', input.oidc?.client_id, 500),
              scopes: scopesOf(input.oidc?.scopes),
            },
        saml: saml ? samlOf(input.saml) : null,
        secretSealed: saml ? null : seal(id, input.oidc?.client_secret),
        createdAt: now,
        updatedAt: now,
      };
      await creating(`an identity provider of tenant ${tenant} claiming one of its domains`, () =>
        ctx.storage.identityProviders.create(idp),
      );
      return view(idp, keys.issuer);
    },
    async listIdentityProviders(tenantId: string): Promise<IdentityProviderView[]> {
      return (await ctx.storage.identityProviders.list(await tenantOf(tenantId))).map((i) =>
        view(i, keys.issuer),
      );
    },
    async showIdentityProvider(tenantId: string, id: string): Promise<IdentityProviderView> {
      return view(await load(tenantId, id), keys.issuer);
    },
    async updateIdentityProvider(
      tenantId: string,
      id: string,
      changes: PatchIdentityProviderInput,
    ): Promise<IdentityProviderView> {
      const idp = await load(tenantId, id);
      if (idp.kind === 'saml' ? changes.oidc !== undefined : changes.saml !== undefined) {
        throw invalid(`an ${idp.kind} identity provider takes "${idp.kind}" settings only`);
      }
      const oidc = idp.oidc;
      const next: IdentityProvider = {
        ...idp,
        name: changes.name === undefined ? idp.name : text('name', changes.name, 100),
        enabled: changes.enabled ?? idp.enabled,
        domains: changes.domains === undefined ? idp.domains : domainsOf(changes.domains),
        defaultRole: changes.default_role === undefined ? idp.defaultRole : roleOf(changes.default_role),
        attributes: mappingOf(changes.attribute_mapping, idp.attributes),
        saml: changes.saml === undefined ? idp.saml : samlOf(changes.saml, idp.saml ?? undefined),
        oidc: oidc && {
          issuer: changes.oidc?.issuer === undefined ? oidc.issuer : issuerOf(changes.oidc.issuer),
          clientId:
            changes.oidc?.client_id === undefined
              ? oidc.clientId
              : text('client id', changes.oidc.client_id, 500),
          scopes: changes.oidc?.scopes === undefined ? oidc.scopes : scopesOf(changes.oidc.scopes),
        },
        secretSealed:
          changes.oidc?.client_secret === undefined
            ? idp.secretSealed
            : seal(idp.id, changes.oidc.client_secret),
        updatedAt: ctx.clock(),
      };
      const updated = await creating(
        `an identity provider of tenant ${idp.tenantId} claiming one of its domains`,
        () => ctx.storage.identityProviders.update(next),
      );
      if (!updated) throw notFound('identity provider', id);
      return view(next, keys.issuer);
    },
    /** Deletes an IdP: its users stay (with their other credentials), its links go. */
    async deleteIdentityProvider(tenantId: string, id: string): Promise<IdentityProviderView> {
      const idp = await load(tenantId, id);
      await ctx.storage.identityProviders.delete(idp.tenantId, idp.id);
      return view(idp, keys.issuer);
    },
  };
}
