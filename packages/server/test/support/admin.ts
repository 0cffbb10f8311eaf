// What the admin API tests share: tokens for an operator, an Administrator and a plain user, and
// request helpers.
import type { LightMyRequestResponse } from 'fastify';
import type { Application, Tenant, User } from '../../src/domain/types.js';
import { adminResource } from '../../src/protocol/resource.js';
import { DEFAULT_APP_SCOPES } from '../../src/protocol/scope.js';
import { basic, tokenRequest } from './http.js';
import type { TestService } from './service.js';

/**
 * The fixture application registered with the admin scope (what `admin` needs besides the role):
 * first-party, as only such an application may hold it and reach operator-level routes.
 */
export const ADMIN_APP: Partial<Application> = { scopes: [...DEFAULT_APP_SCOPES, 'admin'], firstParty: true };

export interface Actor {
  user: User;
  token: string;
}

/**
 * A user of `tenant` with an access key, and an access token for the admin API (its resource,
 * RFC 8707) granted through the fixture app.
 */
export async function actor(
  svc: TestService,
  tenant: Tenant,
  o: Partial<User> = {},
  scope = 'openid admin',
): Promise<Actor> {
  const user = await svc.addUser(tenant, o);
  const key = await svc.addAccessKey(user);
  const res = await tokenRequest(
    svc.app,
    {
      grant_type: 'password',
      username: key.id,
      password: key.secret,
      scope,
      resource: adminResource(svc.config.issuer),
    },
    { authorization: basic(svc.fixture.clientId, svc.fixture.clientSecret) },
  );
  if (res.statusCode !== 200) throw new Error(`token: ${res.body}`);
  return { user, token: (res.json() as { access_token: string }).access_token };
}

export const role = (legacyId: string): User['role'] => ({
  id: `role-${legacyId}`,
  legacyId,
  lastUpdateTime: 0,
  secondaryRoles: [],
});

/** Calls the admin API as `who`. */
export function call(
  svc: TestService,
  who: Actor | undefined,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT',
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
  return svc.app.inject({
    method,
    url: `/admin/v1${path}`,
    headers: {
      ...(who ? { authorization: `Bearer ${who.token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
}
