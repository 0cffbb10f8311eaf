// The admin REST API (docs/admin-api.md): the plugin under ROUTE_PREFIX.admin, its OpenAPI 3.1
// document generated from the routes' schemas, and the resource modules, one per line.
import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { ROUTE_PREFIX } from '../../http/routes.js';
import { accessKeyRoutes } from './access-keys.js';
import { applicationRoutes } from './applications.js';
import { identityProviderRoutes } from './identity-providers.js';
import { invitationRoutes } from './invitations.js';
import { mailTemplateRoutes } from './mail-templates.js';
import { platformRoutes } from './platform.js';
import { type AdminApiDeps, adminRouters } from './router.js';
import { scimTokenRoutes } from './scim-tokens.js';
import { statsRoutes } from './stats.js';
import { tenantRoutes } from './tenants.js';
import { userRoutes } from './users.js';
import { webhookRoutes } from './webhooks.js';

export type { AdminApiDeps } from './router.js';

export interface AdminApiOptions {
  /** The document's `servers` (OpenAPI 3.1 §4.8.5); the issuer when not given. */
  readonly servers?: readonly { readonly url: string }[];
}

/** Registers the admin API; its OpenAPI document is `GET /admin/v1/openapi.json`. */
export async function registerAdminApi(
  app: FastifyInstance,
  deps: AdminApiDeps,
  options: AdminApiOptions = {},
): Promise<void> {
  const { prefix } = ROUTE_PREFIX.admin;
  await app.register(
    async (scope) => {
      await scope.register(swagger, {
        // Each named schema is one entry of `components.schemas`, under its `$id` (schemas.ts).
        refResolver: {
          buildLocalReference: (json, _base, _fragment, i) => String(json['$id'] ?? `def-${i}`),
        },
        openapi: {
          openapi: '3.1.0',
          info: { title: 'cxauth admin API', version: '1' },
          servers: [...(options.servers ?? [{ url: deps.config.issuer }])],
          components: {
            securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
          },
        },
      });
      const { signedIn, anonymous } = adminRouters(scope, deps, prefix);
      anonymous.route({
        method: 'GET',
        url: '/openapi.json',
        summary: 'This API as an OpenAPI 3.1 document',
        tag: 'meta',
        response: { 200: { type: 'object', additionalProperties: true } as never },
        async handler({ reply }) {
          reply.header('Cache-Control', 'public, max-age=300');
          return reply.type('application/json; charset=utf-8').send(JSON.stringify(scope.swagger()));
        },
      });
      tenantRoutes(signedIn, deps);
      userRoutes(signedIn, deps);
      accessKeyRoutes(signedIn, deps);
      applicationRoutes(signedIn, deps);
      platformRoutes(signedIn, deps);
      statsRoutes(signedIn, deps);
      scimTokenRoutes(signedIn, deps);
      webhookRoutes(signedIn, deps);
      identityProviderRoutes(signedIn, deps);
      invitationRoutes(signedIn, deps);
      mailTemplateRoutes(signedIn, deps);
    },
    { prefix },
  );
}
