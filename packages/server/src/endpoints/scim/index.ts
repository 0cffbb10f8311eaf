// SCIM 2.0 (RFC 7644) under `/scim/v2/{tenantId}/` (http/routes.ts ROUTE_PREFIX.scim): Users, Groups and
// the discovery resources of one tenant, for its SCIM bearer tokens only; every body and every error is
// `application/scim+json` (docs/scim.md).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { serviceUnavailable } from '../../http/errors.js';
import { ROUTE_PREFIX } from '../../http/routes.js';
import type { Audit } from '../../observability/audit.js';
import { OAuthError } from '../../protocol/errors.js';
import { discoveryList, resourceTypes, schemas, serviceProviderConfig } from '../../scim/discovery.js';
import { badRequest, notFound, ScimError } from '../../scim/errors.js';
import { SCIM_MEDIA_TYPE } from '../../scim/schemas.js';
import { type ListQuery, type ScimCaller, scimService } from '../../scim/service.js';
import { authenticateScim } from '../../scim/tokens.js';
import type { Hasher } from '../../secrets/hasher.js';
import type { Services } from '../../services/index.js';
import type { Storage } from '../../storage/contract/index.js';
import { unavailableIn } from '../../storage/errors.js';
import type { Throttle } from '../../throttling/throttle.js';

interface ScimEndpointDeps {
  readonly issuer: string;
  readonly storage: Storage;
  readonly hasher: Hasher;
  readonly throttle: Throttle;
  readonly audit: Audit;
  readonly clock: () => Date;
  readonly bodyLimit: number;
}

const TENANT_ID = /^[A-Za-z0-9._-]{1,64}$/;
const CONTENT_TYPE = `${SCIM_MEDIA_TYPE}; charset=utf-8`;

function send(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  reply.code(status).type(CONTENT_TYPE).header('Cache-Control', 'no-store');
  return reply.send(JSON.stringify(body));
}

function sendError(reply: FastifyReply, err: ScimError): FastifyReply {
  for (const [name, value] of Object.entries(err.headers)) reply.header(name, value);
  return send(reply, err.status, err.toJSON());
}

/** Any failure in the SCIM error schema: never internals (RFC 7644 §3.12). */
function scimErrorOf(err: unknown, request: FastifyRequest): ScimError {
  if (err instanceof ScimError) return err;
  const unavailable = unavailableIn(err);
  if (unavailable) {
    request.log.warn({ err: unavailable.cause ?? unavailable }, unavailable.message);
    const answer = serviceUnavailable(unavailable.retryAfterSeconds);
    return new ScimError(503, answer.description, undefined, answer.headers);
  }
  if (err instanceof OAuthError && err.status < 500) {
    return new ScimError(err.status, err.description, undefined, err.headers);
  }
  const status = (err as { statusCode?: number }).statusCode ?? 500;
  const code = (err as { code?: string }).code;
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new ScimError(413, 'the request body is too large');
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return new ScimError(415, `bodies are ${SCIM_MEDIA_TYPE} or application/json`);
  }
  if (status >= 400 && status < 500) return badRequest('invalidSyntax', 'malformed request');
  request.log.error({ err }, 'unexpected failure');
  return new ScimError(500, 'internal server error');
}

/** The declared paths and their methods, for 405 answers with Allow. */
const PATHS: readonly [RegExp, readonly string[]][] = [
  [/^\/[^/]+\/(Users|Groups)$/, ['GET', 'POST']],
  [/^\/[^/]+\/(Users|Groups)\/[^/]+$/, ['GET', 'PUT', 'PATCH', 'DELETE']],
  [/^\/[^/]+\/(ServiceProviderConfig|ResourceTypes|Schemas)(\/[^/]+)?$/, ['GET']],
];

type Params = { tenantId: string; id?: string };

