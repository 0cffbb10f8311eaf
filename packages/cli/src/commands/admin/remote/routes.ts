// The one table of `cxauth admin --server`: for each `<kind> <verb>`, the admin REST API route behind
// it (docs/admin-api.md, "Resources"). A verb calls one admin-service method; its line receives that
// call's arguments and answers what the service would, so the rendering is the same in both modes.
// A verb the API has no route for is DIRECT: it needs a shell on the database host.
import type {
  CreateApplicationInput,
  CreateAreaInput,
  CreateTenantInput,
  CreateUserInput,
  ImportRow,
  UpdateAreaInput,
} from '@cxauth/server';
import { CliError, EXIT } from '../../../io.js';
import type { AdminApi } from './http.js';
import { appBody, asService, drop, find, listOfAll, setStatus } from './views.js';

/** A line: the service call's arguments in, the service's answer out. */
export type Route = (api: AdminApi, ...args: never[]) => Promise<unknown>;
/** The verb needs direct database access: the API has no route for it. */
export const DIRECT = 'direct' as const;

const e = encodeURIComponent;
/** A tenant's webhooks, or (null) the platform-wide ones. */
const hooks = (t: string | null) => (t === null ? '/webhooks' : `/tenants/${e(t)}/webhooks`);
type Status = 'active' | 'inactive';
type Lists = Pick<
  CreateApplicationInput,
  | 'origins'
  | 'redirectUris'
  | 'postLogoutRedirectUris'
  | 'grantTypes'
  | 'scopes'
  | 'firstParty'
  | 'dpopBoundAccessTokens'
>;

