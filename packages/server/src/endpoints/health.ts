// GET /healthz (the process answers) and GET /readyz (the database answers too).
import type { FastifyInstance } from 'fastify';
import { databaseUnavailable } from '../http/errors.js';
import { sendJson } from '../http/headers.js';
import { ROUTE } from '../http/routes.js';
import type { Storage } from '../storage/contract/index.js';
import { unavailableIn } from '../storage/errors.js';

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
      // storage.ping() is bounded by the database timeouts: this answers within them.
      throw databaseUnavailable(unavailableIn(err)?.retryAfterSeconds ?? 1);
    }
    return sendJson(reply, OK);
  });
}