export async function registerScim(
  app: FastifyInstance,
  services: Pick<Services, 'config' | 'storage' | 'hasher' | 'throttle' | 'audit' | 'clock'>,
): Promise<void> {
  const { config } = services;
  const deps: ScimEndpointDeps = { ...services, issuer: config.issuer, bodyLimit: config.bodyLimit };
  const { prefix } = ROUTE_PREFIX.scim;
  const service = scimService(deps);
  await app.register(
    async (scope) => {
      const parse = (
        _req: FastifyRequest,
        body: string,
        done: (err: Error | null, value?: unknown) => void,
      ) => {
        try {
          done(null, body.length === 0 ? undefined : JSON.parse(body));
        } catch {
          done(badRequest('invalidSyntax', 'the request body is not valid JSON'));
        }
      };
      scope.addContentTypeParser(
        [SCIM_MEDIA_TYPE, 'application/json'],
        { parseAs: 'string', bodyLimit: deps.bodyLimit },
        parse,
      );
      scope.setErrorHandler((err, request, reply) => sendError(reply, scimErrorOf(err, request)));
      scope.setNotFoundHandler((request, reply) => {
        const path = (request.url.split('?')[0] ?? '').slice(prefix.length);
        const allow = PATHS.find(([pattern]) => pattern.test(path))?.[1];
        if (!allow) return sendError(reply, new ScimError(404, 'no such endpoint'));
        reply.header('Allow', [...allow, ...(allow.includes('GET') ? ['HEAD'] : [])].join(', '));
        return sendError(reply, new ScimError(405, `use ${allow.join(' or ')}`));
      });

      /** The caller of a request: the tenant of the path, for that tenant's tokens only. */
      async function caller(request: FastifyRequest): Promise<ScimCaller> {
        const { tenantId } = request.params as Params;
        if (!TENANT_ID.test(tenantId)) throw notFound('tenant', tenantId);
        const token = await authenticateScim(deps, request.headers.authorization, tenantId, request.ip);
        return {
          tenantId,
          base: `${deps.issuer}${prefix}/${encodeURIComponent(tenantId)}`,
          tokenId: token.id,
          address: request.ip,
        };
      }
      const idOf = (request: FastifyRequest) => (request.params as Params).id ?? '';
      const query = (request: FastifyRequest) => request.query as ListQuery;
      const ifMatch = (request: FastifyRequest) => request.headers['if-match'];
      const resource = (reply: FastifyReply, status: number, body: Record<string, unknown>) => {
        const meta = body['meta'] as { version?: string; location?: string } | undefined;
        if (meta?.version) reply.header('ETag', meta.version);
        if (status === 201 && meta?.location) reply.header('Location', meta.location);
        return send(reply, status, body);
      };

      for (const [kind, plural] of [
        ['User', 'Users'],
        ['Group', 'Groups'],
      ] as const) {
        const ops =
          kind === 'User'
            ? {
                list: service.listUsers,
                get: (c: ScimCaller, id: string) => service.getUser(c, id),
                create: service.createUser,
                replace: service.replaceUser,
                patch: service.patchUser,
                remove: service.deleteUser,
              }
            : {
                list: service.listGroups,
                get: (c: ScimCaller, id: string, q?: ListQuery) => service.getGroup(c, id, q),
                create: service.createGroup,
                replace: service.replaceGroup,
                patch: service.patchGroup,
                remove: service.deleteGroup,
              };
        scope.get(`/:tenantId/${plural}`, async (request, reply) =>
          send(reply, 200, await ops.list(await caller(request), query(request))),
        );
        scope.post(`/:tenantId/${plural}`, async (request, reply) =>
          resource(reply, 201, await ops.create(await caller(request), request.body)),
        );
        scope.get(`/:tenantId/${plural}/:id`, async (request, reply) => {
          const body = await ops.get(await caller(request), idOf(request), query(request));
          // RFC 7644 §3.14: a GET naming the current version in If-None-Match is 304.
          const version = (body['meta'] as { version?: string }).version;
          if (version && request.headers['if-none-match'] === version) {
            return reply.code(304).header('ETag', version).send();
          }
          return resource(reply, 200, body);
        });
        scope.put(`/:tenantId/${plural}/:id`, async (request, reply) =>
          resource(
            reply,
            200,
            await ops.replace(await caller(request), idOf(request), request.body, ifMatch(request)),
          ),
        );
        scope.patch(`/:tenantId/${plural}/:id`, async (request, reply) =>
          resource(
            reply,
            200,
            await ops.patch(await caller(request), idOf(request), request.body, ifMatch(request)),
          ),
        );
        scope.delete(`/:tenantId/${plural}/:id`, async (request, reply) => {
          await ops.remove(await caller(request), idOf(request), ifMatch(request));
          return reply.code(204).header('Cache-Control', 'no-store').send();
        });
      }

      scope.get('/:tenantId/ServiceProviderConfig', async (request, reply) =>
        send(reply, 200, serviceProviderConfig((await caller(request)).base)),
      );
      for (const [path, list] of [
        ['ResourceTypes', resourceTypes],
        ['Schemas', schemas],
      ] as const) {
        scope.get(`/:tenantId/${path}`, async (request, reply) =>
          send(reply, 200, discoveryList(list((await caller(request)).base))),
        );
        scope.get(`/:tenantId/${path}/:id`, async (request, reply) => {
          const id = idOf(request);
          const found = list((await caller(request)).base).find((r) => r['id'] === id);
          if (!found) throw notFound(path === 'Schemas' ? 'Schema' : 'ResourceType', id);
          return send(reply, 200, found);
        });
      }
    },
    { prefix },
  );
}
