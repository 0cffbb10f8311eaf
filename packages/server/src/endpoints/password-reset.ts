// GET|POST /auth/password-reset (the e-mail form) and GET|POST /auth/password-reset/confirm (the
// new-password form a mailed link opens): self-service password reset, interaction/password-reset.ts.
import type { FastifyInstance } from 'fastify';
import { ROUTE } from '../http/routes.js';
import { refusePage } from '../interaction/outcome.js';
import {
  handleConfirm,
  handleResetRequest,
  type PasswordResetDeps,
  showConfirm,
  showResetRequest,
} from '../interaction/password-reset.js';
import { isForm } from '../protocol/params.js';
import type { Services } from '../services/index.js';

export function registerPasswordReset(
  app: FastifyInstance,
  services: Pick<
    Services,
    'config' | 'storage' | 'hasher' | 'signIn' | 'throttle' | 'audit' | 'clock' | 'mailer'
  >,
): void {
  const deps: PasswordResetDeps = {
    config: services.config,
    storage: services.storage,
    hasher: services.hasher,
    sealer: services.signIn.sealer,
    cookies: services.signIn.cookies,
    throttle: services.throttle,
    audit: services.audit,
    mailer: services.mailer,
    clock: services.clock,
    requestPath: ROUTE['password-reset'].path,
    confirmPath: ROUTE['password-reset-confirm'].path,
  };
  const unavailable = (reply: Parameters<typeof refusePage>[0]) =>
    refusePage(reply, 503, 'Password reset is not available', 'This service sends no mail (it has no KEK).');
  const notForm = (reply: Parameters<typeof refusePage>[0]) =>
    refusePage(reply, 415, 'This page is not valid', 'The form was not sent as a form.');
  app.get(deps.requestPath, (request, reply) =>
    deps.mailer ? showResetRequest(deps, request, reply) : unavailable(reply),
  );
  app.post(deps.requestPath, (request, reply) => {
    if (!deps.mailer) return unavailable(reply);
    if (!isForm(request.headers['content-type'])) return notForm(reply);
    return handleResetRequest(deps, request, reply);
  });
  app.get(deps.confirmPath, (request, reply) => showConfirm(deps, request, reply));
  app.post(deps.confirmPath, (request, reply) => {
    if (!isForm(request.headers['content-type'])) return notForm(reply);
    return handleConfirm(deps, request, reply);
  });
}
