// POST /auth/email-verification ("send the link again") and GET|POST /auth/email-verification/confirm
// (the form a mailed verification link opens): e-mail verification at sign-in,
// interaction/email-verification.ts (docs/people.md).
import type { FastifyInstance, FastifyReply } from 'fastify';
import { ROUTE } from '../http/routes.js';
import { completeAuthorization } from '../interaction/consent.js';
import { allowsDevice, deviceSignedIn } from '../interaction/device-verify.js';
import { handleResend, handleVerify, showVerify } from '../interaction/email-verification.js';
import { codeFlowAllows } from '../interaction/flow.js';
import { refusePage } from '../interaction/outcome.js';
import { isForm } from '../protocol/params.js';
import type { Services } from '../services/index.js';
import { type InteractionServices, interactionDeps, verificationDeps } from './interaction.js';

export function registerEmailVerification(
  app: FastifyInstance,
  services: InteractionServices & Pick<Services, 'lookups'>,
): void {
  const deps = verificationDeps(services);
  const interaction = interactionDeps(services, ROUTE.authorize.path);
  const notForm = (reply: FastifyReply) =>
    refusePage(reply, 415, 'This page is not valid', 'The form was not sent as a form.');
  app.post(deps.resendPath, (request, reply) => {
    if (!isForm(request.headers['content-type'])) return notForm(reply);
    return handleResend(deps, request, reply);
  });
  app.get(deps.confirmPath, (request, reply) => showVerify(deps, request, reply));
  app.post(deps.confirmPath, (request, reply) => {
    if (!isForm(request.headers['content-type'])) return notForm(reply);
    return handleVerify(deps, request, reply, async ({ req, current, now }) => {
      const client = await (await services.lookups.current(request)).application(req.clientId);
      // A device's sign-in goes on to its confirmation page (the person still answers there, RFC 8628
      // §5.4), which posts to the verification page the sealed request names.
      if (req.deviceAuthorizationId !== undefined) {
        if (!allowsDevice(client)) return undefined;
        return deviceSignedIn(interaction, request, reply, {
          app: client,
          req,
          current,
          now,
          emailVerified: true,
        });
      }
      if (!codeFlowAllows(client, req)) return undefined;
      return completeAuthorization(interaction, request, reply, { app: client, req, current, now });
    });
  });
}
