// Every `cxauth admin` subcommand: its options and the admin-service call behind it (docs/admin.md
// "Areas" and "A tenant from scratch": area, tenant, user, app, key).
import { GRANT_TYPES } from '@cxauth/server';
import { CliError } from '../../io.js';
import { IDP, SSO_REQUIRED } from './idp.js';
import { MAIL_TEMPLATE, PASSWORD_POLICY } from './mail-template.js';
import { OPERATION_KINDS } from './operations.js';
import { readPassword } from './password-input.js';
import { SIGNING_KEY } from './signing-key.js';
import {
  byId,
  type Kind,
  many,
  type OptionSpec,
  optional,
  required,
  switchVerb,
  type Values,
} from './spec.js';
import { USER_IMPORT } from './user-import.js';
import { WEBHOOK } from './webhook.js';

function integer(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^-?\d+$/.test(raw)) throw new CliError(`--${name} must be a whole number, got "${raw}"`);
  return Number(raw);
}

/** The list options of `app create` and `app update`, by the admin service's field they fill. */
const LISTS = {
  origin: 'origins',
  'redirect-uri': 'redirectUris',
  'post-logout-redirect-uri': 'postLogoutRedirectUris',
  grant: 'grantTypes',
  scope: 'scopes',
} as const;

const APP_LISTS: Record<string, OptionSpec> = {
  origin: { type: 'string', multiple: true, description: 'allowed CORS origin scheme://host[:port]' },
  'redirect-uri': { type: 'string', multiple: true, description: 'redirect URI (code flow)' },
  'post-logout-redirect-uri': { type: 'string', multiple: true, description: 'where logout may return' },
  grant: {
    type: 'string',
    multiple: true,
    description:
      "allowed grant_type (default: the type's usual): password, client-credentials, refresh-token, authorization-code, token-exchange, device-code, or the registered names",
  },
  'grant-type': { type: 'string', multiple: true, description: 'the same as --grant' },
  scope: { type: 'string', multiple: true, description: 'scope it may request (default: all but admin)' },
  'first-party': {
    type: 'boolean',
    description: "the platform's own app: no consent page; needed for the admin scope (operators only)",
  },
  'dpop-bound': {
    type: 'boolean',
    description: 'every token request needs a DPoP proof: its tokens are bound to a key (RFC 9449)',
  },
};

/** `--dpop-bound` sets the flag; on update `--dpop-optional` clears it; neither leaves it. */
function dpopBound(v: Values): { dpopBoundAccessTokens?: boolean } {
  if (v['dpop-bound'] === true) return { dpopBoundAccessTokens: true };
  if (v['dpop-optional'] === true) return { dpopBoundAccessTokens: false };
  return {};
}

/** `--first-party` sets the flag; on update `--third-party` clears it; neither leaves it. */
function firstParty(v: Values): { firstParty?: boolean } {
  if (v['first-party'] === true) return { firstParty: true };
  if (v['third-party'] === true) return { firstParty: false };
  return {};
}

/**
 * The grant names `--grant` takes besides the registered values (RFC 6749 §4, RFC 8693 §2.1): the
 * dashed spelling of each grant_type of the server's grant table (`token-exchange`, `device-code` for the
 * URNs).
 */
export const GRANT_ALIASES: Readonly<Record<string, string>> = Object.freeze(
  Object.fromEntries(GRANT_TYPES.map((g) => [(g.split(':').pop() as string).replaceAll('_', '-'), g])),
);

/** The lists named on the command line; on update, an absent list stays and --clear-LIST empties it. */
function appLists(v: Values, update = false): Record<string, string[] | undefined> {
  const out: Record<string, string[] | undefined> = {};
  for (const [option, field] of Object.entries(LISTS)) {
    let values = many(v, option);
    if (option === 'grant') {
      values = [...values, ...many(v, 'grant-type')].map((g) => GRANT_ALIASES[g] ?? g);
    }
    if (values.length > 0) out[field] = values;
    else if (update && v[`clear-${option}`] === true) out[field] = [];
    else out[field] = undefined;
  }
  return out;
}

