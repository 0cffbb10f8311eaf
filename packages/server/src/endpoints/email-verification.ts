// POST /auth/email-verification ("send the link again") and GET|POST /auth/email-verification/confirm
// (the form a mailed verification link opens): e-mail verification at sign-in,
// interaction/email-verification.ts (docs/people.md). The sign-in endpoints take the gate from here.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { ROUTE } from '../http/routes.js';
import { completeAuthorization } from '../interaction/consent.js';
import {
  type EmailVerificationDeps,
  emailVerificationGate,
  handleResend,
  handleVerify,
  showVerify,
} from '../interaction/email-verification.js';
import { codeFlowAllows } from '../interaction/flow.js';
import { type EmailVerificationGate, type InteractionDeps, refusePage } from '../interaction/outcome.js';
import { isForm } from '../protocol/params.js';
import type { Services } from '../services/index.js';

type VerificationServices = Pick<
  Services,
  'config' | 'kek' | 'storage' | 'hasher' | 'signIn' | 'throttle' | 'audit' | 'mailer' | 'clock'
>;

function verificationDeps(services: VerificationServices): EmailVerificationDeps {
  return {
    config: services.config,
    storage: services.storage,
    hasher: services.hasher,
    sealer: services.signIn.sealer,
    cookies: services.signIn.cookies,
    sessions: services.signIn.sessions,
    throttle: services.throttle,
    audit: services.audit,
    mailer: services.mailer,
    clock: services.clock,
    resendPath: ROUTE['email-verification'].path,
    confirmPath: ROUTE['email-verification-confirm'].path,
  };
}

/** The gate of the sign-in endpoints' interactions; none without mail (then no code either). */
export function emailVerificationOf(services: VerificationServices): EmailVerificationGate | undefined {
  return services.mailer ? emailVerificationGate(verificationDeps(services)) : undefined;
}

export function registerEmailVerification(
  app: FastifyInstance,
  services: VerificationServices & Pick<Services, 'lookups'>,
): void {
  const deps = verificationDeps(services);
  const interaction: InteractionDeps = {
    ...services.signIn,
    config: services.config,
    storage: services.storage,
    hasher: services.hasher,
    kek: services.kek,
    action: ROUTE.authorize.path,
    audit: services.audit,
    emailVerification: emailVerificationOf(services),
  };
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
      // A device's sign-in is not taken up again here: its person signs in again at the device page.
      if (req.deviceAuthorizationId !== undefined) return undefined;
      const client = await (await services.lookups.current(request)).application(req.clientId);
      if (!codeFlowAllows(client, req)) return undefined;
      return completeAuthorization(interaction, request, reply, { app: client, req, current, now });
    });
  });
}
