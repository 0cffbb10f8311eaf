// GET|POST /auth/invitation: the password form a mailed invitation opens, interaction/invitation.ts.
import type { FastifyInstance } from 'fastify';
import { ROUTE } from '../http/routes.js';
import { acceptInvitation, type InvitationDeps, showInvitation } from '../interaction/invitation.js';
import { refusePage } from '../interaction/outcome.js';
import { isForm } from '../protocol/params.js';
import type { Services } from '../services/index.js';

export function registerInvitation(
  app: FastifyInstance,
  services: Pick<Services, 'config' | 'storage' | 'hasher' | 'signIn' | 'audit' | 'clock'>,
): void {
  const deps: InvitationDeps = {
    config: services.config,
    storage: services.storage,
    hasher: services.hasher,
    sealer: services.signIn.sealer,
    cookies: services.signIn.cookies,
    sessions: services.signIn.sessions,
    audit: services.audit,
    clock: services.clock,
    path: ROUTE.invitation.path,
    consolePath: ROUTE.console.path,
  };
  app.get(deps.path, (request, reply) => showInvitation(deps, request, reply));
  app.post(deps.path, (request, reply) => {
    if (!isForm(request.headers['content-type'])) {
      return refusePage(reply, 415, 'This page is not valid', 'The form was not sent as a form.');
    }
    return acceptInvitation(deps, request, reply);
  });
}