export const KINDS: Record<string, Kind> = {
  area: {
    summary: 'deployment areas and their endpoints',
    verbs: {
      create: {
        usage: '--name NAME --api-endpoint URL [--ui-endpoint URL] [--auth-endpoint URL] [--domain D]',
        options: {
          name: { type: 'string', description: 'area name, e.g. eu1' },
          'api-endpoint': { type: 'string', description: "base URL of the area's API" },
          'ui-endpoint': { type: 'string', description: 'UI base URL (default: the API endpoint)' },
          'auth-endpoint': { type: 'string', description: 'auth base URL (default: the UI endpoint)' },
          domain: { type: 'string', description: 'domain, acdDomain and uhDomain (default: API host)' },
          'acd-domain': { type: 'string', description: 'acdDomain (default: --domain)' },
          'uh-domain': { type: 'string', description: 'uhDomain (default: --domain)' },
        },
        run: (admin, v) =>
          admin.createArea({
            name: required(v, 'name'),
            apiEndpoint: required(v, 'api-endpoint'),
            uiEndpoint: optional(v, 'ui-endpoint'),
            authEndpoint: optional(v, 'auth-endpoint'),
            domain: optional(v, 'domain'),
            acdDomain: optional(v, 'acd-domain'),
            uhDomain: optional(v, 'uh-domain'),
          }),
      },
      update: {
        usage:
          'NAME [--api-endpoint URL] [--ui-endpoint URL] [--auth-endpoint URL] [--domain D] [--acd-domain D] [--uh-domain D]',
        options: {
          'api-endpoint': { type: 'string', description: "new base URL of the area's API" },
          'ui-endpoint': { type: 'string', description: 'new UI base URL' },
          'auth-endpoint': { type: 'string', description: 'new auth base URL' },
          domain: { type: 'string', description: 'new domain, acdDomain and uhDomain' },
          'acd-domain': { type: 'string', description: 'new acdDomain' },
          'uh-domain': { type: 'string', description: 'new uhDomain' },
        },
        id: 'NAME',
        run: (admin, v, name) =>
          admin.updateArea(name ?? '', {
            apiEndpoint: optional(v, 'api-endpoint'),
            uiEndpoint: optional(v, 'ui-endpoint'),
            authEndpoint: optional(v, 'auth-endpoint'),
            domain: optional(v, 'domain'),
            acdDomain: optional(v, 'acd-domain'),
            uhDomain: optional(v, 'uh-domain'),
          }),
      },
      list: { usage: '', options: {}, run: (admin) => admin.listAreas() },
      show: { usage: 'NAME', options: {}, id: 'NAME', run: (admin, _v, name) => admin.showArea(name ?? '') },
    },
  },
  tenant: {
    summary: 'tenants (business units)',
    verbs: {
      create: {
        usage:
          '--name N --area A [--cluster C] [--bu-id N] [--cluster-id ID] [--private] [--password-min-length N] [--email-verification-required]',
        options: {
          name: { type: 'string', description: 'tenant name (the `tenant` claim)' },
          area: { type: 'string', description: 'area name, e.g. na1' },
          cluster: { type: 'string', description: 'cluster shown by tenant discovery (default B32)' },
          'bu-id': { type: 'string', description: 'icBUId, a signed 32-bit integer (default: random)' },
          'cluster-id': { type: 'string', description: 'icClusterId (default DO31)' },
          private: { type: 'boolean', description: 'mark the tenant private' },
          'password-min-length': {
            type: 'string',
            description:
              'the shortest password its people may set, 8 to 64 (default: CXAUTH_PASSWORD_MIN_LENGTH)',
          },
          'email-verification-required': {
            type: 'boolean',
            description: 'its people verify their e-mail before a sign-in gets a code',
          },
        },
        run: (admin, v) =>
          admin.createTenant({
            name: required(v, 'name'),
            area: required(v, 'area'),
            cluster: optional(v, 'cluster'),
            businessUnitId: integer(optional(v, 'bu-id'), 'bu-id'),
            clusterId: optional(v, 'cluster-id'),
            private: v['private'] === true,
            passwordMinLength: integer(optional(v, 'password-min-length'), 'password-min-length') ?? null,
            ...(v['email-verification-required'] === true ? { emailVerificationRequired: true } : {}),
          }),
      },
      list: { usage: '', options: {}, run: (admin) => admin.listTenants() },
      update: {
        usage: 'ID --access-key-self-service on|off',
        options: {
          'access-key-self-service': {
            type: 'string',
            description: 'whether its users may create access keys for themselves (on|off)',
          },
        },
        id: 'ID',
        run: (admin, v, id) => {
          const value = optional(v, 'access-key-self-service');
          if (value === undefined) throw new CliError('name what changes: --access-key-self-service on|off');
          if (value !== 'on' && value !== 'off') {
            throw new CliError(`--access-key-self-service must be on or off, got "${value}"`);
          }
          return admin.setAccessKeySelfService(id ?? '', value === 'on');
        },
      },
      'sso-required': SSO_REQUIRED,
      'password-policy': PASSWORD_POLICY,
      'email-verification': switchVerb(
        'its people verify their e-mail before a sign-in gets a code',
        (admin, id, on) => admin.setEmailVerificationRequired(id, on),
      ),
      ...byId(
        (admin, id) => admin.showTenant(id),
        (admin, id, s) => admin.setTenantStatus(id, s),
      ),
    },
  },
  user: {
    summary: 'users of tenants',
    verbs: {
      create: {
        usage: '--tenant ID --email E [--given-name G] [--family-name F] [--role R] [--operator]',
        options: {
          tenant: { type: 'string', description: 'tenant id' },
          email: { type: 'string', description: 'login name (the `name` claim)' },
          'given-name': { type: 'string', description: 'given name' },
          'family-name': { type: 'string', description: 'family name' },
          role: {
            type: 'string',
            description: 'legacy role name (default Agent; Administrator manages the tenant)',
          },
          operator: { type: 'boolean', description: 'a platform operator (the whole admin API)' },
        },
        run: (admin, v) =>
          admin.createUser({
            tenantId: required(v, 'tenant'),
            email: required(v, 'email'),
            givenName: optional(v, 'given-name'),
            familyName: optional(v, 'family-name'),
            role: optional(v, 'role'),
            operator: v['operator'] === true,
          }),
      },
      update: {
        usage: 'ID [--role R] [--operator | --no-operator]',
        options: {
          role: { type: 'string', description: 'another legacy role name' },
          operator: { type: 'boolean', description: 'make the user a platform operator' },
          'no-operator': { type: 'boolean', description: 'take the operator flag away' },
        },
        id: 'ID',
        run: (admin, v, id) => {
          if (v['operator'] === true && v['no-operator'] === true) {
            throw new CliError('use --operator or --no-operator, not both');
          }
          const operator = v['operator'] === true ? true : v['no-operator'] === true ? false : undefined;
          const role = optional(v, 'role');
          if (operator === undefined && role === undefined) {
            throw new CliError('name what changes: --role, --operator or --no-operator');
          }
          return admin.updateUser(id ?? '', {
            ...(role === undefined ? {} : { role }),
            ...(operator === undefined ? {} : { operator }),
          });
        },
      },
      list: {
        usage: '[--tenant ID]',
        options: { tenant: { type: 'string', description: 'only users of this tenant' } },
        run: (admin, v) => admin.listUsers({ tenantId: optional(v, 'tenant') }),
      },
      import: USER_IMPORT,
      invite: {
        usage: 'EMAIL --tenant ID [--role R]  (mails a single-use link to set a password)',
        options: {
          tenant: { type: 'string', description: 'tenant id' },
          role: { type: 'string', description: 'legacy role name (default Agent)' },
        },
        id: 'EMAIL',
        run: (admin, v, id) =>
          admin.inviteUser({
            tenantId: required(v, 'tenant'),
            email: id ?? '',
            ...(optional(v, 'role') === undefined ? {} : { role: optional(v, 'role') as string }),
          }),
      },
      'set-password': {
        usage: 'ID  (the password on standard input; typed without echo at a terminal)',
        options: {},
        id: 'ID',
        run: async (admin, _v, id, io) => admin.setPassword(id ?? '', await readPassword(io)),
      },
      'enroll-totp': {
        usage: 'ID  (prints the otpauth:// URI once)',
        options: {},
        id: 'ID',
        secret: true,
        run: (admin, _v, id) => admin.enrollTotp(id ?? ''),
      },
      ...byId(
        (admin, id) => admin.showUser(id),
        (admin, id, s) => admin.setUserStatus(id, s),
      ),
    },
  },
  app: {
    summary: 'applications (OAuth clients) by type: confidential, public, backend',
    verbs: {
      create: {
        usage:
          '--name N [--type confidential|public|backend] [--tenant ID] [--origin URL]... [--redirect-uri URL]...\n' +
          '      [--post-logout-redirect-uri URL]... [--grant G]... [--scope S]... [--first-party] [--dpop-bound]',
        secret: true,
        options: {
          name: { type: 'string', description: 'application name' },
          type: { type: 'string', description: 'confidential, public (no secret) or backend (default)' },
          tenant: { type: 'string', description: 'bind the application to one tenant (tenancy single)' },
          ...APP_LISTS,
        },
        run: (admin, v) =>
          admin.createApplication({
            name: required(v, 'name'),
            type: optional(v, 'type'),
            tenantId: optional(v, 'tenant'),
            ...appLists(v),
            ...firstParty(v),
            ...dpopBound(v),
          }),
      },
      update: {
        usage:
          'ID [--name N] [--origin URL]... [--redirect-uri URL]... [--grant G]... [--scope S]... [--clear-LIST]\n' +
          '      [--first-party | --third-party] [--dpop-bound | --dpop-optional]',
        options: {
          name: { type: 'string', description: 'new name' },
          ...APP_LISTS,
          'third-party': { type: 'boolean', description: 'no longer first-party (consent page again)' },
          'dpop-optional': { type: 'boolean', description: 'no longer requires DPoP proofs' },
          ...Object.fromEntries(
            Object.keys(LISTS).map((o) => [
              `clear-${o}`,
              { type: 'boolean', description: `empty the ${o} list` } as const,
            ]),
          ),
        },
        id: 'ID',
        run: (admin, v, id) =>
          admin.updateApplication(id ?? '', {
            name: optional(v, 'name'),
            ...appLists(v, true),
            ...firstParty(v),
            ...dpopBound(v),
          }),
      },
      list: { usage: '', options: {}, run: (admin) => admin.listApplications() },
      ...byId(
        (admin, id) => admin.showApplication(id),
        (admin, id, s) => admin.setApplicationStatus(id, s),
      ),
    },
  },
  key: {
    summary: 'access keys of users',
    verbs: {
      create: {
        usage: '--user ID',
        secret: true,
        options: { user: { type: 'string', description: 'user id' } },
        run: (admin, v) => admin.createAccessKey({ userId: required(v, 'user') }),
      },
      list: {
        usage: '[--user ID]',
        options: { user: { type: 'string', description: 'only keys of this user' } },
        run: (admin, v) => admin.listAccessKeys({ userId: optional(v, 'user') }),
      },
      ...byId(
        (admin, id) => admin.showAccessKey(id),
        (admin, id, s) => admin.setAccessKeyStatus(id, s),
      ),
    },
  },
  'scim-token': {
    summary: 'SCIM provisioning tokens of tenants (docs/scim.md)',
    verbs: {
      create: {
        usage: '--tenant ID --name NAME',
        secret: true,
        options: {
          tenant: { type: 'string', description: 'tenant id' },
          name: { type: 'string', description: 'what it is for, e.g. "Entra ID"' },
        },
        run: (admin, v) =>
          admin.createScimToken({ tenantId: required(v, 'tenant'), name: required(v, 'name') }),
      },
      list: {
        usage: '--tenant ID',
        options: { tenant: { type: 'string', description: 'tenant id' } },
        run: (admin, v) => admin.listScimTokens(required(v, 'tenant')),
      },
      revoke: {
        usage: 'TOKEN_ID --tenant ID',
        id: 'TOKEN_ID',
        options: { tenant: { type: 'string', description: 'tenant id' } },
        run: (admin, v, id) => admin.revokeScimToken(required(v, 'tenant'), id ?? ''),
      },
    },
  },
  idp: IDP,
  webhook: WEBHOOK,
  'mail-template': MAIL_TEMPLATE,
  'signing-key': SIGNING_KEY,
  ...OPERATION_KINDS,
  issuer: {
    summary: 'the issuer recorded in the database by its first node, against CXAUTH_ISSUER',
    verbs: {
      show: { usage: '', options: {}, run: (admin) => admin.showIssuer() },
      record: {
        usage: '  (records CXAUTH_ISSUER as the issuer every node must use)',
        options: {},
        run: (admin) => admin.recordIssuer(),
      },
    },
  },
};
