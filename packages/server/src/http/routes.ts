// The one table of the service's routes. Each line says what the route is (name, path, methods), who
// may call it from a browser (CORS), how routine its requests are (the request log level) and how its
// caller authenticates. The 405 answers with `Allow`, CORS and preflight, and the request log all
// derive from it, and the server refuses to start when a registered route and the table disagree.
import type { FastifyInstance } from 'fastify';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * How the caller of a route authenticates: not at all, as a client (RFC 6749 §2.3), or with a bearer
 * access token (RFC 6750 §2).
 */
export type RouteAuth = 'none' | 'client' | 'bearer';

/** What the table says of one route. */
export interface RouteSpec {
  /** The exact path, without query. */
  readonly path: string;
  /** The methods it answers; HEAD rides along with GET, OPTIONS with `cors`. */
  readonly methods: readonly HttpMethod[];
  /** Callable from browsers: CORS headers for registered origins, and a preflight answer. */
  readonly cors: boolean;
  /** The log level of a successful request: `debug` for routine reads (public documents, probes). */
  readonly log: 'debug' | 'info';
  readonly auth: RouteAuth;
}

/**
 * Every route of the service by name (the endpoint module of that name answers it). Adding an endpoint
 * is a line here and its module under endpoints/.
 */
export const ROUTE = {
  discovery: {
    path: '/.well-known/openid-configuration',
    methods: ['GET'],
    cors: true,
    log: 'debug',
    auth: 'none',
  },
  'authorization-server-metadata': {
    path: '/.well-known/oauth-authorization-server',
    methods: ['GET'],
    cors: true,
    log: 'debug',
    auth: 'none',
  },
  token: { path: '/auth/token', methods: ['POST'], cors: true, log: 'info', auth: 'client' },
  revocation: { path: '/auth/revoke', methods: ['POST'], cors: true, log: 'info', auth: 'client' },
  introspection: { path: '/auth/introspect', methods: ['POST'], cors: false, log: 'info', auth: 'client' },
  authorize: { path: '/auth/authorize', methods: ['GET', 'POST'], cors: false, log: 'info', auth: 'none' },
  logout: {
    path: '/auth/authorize/logout',
    methods: ['GET', 'POST'],
    cors: false,
    log: 'info',
    auth: 'none',
  },
  jwks: { path: '/auth/jwks', methods: ['GET'], cors: true, log: 'debug', auth: 'none' },
  revocations: { path: '/auth/revocations', methods: ['GET'], cors: false, log: 'debug', auth: 'none' },
  userinfo: { path: '/auth/userinfo', methods: ['GET', 'POST'], cors: true, log: 'info', auth: 'bearer' },
  /** RFC 8628 §3.1: a device asks for a device code and a user code (endpoints/device-authorization.ts). */
  'device-authorization': {
    path: '/auth/device',
    methods: ['POST'],
    cors: false,
    log: 'info',
    auth: 'client',
  },
  /** RFC 8628 §3.3: where the person enters the user code and approves (endpoints/device-verify.ts). */
  'device-verify': {
    path: '/auth/device/verify',
    methods: ['GET', 'POST'],
    cors: false,
    log: 'info',
    auth: 'none',
  },
  /** Self-service password reset: the e-mail form (endpoints/password-reset.ts; docs/people.md). */
  'password-reset': {
    path: '/auth/password-reset',
    methods: ['GET', 'POST'],
    cors: false,
    log: 'info',
    auth: 'none',
  },
  /** The new-password form a mailed reset link opens. */
  'password-reset-confirm': {
    path: '/auth/password-reset/confirm',
    methods: ['GET', 'POST'],
    cors: false,
    log: 'info',
    auth: 'none',
  },
  /** E-mail verification at sign-in: "send the link again" (endpoints/email-verification.ts). */
  'email-verification': {
    path: '/auth/email-verification',
    methods: ['POST'],
    cors: false,
    log: 'info',
    auth: 'none',
  },
  /** The form a mailed e-mail verification link opens. */
  'email-verification-confirm': {
    path: '/auth/email-verification/confirm',
    methods: ['GET', 'POST'],
    cors: false,
    log: 'info',
    auth: 'none',
  },
  /** The password form a mailed invitation opens (endpoints/invitation.ts; docs/people.md). */
  invitation: { path: '/auth/invitation', methods: ['GET', 'POST'], cors: false, log: 'info', auth: 'none' },
  /** Passkeys: the self-service page and the sign-in page's script (endpoints/passkeys.ts). */
  passkeys: { path: '/auth/passkeys', methods: ['GET', 'POST'], cors: false, log: 'info', auth: 'none' },
  'passkeys-script': {
    path: '/auth/passkeys.js',
    methods: ['GET'],
    cors: false,
    log: 'debug',
    auth: 'none',
  },
  'tenant-configuration': {
    path: '/.well-known/cxone-configuration',
    methods: ['GET'],
    cors: true,
    log: 'info',
    auth: 'none',
  },
  healthz: { path: '/healthz', methods: ['GET'], cors: false, log: 'debug', auth: 'none' },
  readyz: { path: '/readyz', methods: ['GET'], cors: false, log: 'debug', auth: 'none' },
  console: { path: '/console', methods: ['GET'], cors: false, log: 'debug', auth: 'none' },
  /** What this service is and where to go: the console, discovery, probes, docs (endpoints/landing.ts). */
  landing: { path: '/', methods: ['GET'], cors: false, log: 'debug', auth: 'none' },
} as const satisfies Readonly<Record<string, RouteSpec>>;

