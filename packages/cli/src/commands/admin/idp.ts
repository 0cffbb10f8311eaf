// `cxauth admin idp …`: a tenant's identity providers for enterprise sign-in (docs/sso.md), and
// `cxauth admin tenant sso-required`. The client secret is read from standard input, never argv.
import { readFileSync } from 'node:fs';
import { CliError, EXIT, type Io } from '../../io.js';
import {
  type Kind,
  many,
  type OptionSpec,
  optional,
  required,
  switchVerb,
  type Values,
  type Verb,
} from './spec.js';

const FIELDS: Record<string, OptionSpec> = {
  'metadata-file': {
    type: 'string',
    description: "SAML: the IdP's metadata XML file (its entityID, SSO URL, certificate)",
  },
  name: { type: 'string', description: 'what people see ("Sign in with NAME")' },
  issuer: { type: 'string', description: "the OpenID Connect issuer URL (its discovery document's issuer)" },
  'client-id': { type: 'string', description: 'the client id registered at the IdP' },
  'client-secret-stdin': {
    type: 'boolean',
    description: 'read the client secret from standard input (sealed with the KEK, never shown)',
  },
  domain: { type: 'string', multiple: true, description: 'an e-mail domain it claims (repeatable)' },
  scope: {
    type: 'string',
    multiple: true,
    description: 'a scope to ask for (default: openid email profile)',
  },
  'default-role': { type: 'string', description: 'the role of users it creates (default Agent)' },
  'allow-idp-initiated': {
    type: 'boolean',
    description: "SAML: accept sign-ins started at the IdP's portal (unsolicited responses; off unless set)",
  },
  'idp-initiated-url': {
    type: 'string',
    description: 'SAML: where an IdP-initiated sign-in lands (default: the console)',
  },
  'email-claim': { type: 'string', description: 'the claim holding the e-mail (default email)' },
  'given-name-claim': {
    type: 'string',
    description: 'the claim holding the given name (default given_name)',
  },
  'family-name-claim': {
    type: 'string',
    description: 'the claim holding the family name (default family_name)',
  },
};

async function secretOf(v: Values, io: Io): Promise<string | undefined> {
  if (v['client-secret-stdin'] !== true) return undefined;
  const line = (await io.readStdin()).split(/\r?\n/)[0] ?? '';
  if (line === '') throw new CliError('give the client secret on standard input', EXIT.usage);
  return line;
}

function mapping(v: Values) {
  const out: Record<string, string> = {};
  for (const [option, field] of [
    ['email-claim', 'email'],
    ['given-name-claim', 'given_name'],
    ['family-name-claim', 'family_name'],
  ] as const) {
    const value = optional(v, option);
    if (value !== undefined) out[field] = value;
  }
  return Object.keys(out).length > 0 ? { attribute_mapping: out } : {};
}

const defined = <T extends Record<string, unknown>>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, value]) => value !== undefined)) as Partial<T>;

function metadataOf(v: Values): string | undefined {
  const file = optional(v, 'metadata-file');
  if (file === undefined) return undefined;
  try {
    return readFileSync(file, 'utf8');
  } catch {
    throw new CliError(`cannot read --metadata-file ${file}`, EXIT.usage);
  }
}

const tenantOption = { tenant: { type: 'string', description: 'tenant id' } } as const;

const create: Verb = {
  usage:
    '--tenant ID --name NAME (--issuer URL --client-id ID [--client-secret-stdin] [--scope S]… | --kind saml --metadata-file F [--allow-idp-initiated [--idp-initiated-url URL]]) [--domain D]… [--default-role R] [--disabled]',
  options: {
    ...tenantOption,
    ...FIELDS,
    kind: { type: 'string', description: 'oidc (default) or saml' },
    disabled: { type: 'boolean', description: 'add it switched off' },
  },
  run: async (admin, v, _id, io) => {
    const domains = many(v, 'domain');
    const kind = optional(v, 'kind') ?? 'oidc';
    if (kind === 'saml') {
      return admin.createIdentityProvider(required(v, 'tenant'), {
        kind: 'saml',
        name: required(v, 'name'),
        ...(v['disabled'] === true ? { enabled: false } : {}),
        ...(domains.length > 0 ? { domains } : {}),
        ...defined({ default_role: optional(v, 'default-role') }),
        ...mapping(v),
        saml: {
          metadata_xml: metadataOf(v) ?? required(v, 'metadata-file'),
          ...(v['allow-idp-initiated'] === true ? { allow_idp_initiated: true } : {}),
          ...defined({ idp_initiated_url: optional(v, 'idp-initiated-url') }),
        },
      });
    }
    if (kind !== 'oidc') throw new CliError(`--kind must be oidc or saml, got "${kind}"`, EXIT.usage);
    const secret = await secretOf(v, io);
    const scopes = many(v, 'scope');
    return admin.createIdentityProvider(required(v, 'tenant'), {
      kind: 'oidc',
      name: required(v, 'name'),
      ...(v['disabled'] === true ? { enabled: false } : {}),
      ...(domains.length > 0 ? { domains } : {}),
      ...defined({ default_role: optional(v, 'default-role') }),
      ...mapping(v),
      oidc: {
        issuer: required(v, 'issuer'),
        client_id: required(v, 'client-id'),
        ...(secret === undefined ? {} : { client_secret: secret }),
        ...(scopes.length > 0 ? { scopes } : {}),
      },
    });
  },
};

