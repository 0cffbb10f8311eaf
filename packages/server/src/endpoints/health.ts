// GET /healthz (the process answers) and GET /readyz (the database answers too, and what this node
// found at start: whether its issuer is the one recorded in the database).
import type { FastifyInstance } from 'fastify';
import type { IssuerCheck } from '../admin/service/issuer-record.js';
import { serviceUnavailable } from '../http/errors.js';
import { sendJson } from '../http/headers.js';
import { ROUTE } from '../http/routes.js';
import type { Storage } from '../storage/contract/index.js';
import { unavailableIn } from '../storage/errors.js';

const OK = JSON.stringify({ status: 'ok' });

/**
 * The body of a ready `/readyz`: the named checks. An issuer that differs from the database's is
 * reported and does not fail readiness: the node serves its own tokens correctly, and taking every
 * node of a misconfigured fleet out of a load balancer would turn a warning into an outage
 * (docs/operations.md, "Running several nodes").
 */
export function readyBody(issuer: IssuerCheck | undefined): string {
  if (!issuer) return OK;
  const check =
    issuer.status === 'same'
      ? { status: 'same' }
      : { status: 'differs', configured: issuer.configured, recorded: issuer.recorded };
  return JSON.stringify({ status: 'ok', checks: { database: 'ok', issuer: check } });
}

/** Registers liveness and readiness probes; neither is cached. */
export function registerHealth(
  app: FastifyInstance,
  storage: Pick<Storage, 'ping'>,
  issuer?: IssuerCheck,
): void {
  const ready = readyBody(issuer);
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
      throw serviceUnavailable(unavailableIn(err)?.retryAfterSeconds ?? 1);
    }
    return sendJson(reply, ready);
  });
}
