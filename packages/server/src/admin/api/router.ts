// The admin API's router: one Fastify plugin under `/admin/v1` (http/routes.ts ROUTE_PREFIX.admin)
// with its own JSON parser, a validator that refuses unknown members, problem-details errors, and 404
// and 405 answers of its own. Routes are declared through an audience's router: the signed-in router
// runs the bearer guard on every route it declares (a route cannot forget it), the public router none.
import type { TSchema } from '@sinclair/typebox';
import { Ajv } from 'ajv';
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import type { ServerConfig } from '../../config/config.js';
import type { Audit } from '../../observability/audit.js';
import type { Storage } from '../../storage/contract/index.js';
import type { WebhookAdmin } from '../../webhooks/subscriptions.js';
import { type Admin, audited } from '../service/admin.js';
import { reaching } from '../service/reach.js';
import { authenticate, type GuardDeps, type Principal } from './principal.js';
import { handleProblem, Problem, sendProblem } from './problem.js';
import { COMPONENTS } from './schemas.js';

export interface AdminApiDeps extends GuardDeps {
  /** The admin service without an audit trail (admin.ts createAdminService): reads go straight here. */
  readonly admin: Admin;
  /** Where each request's changes are recorded, as `user:<id>` from the caller's address. */
  readonly audit: Audit;
  readonly storage: Storage;
  readonly config: ServerConfig;
  /** Webhook subscriptions and their delivery log (absent without a KEK to seal their secrets). */
  readonly webhooks?: WebhookAdmin;
}

export interface RouteContext {
  readonly request: FastifyRequest;
  readonly reply: FastifyReply;
  readonly principal: Principal;
  /**
   * The admin service acting as the principal: every change it makes is in the audit trail, and a
   * platform operator's sessions, keys and factors are out of its reach unless it is an operator.
   */
  readonly admin: Admin;
}

export interface RouteDef<C> {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Below the prefix, Fastify style (`/users/:id`). */
  readonly url: string;
  readonly summary: string;
  readonly tag: string;
  readonly params?: TSchema;
  readonly querystring?: TSchema;
  readonly body?: TSchema;
  /** A larger body than the API's usual limit (CXAUTH_BODY_LIMIT), for the route that needs one. */
  readonly bodyLimit?: number;
  /** The success responses by status (errors are problem details, added to every route). */
  readonly response: Record<number, TSchema | null>;
  readonly handler: (ctx: C) => Promise<unknown>;
}

export interface Router<C> {
  route(def: RouteDef<C>): void;
}

// The problems every route may answer; 503 when the database is down, slow or locked (problem.ts).
const PROBLEMS = [400, 401, 403, 404, 409, 412, 503] as const;

/** Request parts other than the body arrive as text: those may be coerced, a JSON body never is. */
function validators(components: readonly object[]) {
  const options = { allErrors: false, removeAdditional: false, useDefaults: true, strict: false } as const;
  const body = new Ajv({ ...options, coerceTypes: false, schemas: [...components] });
  const text = new Ajv({ ...options, coerceTypes: true, schemas: [...components] });
  return ({ schema, httpPart }: { schema: object; httpPart?: string }) =>
    (httpPart === 'body' ? body : text).compile(schema);
}

const NAMED = new Set(COMPONENTS.map((schema) => schema.$id));

/**
 * `schema` as plain JSON Schema with each named schema inside it (schemas.ts COMPONENTS) replaced by
 * a `$ref` to its `$id`: the OpenAPI document lists each once, in `components.schemas`.
 */
function referring(schema: unknown, root = true): unknown {
  if (Array.isArray(schema)) return schema.map((item) => referring(item, false));
  if (typeof schema !== 'object' || schema === null) return schema;
  const id = (schema as { $id?: unknown }).$id;
  if (!root && typeof id === 'string' && NAMED.has(id)) return { $ref: id };
  return Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, referring(v, false)]));
}
const refer = (schema: TSchema) => referring(schema, false) as object;
/** The named schemas, each with the named schemas inside it as references. */
export const components = (): object[] => COMPONENTS.map((schema) => referring(schema) as object);