export const ROUTES: Record<string, Route | typeof DIRECT> = {
  'area create': (api, a: CreateAreaInput) => api.call('POST', '/areas', areaBody(a)),
  'area update': (api, name: string, a: UpdateAreaInput) =>
    api.call('PATCH', `/areas/${e(name.toLowerCase())}`, areaPatch(a)),
  'area list': (api) => api.list('/areas'),
  'area show': (api, name: string) => api.list('/areas').then(find('area', 'name', name.toLowerCase())),

  'tenant create': (api, t: CreateTenantInput) => api.call('POST', '/tenants', tenantBody(t)),
  'tenant list': (api) => api.list('/tenants'),
  'tenant show': (api, id: string) => api.call('GET', `/tenants/${e(id)}`),
  'tenant update': (api, id: string, on: boolean) =>
    api.call('PATCH', `/tenants/${e(id)}`, { access_key_self_service: on }),
  'tenant sso-required': (api, id: string, on: boolean) =>
    api.call('PATCH', `/tenants/${e(id)}`, { sso_required: on }),
  'tenant password-policy': (api, id: string, length: number | null) =>
    api.call('PATCH', `/tenants/${e(id)}`, { password_min_length: length }),
  'tenant email-verification': (api, id: string, on: boolean) =>
    api.call('PATCH', `/tenants/${e(id)}`, { email_verification_required: on }),
  'tenant activate': (api, id: string, s: Status) => api.call('PATCH', `/tenants/${e(id)}`, { status: s }),
  'tenant deactivate': (api, id: string, s: Status) => api.call('PATCH', `/tenants/${e(id)}`, { status: s }),

  'user create': (api, u: CreateUserInput) =>
    api.call('POST', `/tenants/${e(u.tenantId)}/users`, userBody(u)),
  'user update': (api, id: string, c: object) => api.call('PATCH', `/users/${e(id)}`, c),
  'user import': (api, tenantId: string, users: ImportRow[], o: { dryRun?: boolean }) =>
    api.call('POST', `/tenants/${e(tenantId)}/users:import`, { users, dry_run: o.dryRun === true }),
  'user list': (api, f: { tenantId?: string }) => listOfAll(api, f.tenantId, (t) => `/tenants/${e(t)}/users`),
  'user set-password': (api, id: string, password: string) =>
    api.call('POST', `/users/${e(id)}/password`, { password }).then(() => ({ id, password: 'set' })),
  'user enroll-totp': (api, id: string) => api.call('POST', `/users/${e(id)}/totp`),
  'user invite': (api, i: { tenantId: string; email: string; role?: string }) =>
    api.call('POST', `/tenants/${e(i.tenantId)}/invitations`, {
      email: i.email,
      ...(i.role === undefined ? {} : { role: i.role }),
    }),
  'user show': (api, id: string) => api.call('GET', `/users/${e(id)}`),
  'user activate': (api, id: string, s: Status) => api.call('PATCH', `/users/${e(id)}`, { status: s }),
  'user deactivate': (api, id: string, s: Status) => api.call('PATCH', `/users/${e(id)}`, { status: s }),

  'app create': (api, a: CreateApplicationInput) =>
    api.call('POST', '/applications', appBody(a)).then(asService),
  'app update': (api, id: string, c: Lists & { name?: string }) =>
    api.call('PATCH', `/applications/${e(id)}`, drop(appBody(c), 'type', 'tenancy')).then(asService),
  'app list': (api) => api.list('/applications').then((l) => l.map(asService)),
  'app show': (api, id: string) => api.call('GET', `/applications/${e(id)}`).then(asService),
  'app activate': (api, id: string, s: Status) => setStatus(api, `/applications/${e(id)}`, s),
  'app deactivate': (api, id: string, s: Status) => setStatus(api, `/applications/${e(id)}`, s),

  'key create': (api, k: { userId: string }) =>
    api.call('POST', `/users/${e(k.userId)}/access-keys`).then(asService),
  'key list': (api, f: { userId?: string }) =>
    listOfAll(api, f.userId, (u) => `/users/${e(u)}/access-keys`, true).then((l) => l.map(asService)),
  'key show': (api, id: string) => api.call('GET', `/access-keys/${e(id)}`).then(asService),
  'scim-token create': (api, t: { tenantId: string; name: string }) =>
    api.call('POST', `/tenants/${e(t.tenantId)}/scim-tokens`, { name: t.name }),
  'scim-token list': (api, tenantId: string) => api.list(`/tenants/${e(tenantId)}/scim-tokens`),
  'scim-token revoke': async (api, tenantId: string, id: string) => {
    await api.call('DELETE', `/tenants/${e(tenantId)}/scim-tokens/${e(id)}`);
    const all = (await api.list(`/tenants/${e(tenantId)}/scim-tokens`)) as { id: string }[];
    return all.find((t) => t.id === id);
  },
  'idp create': (api, tenantId: string, body: object) =>
    api.call('POST', `/tenants/${e(tenantId)}/identity-providers`, body),
  'idp list': (api, tenantId: string) => api.list(`/tenants/${e(tenantId)}/identity-providers`),
  'idp show': (api, tenantId: string, id: string) =>
    api.call('GET', `/tenants/${e(tenantId)}/identity-providers/${e(id)}`),
  'idp update': (api, tenantId: string, id: string, body: object) =>
    api.call('PATCH', `/tenants/${e(tenantId)}/identity-providers/${e(id)}`, body),
  'idp delete': async (api, tenantId: string, id: string) => {
    const idp = await api.call('GET', `/tenants/${e(tenantId)}/identity-providers/${e(id)}`);
    await api.call('DELETE', `/tenants/${e(tenantId)}/identity-providers/${e(id)}`);
    return idp;
  },
  'webhook create': (api, t: string | null, body: object) => api.call('POST', hooks(t), body),
  'webhook list': (api, t: string | null) => api.list(hooks(t)),
  'webhook show': (api, t: string | null, id: string) => api.call('GET', `${hooks(t)}/${e(id)}`),
  'webhook update': (api, t: string | null, id: string, body: object) =>
    api.call('PATCH', `${hooks(t)}/${e(id)}`, body),
  'webhook delete': async (api, t: string | null, id: string) => {
    const hook = await api.call('GET', `${hooks(t)}/${e(id)}`);
    await api.call('DELETE', `${hooks(t)}/${e(id)}`);
    return hook;
  },
  'webhook rotate-secret': (api, t: string | null, id: string, overlap?: number) =>
    api.call(
      'POST',
      `${hooks(t)}/${e(id)}/rotate-secret`,
      overlap === undefined ? {} : { overlap_seconds: overlap },
    ),
  'webhook deliveries': async (api, t: string | null, id: string, limit?: number) =>
    (
      (await api.call(
        'GET',
        `${hooks(t)}/${e(id)}/deliveries${limit === undefined ? '' : `?limit=${limit}`}`,
      )) as { items: unknown[] }
    ).items,
  'webhook redeliver': async (api, t: string | null, id: string, delivery: string) => {
    await api.call('POST', `${hooks(t)}/${e(id)}/deliveries/${e(delivery)}/redeliver`);
    return { id: delivery, webhookId: id, redelivered: true };
  },
  'mail-template list': (api, t: string) =>
    api.call('GET', `/tenants/${e(t)}/mail-templates`).then((r) => (r as { items: unknown[] }).items),
  'mail-template show': (api, t: string, name: string) =>
    api.call('GET', `/tenants/${e(t)}/mail-templates/${e(name)}`),
  'mail-template set': (api, t: string, name: string, parts: object) =>
    api.call('PUT', `/tenants/${e(t)}/mail-templates/${e(name)}`, parts),
  'mail-template reset': (api, t: string, name: string) =>
    api.call('DELETE', `/tenants/${e(t)}/mail-templates/${e(name)}`),
  'mail-template preview': (api, t: string, name: string, parts: object) =>
    api.call('POST', `/tenants/${e(t)}/mail-templates/${e(name)}:preview`, parts),
  'key activate': (api, id: string, s: Status) => setStatus(api, `/access-keys/${e(id)}`, s),
  'key deactivate': (api, id: string, s: Status) => setStatus(api, `/access-keys/${e(id)}`, s),

  'signing-key list': (api) => api.list('/signing-keys').then((items) => ({ items })),
  'signing-key rotate': (api) => api.call('POST', '/signing-keys/rotate'),
  'signing-key retire': DIRECT,

  'audit list': (api, q: { since?: string; type?: string; limit?: number }) =>
    api.list('/audit-events', { since: q.since, type: q.type }, q.limit ?? 100),
  'purge run': DIRECT,
  // The recorded issuer is a fact of the database, changed where it is run (docs/operations.md).
  'issuer show': DIRECT,
  'issuer record': DIRECT,
};

