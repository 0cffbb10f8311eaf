// GET /healthz (the process answers) and GET /readyz (the database answers too).
import type { FastifyInstance } from 'fastify';
import { sendJson } from '../http/headers.js';
import { ROUTE } from '../http/routes.js';
import { OAuthError } from '../protocol/errors.js';
import type { Storage } from '../storage/contract/index.js';

const OK = JSON.stringify({ status: 'ok' });

/** Registers liveness and readiness probes; neither is cached. */
export function registerHealth(app: FastifyInstance, storage: Pick<Storage, 'ping'>): void {
  app.get(ROUTE.healthz.path, async (_request, reply) =>
    sendJson(reply.header('Cache-Control', 'no-store'), OK),
  );
  app.get(ROUTE.readyz.path, async (request, reply) => {
    reply.header('Cache-Control', 'no-store');
    try {
      await storage.ping();
    } catch (err) {
      request.log.warn({ err }, 'database unreachable');
      throw new OAuthError('temporarily_unavailable', 'the database is unreachable', { status: 503 });
    }
    return sendJson(reply, OK);
  });
}
