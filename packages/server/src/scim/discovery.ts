// The discovery resources (RFC 7644 §4): ServiceProviderConfig, ResourceTypes and Schemas (RFC 7643 §5-7),
// describing what this implementation supports and the attributes it keeps.
import {
  ENTERPRISE_SCHEMA,
  GROUP_SCHEMA,
  LIST_RESPONSE,
  MAX_PAGE,
  RESOURCE_TYPE_SCHEMA,
  SCHEMA_SCHEMA,
  SERVICE_PROVIDER_CONFIG_SCHEMA,
  USER_SCHEMA,
} from './schemas.js';

type Json = Record<string, unknown>;

const meta = (base: string, resourceType: string, path: string) => ({
  resourceType,
  location: `${base}/${path}`,
});

export function serviceProviderConfig(base: string): Json {
  return {
    schemas: [SERVICE_PROVIDER_CONFIG_SCHEMA],
    documentationUri: 'https://datatracker.ietf.org/doc/html/rfc7644',
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: MAX_PAGE },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: true },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'Bearer token',
        description: 'A SCIM token of the tenant, made in the admin API (tenants/{id}/scim-tokens)',
        specUri: 'https://datatracker.ietf.org/doc/html/rfc6750',
        primary: true,
      },
    ],
    meta: meta(base, 'ServiceProviderConfig', 'ServiceProviderConfig'),
  };
}

const RESOURCE_TYPES = [
  {
    id: 'User',
    name: 'User',
    endpoint: '/Users',
    description: 'A user of the tenant',
    schema: USER_SCHEMA,
    schemaExtensions: [{ schema: ENTERPRISE_SCHEMA, required: false }],
  },
  { id: 'Group', name: 'Group', endpoint: '/Groups', description: 'A group of users', schema: GROUP_SCHEMA },
];

export function resourceTypes(base: string): Json[] {
  return RESOURCE_TYPES.map((t) => ({
    schemas: [RESOURCE_TYPE_SCHEMA],
    ...t,
    meta: meta(base, 'ResourceType', `ResourceTypes/${t.id}`),
  }));
}

/** One attribute definition (RFC 7643 §7), with the defaults §2.2 names spelt out. */
function attr(name: string, more: Json = {}): Json {
  return {
    name,
    type: 'string',
    multiValued: false,
    required: false,
    caseExact: false,
    mutability: 'readWrite',
    returned: 'default',
    uniqueness: 'none',
    ...more,
  };
}

const multi = (name: string, subs: Json[]) =>
  attr(name, { type: 'complex', multiValued: true, subAttributes: subs });
const typed = [attr('value'), attr('display'), attr('type'), attr('primary', { type: 'boolean' })];

const SCHEMAS: Json[] = [
  {
    id: USER_SCHEMA,
    name: 'User',
    description: 'User account',
    attributes: [
      attr('userName', { required: true, uniqueness: 'server' }),
      attr('externalId', { caseExact: true }),
      attr('name', {
        type: 'complex',
        subAttributes: [
          'formatted',
          'familyName',
          'givenName',
          'middleName',
          'honorificPrefix',
          'honorificSuffix',
        ].map((n) => attr(n)),
      }),
      ...[
        'displayName',
        'nickName',
        'profileUrl',
        'title',
        'userType',
        'preferredLanguage',
        'locale',
        'timezone',
      ].map((n) => attr(n)),
      attr('active', { type: 'boolean' }),
      attr('password', { mutability: 'writeOnly', returned: 'never' }),
      multi('emails', typed),
      multi('phoneNumbers', typed),
      multi('addresses', [
        ...['formatted', 'streetAddress', 'locality', 'region', 'postalCode', 'country', 'type'].map((n) =>
          attr(n),
        ),
        attr('primary', { type: 'boolean' }),
      ]),
      multi('roles', typed),
    ],
  },
  {
    id: ENTERPRISE_SCHEMA,
    name: 'EnterpriseUser',
    description: 'Enterprise User',
    attributes: [
      ...['employeeNumber', 'costCenter', 'organization', 'division', 'department'].map((n) => attr(n)),
      attr('manager', {
        type: 'complex',
        subAttributes: [
          attr('value'),
          attr('$ref', { type: 'reference' }),
          attr('displayName', { mutability: 'readOnly' }),
        ],
      }),
    ],
  },
  {
    id: GROUP_SCHEMA,
    name: 'Group',
    description: 'Group; one whose displayName is a role gives its members that role',
    attributes: [
      attr('displayName', { required: true, uniqueness: 'server' }),
      attr('externalId', { caseExact: true }),
      multi('members', [
        attr('value', { mutability: 'immutable' }),
        attr('$ref', { type: 'reference', mutability: 'immutable' }),
        attr('type', { mutability: 'immutable' }),
      ]),
    ],
  },
];

export function schemas(base: string): Json[] {
  return SCHEMAS.map((s) => ({
    schemas: [SCHEMA_SCHEMA],
    ...s,
    meta: meta(base, 'Schema', `Schemas/${s['id']}`),
  }));
}

/** A list of every discovery resource of one kind (RFC 7644 §4: they answer as a ListResponse). */
export function discoveryList(resources: Json[]): Json {
  return {
    schemas: [LIST_RESPONSE],
    totalResults: resources.length,
    startIndex: 1,
    itemsPerPage: resources.length,
    Resources: resources,
  };
}
