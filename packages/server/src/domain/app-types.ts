// Application types and what each may do: the one table of which grants, client authentication
// methods and scopes a `confidential`, `public` or `backend` application may be registered with. The
// admin service validates registrations against it and the token endpoint refuses anything outside it
// (`unauthorized_client`), so a row edited by hand cannot widen what an application does.
// See docs/admin.md ("Applications").

/** What an application is, fixed at creation. */
export const APP_TYPES = ['confidential', 'public', 'backend'] as const;
export type AppType = (typeof APP_TYPES)[number];

/** `single`: bound to one tenant; `all`: serves the users of every tenant. */
export const TENANCIES = ['single', 'all'] as const;
export type Tenancy = (typeof TENANCIES)[number];

/** The grant_type of RFC 8693 token exchange. */
export const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';

/** The grant_type of RFC 8628 device authorization (a device without a browser, such as a CLI). */
export const DEVICE_CODE = 'urn:ietf:params:oauth:grant-type:device_code';

/**
 * Every grant_type an application may be registered with. grants/index.ts's table is keyed by it, so
 * each has its grant module.
 * @see RFC 6749 §4, RFC 8693 §2.1, RFC 8628 §3.4
 */
export type GrantName =
  | 'authorization_code'
  | 'password'
  | 'refresh_token'
  | 'client_credentials'
  | typeof TOKEN_EXCHANGE
  | typeof DEVICE_CODE;

export interface AppTypeRules {
  /** The grants an application of this type may be allowed. */
  readonly grants: readonly GrantName[];
  /** The grants it gets when its registration names none. */
  readonly defaultGrants: readonly GrantName[];
  /** True when it holds a client secret (RFC 6749 §2.1 confidential client). */
  readonly hasSecret: boolean;
}

/**
 * The one table: a public client holds no secret and uses the code flow with PKCE (RFC 8252 §8.4,
 * RFC 9700 §2.1.1); a confidential client signs users in and may exchange their tokens; a backend
 * calls APIs with access keys, as itself or on behalf of a user's token. Only backends use `password`
 * and `client_credentials`, and never `/auth/authorize`. A device code (RFC 8628) signs a person in
 * too, so only apps that sign people in may opt in to it; it is never a default.
 */
export const APP_TYPE_RULES: Readonly<Record<AppType, AppTypeRules>> = Object.freeze({
  confidential: {
    grants: ['authorization_code', 'refresh_token', TOKEN_EXCHANGE, DEVICE_CODE],
    defaultGrants: ['authorization_code', 'refresh_token'],
    hasSecret: true,
  },
  public: {
    grants: ['authorization_code', 'refresh_token', DEVICE_CODE],
    defaultGrants: ['authorization_code', 'refresh_token'],
    hasSecret: false,
  },
  backend: {
    grants: ['password', 'refresh_token', 'client_credentials', TOKEN_EXCHANGE],
    defaultGrants: ['password', 'refresh_token'],
    hasSecret: true,
  },
});

/** True when an application of `type` (and `tenancy`) may ever be allowed `grant`. */
export function typeAllows(type: AppType, tenancy: Tenancy, grant: string): boolean {
  // client_credentials issues a token for the application on behalf of its one tenant (the tenant's
  // claims): without a tenant there is nothing to issue it for.
  if (grant === 'client_credentials' && tenancy !== 'single') return false;
  return (APP_TYPE_RULES[type].grants as readonly string[]).includes(grant);
}

export function isAppType(value: string): value is AppType {
  return (APP_TYPES as readonly string[]).includes(value);
}

/** Every grant_type some type of application may be allowed (each one a key of the grant table). */
const REGISTRABLE: ReadonlySet<string> = new Set(Object.values(APP_TYPE_RULES).flatMap((r) => r.grants));

export function isGrantName(value: string): value is GrantName {
  return REGISTRABLE.has(value);
}