const update: Verb = {
  usage:
    'IDP_ID --tenant ID [--name N] [--issuer URL] [--client-id ID] [--client-secret-stdin] [--domain D]… [--clear-domains] [--enable | --disable] …',
  id: 'IDP_ID',
  options: {
    ...tenantOption,
    ...FIELDS,
    'clear-domains': { type: 'boolean', description: 'claim no domain any more' },
    enable: { type: 'boolean', description: 'switch it on' },
    disable: { type: 'boolean', description: 'switch it off (its users cannot sign in through it)' },
    'refuse-idp-initiated': {
      type: 'boolean',
      description: "SAML: refuse sign-ins started at the IdP's portal again (the default)",
    },
    'clear-idp-initiated-url': {
      type: 'boolean',
      description: 'SAML: IdP-initiated sign-ins land on the console again',
    },
  },
  run: async (admin, v, id, io) => {
    if (v['enable'] === true && v['disable'] === true)
      throw new CliError('use --enable or --disable, not both');
    if (v['allow-idp-initiated'] === true && v['refuse-idp-initiated'] === true)
      throw new CliError('use --allow-idp-initiated or --refuse-idp-initiated, not both');
    const secret = await secretOf(v, io);
    const scopes = many(v, 'scope');
    const domains = many(v, 'domain');
    const metadata = metadataOf(v);
    const saml = defined({
      metadata_xml: metadata,
      allow_idp_initiated:
        v['allow-idp-initiated'] === true ? true : v['refuse-idp-initiated'] === true ? false : undefined,
      idp_initiated_url: v['clear-idp-initiated-url'] === true ? null : optional(v, 'idp-initiated-url'),
    });
    const oidc = defined({
      issuer: optional(v, 'issuer'),
      client_id: optional(v, 'client-id'),
      client_secret: secret,
      scopes: scopes.length > 0 ? scopes : undefined,
    });
    const changes = {
      ...defined({
        name: optional(v, 'name'),
        default_role: optional(v, 'default-role'),
        enabled: v['enable'] === true ? true : v['disable'] === true ? false : undefined,
        domains: domains.length > 0 ? domains : v['clear-domains'] === true ? [] : undefined,
      }),
      ...mapping(v),
      ...(Object.keys(oidc).length > 0 ? { oidc } : {}),
      ...(Object.keys(saml).length > 0 ? { saml } : {}),
    };
    if (Object.keys(changes).length === 0) throw new CliError('name what changes (see --help)', EXIT.usage);
    return admin.updateIdentityProvider(required(v, 'tenant'), id ?? '', changes);
  },
};

export const IDP: Kind = {
  summary: "tenants' identity providers (OpenID Connect, SAML 2.0) for enterprise sign-in (docs/sso.md)",
  verbs: {
    create,
    list: {
      usage: '--tenant ID',
      options: tenantOption,
      run: (admin, v) => admin.listIdentityProviders(required(v, 'tenant')),
    },
    show: {
      usage: 'IDP_ID --tenant ID',
      id: 'IDP_ID',
      options: tenantOption,
      run: (admin, v, id) => admin.showIdentityProvider(required(v, 'tenant'), id ?? ''),
    },
    update,
    delete: {
      usage: 'IDP_ID --tenant ID',
      id: 'IDP_ID',
      options: tenantOption,
      run: (admin, v, id) => admin.deleteIdentityProvider(required(v, 'tenant'), id ?? ''),
    },
  },
};

/** `cxauth admin tenant sso-required ID --set on|off`. */
export const SSO_REQUIRED: Verb = switchVerb(
  'users of the domains its IdPs claim cannot use a password',
  (admin, id, on) => admin.setSsoRequired(id, on),
);
