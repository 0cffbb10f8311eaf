// GET /healthz (the process answers) and GET /readyz (the database answers too).
import type { FastifyInstance } from 'fastify';
import { OAuthError } from '../errors.js';
import { sendJson } from '../http/headers.js';
import type { Storage } from '../storage/contract/index.js';

export const HEALTHZ_PATH = '/healthz';
export const READYZ_PATH = '/readyz';

const OK = JSON.stringify({ status: 'ok' });

/** Registers liveness and readiness probes; neither is cached. */
export function registerHealth(app: FastifyInstance, storage: Pick<Storage, 'ping'>): void {
  app.get(HEALTHZ_PATH, async (_request, reply) => sendJson(reply.header('Cache-Control', 'no-store'), OK));
  app.get(READYZ_PATH, async (request, reply) => {
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