export type RouteName = keyof typeof ROUTE;

/**
 * A family of routes under one path prefix, answered by one router with its own schemas (the admin
 * API): the table fixes its methods, CORS, logging and auth once for all, and the router itself answers
 * 404 and 405 (with `Allow`) below the prefix, since its paths have parameters.
 */
export interface PrefixSpec extends Omit<RouteSpec, 'path'> {
  /** Every route of the family lies below this path (no trailing slash). */
  readonly prefix: string;
}

/** Every prefix entry by name; `/admin/v1/*` is the admin REST API (docs/admin-api.md). */
export const ROUTE_PREFIX = {
  admin: {
    prefix: '/admin/v1',
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    // Called by the console from the service's own origin: no cross-origin callers.
    cors: false,
    log: 'info',
    auth: 'bearer',
  },
  /** The web console's static files (docs/console.md); it signs in like any public app. */
  console: { prefix: '/console', methods: ['GET'], cors: false, log: 'debug', auth: 'none' },
  /**
   * Enterprise sign-in (docs/sso.md): `/auth/sso/oidc/{idpId}/callback`, where a tenant's identity
   * provider sends the browser back.
   */
  sso: { prefix: '/auth/sso', methods: ['GET', 'POST'], cors: false, log: 'info', auth: 'none' },
  /** SCIM 2.0 provisioning, `/scim/v2/{tenantId}/…` (docs/scim.md), for a tenant's SCIM tokens. */
  scim: {
    prefix: '/scim/v2',
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    // Called by identity providers' servers, never by browsers.
    cors: false,
    log: 'info',
    auth: 'bearer',
  },
} as const satisfies Readonly<Record<string, PrefixSpec>>;

/** The prefix entry a path lies under, if any. */
export function prefixOf(
  path: string,
  prefixes: readonly PrefixSpec[] = Object.values(ROUTE_PREFIX),
): PrefixSpec | undefined {
  return prefixes.find((p) => path.startsWith(`${p.prefix}/`));
}

export interface Route extends RouteSpec {
  readonly name: RouteName;
}

/** The table as a list, in its order. */
export const ROUTES: readonly Route[] = Object.freeze(
  (Object.keys(ROUTE) as RouteName[]).map((name) => Object.freeze({ name, ...ROUTE[name] })),
);

/**
 * What a route's `Allow` header lists: its methods, OPTIONS where it has CORS, HEAD where it has GET.
 * @see RFC 9110 §10.2.1 (Allow), §9.3.2 (HEAD)
 */
export function allowOf(route: RouteSpec): readonly string[] {
  const methods: string[] = [...route.methods];
  if (route.cors) methods.push('OPTIONS');
  if (methods.includes('GET')) methods.push('HEAD');
  return methods;
}

/** The `Allow` list of each path (for 405 answers). */
export function allowedMethods(routes: readonly Route[] = ROUTES): ReadonlyMap<string, readonly string[]> {
  return new Map(routes.map((r) => [r.path, allowOf(r)]));
}

/** The browser-callable routes (CORS, preflight). */
export function corsRoutes(routes: readonly Route[] = ROUTES): readonly Route[] {
  return routes.filter((r) => r.cors);
}

/** The paths whose successful requests are logged at debug level. */
export function routinePaths(routes: readonly Route[] = ROUTES): ReadonlySet<string> {
  return new Set(routes.filter((r) => r.log === 'debug').map((r) => r.path));
}

/** True when `method` on `path` is declared by the table (HEAD with GET, OPTIONS with CORS). */
function declared(routes: readonly Route[], path: string, method: string): boolean {
  const route = routes.find((r) => r.path === path);
  if (!route) return false;
  if (method === 'OPTIONS') return route.cors;
  const methods: readonly string[] = route.methods;
  return methods.includes(method) || (method === 'HEAD' && methods.includes('GET'));
}

/** True when a route of a prefix family may answer `method` (HEAD with GET, OPTIONS with CORS). */
function declaredIn(family: PrefixSpec, method: string): boolean {
  if (method === 'OPTIONS') return family.cors;
  const methods: readonly string[] = family.methods;
  return methods.includes(method) || (method === 'HEAD' && methods.includes('GET'));
}

/**
 * Makes the table binding: registering a route it does not declare throws at once, and `check()`
 * (called once every endpoint is registered) throws when a declared route has no handler.
 */
export function enforceRoutes(
  app: FastifyInstance,
  routes: readonly Route[] = ROUTES,
  // A table given by a caller (a test) has no prefix families unless it names them.
  prefixes: readonly PrefixSpec[] = routes === ROUTES ? Object.values(ROUTE_PREFIX) : [],
): { check(): void } {
  const answered = new Set<string>();
  app.addHook('onRoute', (options) => {
    const family = prefixOf(options.url, prefixes);
    if (family) answered.add(family.prefix);
    for (const method of [options.method].flat()) {
      if (family ? !declaredIn(family, method) : !declared(routes, options.url, method)) {
        throw new Error(`${method} ${options.url} is not in the route table (http/routes.ts)`);
      }
    }
  });
  return {
    check() {
      for (const family of prefixes) {
        if (!answered.has(family.prefix)) {
          throw new Error(`the route table lists ${family.prefix}/*, but nothing answers below it`);
        }
      }
      for (const route of routes) {
        for (const method of route.methods) {
          if (!app.hasRoute({ url: route.path, method })) {
            throw new Error(`the route table lists ${method} ${route.path}, but nothing answers it`);
          }
        }
      }
    },
  };
}
