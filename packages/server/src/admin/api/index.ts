// The admin REST API (docs/admin-api.md): the plugin under ROUTE_PREFIX.admin, its OpenAPI 3.1
// document generated from the routes' schemas, and the resource modules, one per line.
import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { ROUTE_PREFIX } from '../../http/routes.js';
import { accessKeyRoutes } from './access-keys.js';
import { applicationRoutes } from './applications.js';
import { platformRoutes } from './platform.js';
import { type AdminApiDeps, adminRouters } from './router.js';
import { statsRoutes } from './stats.js';
import { tenantRoutes } from './tenants.js';
import { userRoutes } from './users.js';

export type { AdminApiDeps } from './router.js';

/** Registers the admin API; its OpenAPI document is `GET /admin/v1/openapi.json`. */
export async function registerAdminApi(app: FastifyInstance, deps: AdminApiDeps): Promise<void> {
  const { prefix } = ROUTE_PREFIX.admin;
  await app.register(
    async (scope) => {
      await scope.register(swagger, {
        openapi: {
          openapi: '3.1.0',
          info: { title: 'cxauth admin API', version: '1' },
          servers: [{ url: deps.config.issuer }],
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
    },
    { prefix },
  );
}