/**
 * Matches `/users/:id` against a concrete path (`::` is a literal colon, as in `users::import`; a
 * parameter's own pattern, `:name(^[a-z_]+)`, is left to Fastify).
 */
function matcher(url: string): RegExp {
  const escaped = url
    .replace(/(:[A-Za-z_]+)\([^)]*\)/g, '$1')
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    .replace(/::|:[A-Za-z_]+/g, (m) => (m === '::' ? ':' : '[^/]+'));
  return new RegExp(`^${escaped}$`);
}

/**
 * Installs the API's parsing, validation and error answers in `scope` (the plugin's context) and
 * returns the routers of its audiences.
 */
export function adminRouters(scope: FastifyInstance, deps: AdminApiDeps, prefix: string) {
  scope.addContentTypeParser(
    'application/json',
    { parseAs: 'string', bodyLimit: deps.config.bodyLimit },
    scope.getDefaultJsonParser('error', 'error'),
  );
  const named = components();
  for (const schema of named) scope.addSchema(schema);
  scope.setValidatorCompiler(validators(named));
  scope.setErrorHandler(handleProblem);
  const declared: { pattern: RegExp; methods: Set<string> }[] = [];
  scope.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]?.slice(prefix.length) ?? '';
    const methods = new Set<string>();
    for (const d of declared) if (d.pattern.test(path)) for (const m of d.methods) methods.add(m);
    if (methods.size === 0) return sendProblem(reply, new Problem(404, 'Not Found', 'no such endpoint'));
    if (methods.has('GET')) methods.add('HEAD');
    reply.header('Allow', [...methods].join(', '));
    return sendProblem(reply, new Problem(405, 'Method Not Allowed', `use ${[...methods].join(' or ')}`));
  });
  const principals = new WeakMap<FastifyRequest, Principal>();

  function register<C>(
    def: RouteDef<C>,
    guarded: boolean,
    context: (req: FastifyRequest, reply: FastifyReply) => C,
  ) {
    const existing = declared.find((d) => d.pattern.source === matcher(def.url).source);
    if (existing) existing.methods.add(def.method);
    else declared.push({ pattern: matcher(def.url), methods: new Set([def.method]) });
    const response: Record<number, object> = {};
    for (const [status, schema] of Object.entries(def.response)) {
      response[Number(status)] = schema ? refer(schema) : { type: 'null', description: 'no content' };
    }
    for (const status of PROBLEMS) response[status] = { $ref: 'Problem' };
    scope.route({
      method: def.method as HTTPMethods,
      url: def.url,
      ...(def.bodyLimit === undefined ? {} : { bodyLimit: def.bodyLimit }),
      schema: {
        summary: def.summary,
        tags: [def.tag],
        ...(guarded ? { security: [{ bearer: [] }] } : {}),
        ...(def.params ? { params: def.params } : {}),
        ...(def.querystring ? { querystring: def.querystring } : {}),
        ...(def.body ? { body: refer(def.body) } : {}),
        response,
      },
      // Before parsing and validation: an anonymous caller learns nothing about the body's shape.
      ...(guarded
        ? {
            onRequest: async (request: FastifyRequest) => {
              principals.set(request, await authenticate(deps, request));
            },
          }
        : {}),
      handler: async (request, reply) => {
        reply.header('Cache-Control', 'no-store');
        const result = await def.handler(context(request, reply));
        if (reply.sent) return reply;
        return result ?? reply.send();
      },
    });
  }

  const signedIn: Router<RouteContext> = {
    route: (def) =>
      register(def, true, (request, reply) => {
        const principal = principals.get(request);
        if (!principal) throw new Error('admin route without its guard');
        const admin = reaching(
          audited(deps.admin, deps.audit, `user:${principal.user.id}`, request.ip),
          deps.storage,
          { userId: principal.user.id, operator: principal.level === 'operator' },
        );
        return { request, reply, principal, admin };
      }),
  };
  const anonymous: Router<Omit<RouteContext, 'principal' | 'admin'>> = {
    route: (def) => register(def, false, (request, reply) => ({ request, reply })),
  };
  return { signedIn, anonymous };
}