/** The route of `kind verb`; a verb without one (or DIRECT) is refused with exit 2. */
export function routeOf(kind: string, verb: string): Route {
  const route = ROUTES[`${kind} ${verb}`];
  if (typeof route === 'function') return route;
  throw new CliError(
    `cxauth admin ${kind} ${verb} needs direct database access (the admin API has no route for it): ` +
      'run it without --server/--profile on a host that reaches the database',
    EXIT.usage,
  );
}

/** The fields given (JSON leaves the undefined ones out: they stay as they are). */
function areaPatch(a: UpdateAreaInput) {
  return {
    api_endpoint: a.apiEndpoint,
    ui_endpoint: a.uiEndpoint,
    auth_endpoint: a.authEndpoint,
    domain: a.domain,
    acdDomain: a.acdDomain,
    uhDomain: a.uhDomain,
  };
}

function areaBody(a: CreateAreaInput) {
  return { name: a.name, ...areaPatch(a) };
}

function tenantBody(t: CreateTenantInput) {
  return {
    name: t.name,
    area: t.area,
    cluster: t.cluster,
    icBUId: t.businessUnitId,
    icClusterId: t.clusterId,
    // The API refuses `private`/`operator` only when set; leaving false out keeps it at its default.
    private: t.private === true ? true : undefined,
    password_min_length: t.passwordMinLength ?? undefined,
    email_verification_required: t.emailVerificationRequired === true ? true : undefined,
  };
}

function userBody(u: CreateUserInput) {
  return {
    email: u.email,
    given_name: u.givenName,
    family_name: u.familyName,
    role: u.role,
    // Only operators may send `operator` at all: an Administrator's plain create leaves it out.
    operator: u.operator === true ? true : undefined,
  };
}
